"""ingest_paths and store_meeting on SQLite and PostgreSQL: ids, organizations, re-ingest,
replacement, atomicity, agenda versus minutes, and two ingest processes at once."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from api import queries
from api.db import create_engine
from api.loaders import ingest
from api.migrations import upgrade
from api.models import SQLModel
from api.search.syntax import parse_query
from tests.paths import FIXTURES, GOLDEN, REAL_MINUTES, SEEDS
from tests.portal import portal_page
from tests.printed import printed_pdf

AGENDA = FIXTURES / "dagsorden_byraadet.txt"
HTK = "hoeje-taastrup-kommune"
DIREKTIONEN = f"{HTK}.direktionen"
ROSKILDE = [
    FIXTURES / "referat_roskilde_direktionen.txt",
    FIXTURES / "referat_roskilde_direktionen_eftermiddag.txt",
]


def ingest_paths(engine: sa.Engine, paths: list[Any], **options: Any) -> ingest.IngestReport:
    """Ingest as Høje-Taastrup's, whose seeds name no organization of their own."""
    options.setdefault("default_organization", "Høje-Taastrup Kommune")
    return ingest.ingest_paths(engine, paths, **options)


def snapshot(engine: sa.Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order."""
    with engine.connect() as connection:
        return {
            table.name: sorted(tuple(row) for row in connection.execute(sa.select(table)))
            for table in SQLModel.metadata.sorted_tables
        }


def scalars(engine: sa.Engine, sql: str, **params: Any) -> list[Any]:
    with engine.connect() as connection:
        return list(connection.execute(sa.text(sql), params).scalars())


def statuses(report: Any) -> list[str]:
    return [r.status for r in report.results]


def test_seeds_get_the_readable_ids_of_the_contract(engine: sa.Engine) -> None:
    report = ingest_paths(engine, [SEEDS])
    assert statuses(report) == ["ingested"] * 5
    assert sorted(scalars(engine, "SELECT id FROM meetings")) == [
        f"{DIREKTIONEN}.2017-05-16T1000",
        f"{DIREKTIONEN}.2019-11-11T1000",
        f"{DIREKTIONEN}.2019-12-09T1000",
        f"{DIREKTIONEN}.2023-05-23T0900",
        f"{DIREKTIONEN}.2025-06-02T0900",
    ]
    item = f"{DIREKTIONEN}.2019-12-09T1000.7"
    assert item in scalars(engine, "SELECT id FROM agenda_items")
    assert scalars(
        engine, "SELECT id FROM decisions WHERE agenda_item_id = :item ORDER BY id", item=item
    ) == [f"{item}.direktionen-2019-11-25", f"{item}.direktionen-2019-12-09"]
    assert f"{HTK}.person_kathrine-seier-skastrup" in scalars(engine, "SELECT id FROM persons")
    assert scalars(engine, f"SELECT year FROM cases WHERE id = '{HTK}.case_19-227'") == [2019]
    assert scalars(engine, "SELECT id FROM bodies") == [DIREKTIONEN]
    assert scalars(engine, "SELECT id || ' ' || name || ' ' || kind FROM organizations") == [
        f"{HTK} Høje-Taastrup Kommune MUNICIPALITY"
    ]


def test_case_19_227_links_four_items_across_two_meetings(engine: sa.Engine) -> None:
    ingest_paths(engine, [SEEDS])
    case = f"{HTK}.case_19-227"
    items = scalars(engine, f"SELECT id FROM agenda_items WHERE case_id = '{case}' ORDER BY id")
    assert items == [
        f"{DIREKTIONEN}.2019-11-11T1000.1",
        f"{DIREKTIONEN}.2019-11-11T1000.2",
        f"{DIREKTIONEN}.2019-12-09T1000.3",
        f"{DIREKTIONEN}.2019-12-09T1000.5",
    ]


def test_reingesting_the_seeds_changes_no_row_and_no_id(engine: sa.Engine) -> None:
    ingest_paths(engine, [SEEDS])
    before = snapshot(engine)
    report = ingest_paths(engine, [SEEDS])
    assert statuses(report) == ["skipped"] * 5
    assert {r.reason for r in report.results} == {"already ingested"}
    assert snapshot(engine) == before


def test_a_changed_document_replaces_its_meeting_keeping_the_ids(
    engine: sa.Engine, tmp_path: Path
) -> None:
    path = tmp_path / "referat.txt"
    seed = (SEEDS / "001_8b76944810878f52.txt").read_text(encoding="utf-8")
    path.write_text(seed, encoding="utf-8")
    ingest_paths(engine, [path])
    before = snapshot(engine)
    path.write_text(seed.replace("Udskudt.", "Udsat til næste møde."), encoding="utf-8")
    report = ingest_paths(engine, [path])
    assert statuses(report) == ["updated"]
    after = snapshot(engine)
    for table in ("meetings", "agenda_items", "decisions", "sections", "persons", "cases"):
        key = 0  # ids and natural keys lead every row
        assert [r[key] for r in after[table]] == [r[key] for r in before[table]], table
    texts = scalars(engine, "SELECT text FROM decisions WHERE date = '2019-11-25'")
    assert texts == ["Udsat til næste møde."]
    (old,), (new,) = before["meetings"], after["meetings"]
    columns = [c.name for c in SQLModel.metadata.tables["meetings"].columns]
    old_row, new_row = dict(zip(columns, old, strict=True)), dict(zip(columns, new, strict=True))
    assert new_row["ingested_at"] == old_row["ingested_at"]  # the first ingest stays
    assert new_row["updated_at"] > old_row["updated_at"]  # updatedAt moves
    # The search index follows: the old decision's words are gone, the new ones found.
    decision = f"{DIREKTIONEN}.2019-12-09T1000.7.direktionen-2019-11-25"
    assert decision in searched(engine, '"næste møde"')
    assert decision not in searched(engine, "udskudt")


def searched(engine: sa.Engine, query: str) -> set[str]:
    with engine.connect() as connection:
        hits = queries.search_page(connection, parse_query(query), queries.SearchFilter(), 99, None)
    return {hit.id for hit in hits}


@contextmanager
def failing_inserts(engine: sa.Engine, table: str) -> Iterator[None]:
    """A trigger that makes the database refuse every insert into ``table``: a failure in
    the middle of a document's write, whatever code path does the write."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql(
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'injected failure'; END $$"
            )
            connection.exec_driver_sql(
                f"CREATE TRIGGER refuse BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION refuse()"
            )
        else:
            connection.exec_driver_sql(
                f"CREATE TRIGGER refuse BEFORE INSERT ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
            )
    try:
        yield
    finally:
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.exec_driver_sql(f"DROP TRIGGER refuse ON {table}")
                connection.exec_driver_sql("DROP FUNCTION refuse()")
            else:
                connection.exec_driver_sql("DROP TRIGGER refuse")


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failure_in_the_middle_of_a_document_leaves_no_trace(
    engine: sa.Engine, tmp_path: Path, workers: int
) -> None:
    agenda_variants(tmp_path, 20)
    shutil.copy(SEEDS / "002_78977b299a6d627a.txt", tmp_path / "minutes.txt")
    with failing_inserts(engine, "decisions"):
        report = ingest_paths(engine, [tmp_path], workers=workers)
    # The agendas have no decisions and go in; the minutes fail after their items and
    # sections were written, and leave nothing behind.
    assert statuses(report) == ["ingested"] * 20 + ["failed"]
    assert report.results[-1].line().startswith(f"{tmp_path / 'minutes.txt'}: database error: ")
    assert "injected failure" in report.results[-1].line()
    where = {"body": DIREKTIONEN, "case": f"{HTK}.case_19-227"}
    assert scalars(engine, "SELECT count(*) FROM meetings WHERE body_id = :body", **where) == [0]
    assert scalars(engine, "SELECT count(*) FROM bodies WHERE id = :body", **where) == [0]
    assert scalars(engine, "SELECT count(*) FROM cases WHERE id = :case", **where) == [0]
    assert scalars(engine, "SELECT count(*) FROM agenda_items") == [60]
    # The same document goes in whole once nothing interferes.
    report = ingest_paths(engine, [tmp_path / "minutes.txt"])
    assert statuses(report) == ["ingested"]


def test_bad_files_get_one_line_and_the_rest_go_on(engine: sa.Engine, tmp_path: Path) -> None:
    (tmp_path / "a_empty.txt").write_bytes(b"")
    (tmp_path / "b_binary.md").write_bytes(b"REFERAT\x00\x01")
    (tmp_path / "c_junk.txt").write_text("Indkøbsliste\n\nmælk\n", encoding="utf-8")
    (tmp_path / "e_scan.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))  # by content
    (tmp_path / "f_notes.docx").write_bytes(b"PK\x03\x04")
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x00")
    shutil.copy(SEEDS / "003_3a47a5f1bc055bc2.txt", tmp_path / "d_seed.txt")
    report = ingest_paths(engine, [tmp_path, tmp_path / "missing.txt"])
    assert [r.line() for r in report.results] == [
        f"{tmp_path / '.DS_Store'}: hidden, not read",
        f"{tmp_path / 'f_notes.docx'}: unsupported type (.docx)",
        f"{tmp_path / 'missing.txt'}: no such file or directory",
        f"{tmp_path / 'a_empty.txt'}: line 1: empty document",
        f"{tmp_path / 'b_binary.md'}: line 1: binary file: contains NUL bytes",
        f"{tmp_path / 'c_junk.txt'}: line 1: not minutes or an agenda: no header "
        "(such as 'REFERAT <body> d. DD-MM-YYYY') and no agenda items",
        f"{tmp_path / 'd_seed.txt'}: ingested",
        f"{tmp_path / 'e_scan.txt'}: unsupported type: a PNG image: scanned minutes need OCR, "
        "which Referat does not do",
    ]
    assert report.summary() == {"ingested": 1, "updated": 0, "skipped": 3, "failed": 4}
    assert report.empty == [str(tmp_path / "missing.txt")]


def test_a_printed_pdf_is_ingested_as_the_organization_its_running_header_names(
    engine: sa.Engine, tmp_path: Path
) -> None:
    golden = json.loads((GOLDEN / "002_78977b299a6d627a.json").read_text(encoding="utf-8"))
    (tmp_path / "referat.pdf").write_bytes(printed_pdf(golden))
    report = ingest.ingest_paths(engine, [tmp_path])  # no organization given
    assert [r.meeting_id for r in report.results] == [f"{DIREKTIONEN}.2019-11-11T1000"]
    numbers = scalars(engine, "SELECT number FROM agenda_items ORDER BY number")
    assert numbers == [item["number"] for item in golden["items"]]


def test_a_document_above_the_size_limit_is_refused_unread(
    engine: sa.Engine, tmp_path: Path
) -> None:
    small, large = tmp_path / "a.txt", tmp_path / "b.txt"
    small.write_bytes(AGENDA.read_bytes())
    large.write_bytes(AGENDA.read_bytes() + b"\n" * 3000)
    limit = len(AGENDA.read_bytes()) + 100
    report = ingest_paths(engine, [tmp_path], max_bytes=limit)
    assert [r.line() for r in report.results] == [
        f"{small}: ingested",
        f"{large}: too large: 0.0 MB, above the limit of {limit / 1e6:g} MB "
        "(--max-size or REFERAT_MAX_DOCUMENT_MB)",
    ]


def test_a_file_that_cannot_be_read_is_named_with_the_reason(engine: sa.Engine) -> None:
    # Root reads any file it may open; /proc/self/mem is one whose reading fails.
    report = ingest_paths(engine, ["/proc/self/mem"])
    assert [r.line() for r in report.results] == ["/proc/self/mem: unreadable: Input/output error"]
    assert report.failed


def test_a_path_that_holds_no_document_fails_the_run(engine: sa.Engine, tmp_path: Path) -> None:
    images = tmp_path / "billeder"
    images.mkdir()
    (images / "scan.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    report = ingest_paths(engine, [images, SEEDS / "002_78977b299a6d627a.txt"])
    assert report.empty == [str(images)]
    assert report.failed
    assert statuses(report) == ["skipped", "ingested"]
    # A document found under two of the paths given is in both.
    seed = SEEDS / "003_3a47a5f1bc055bc2.txt"
    assert ingest_paths(engine, [seed.parent, seed]).empty == []


def test_html_pages_and_documents_named_for_another_format_are_read_by_content(
    engine: sa.Engine, tmp_path: Path
) -> None:
    golden = json.loads((GOLDEN / "002_78977b299a6d627a.json").read_text(encoding="utf-8"))
    (tmp_path / "referat.html").write_bytes(portal_page(golden, "classic"))
    (tmp_path / "referat-uden-endelse").write_bytes(portal_page(golden, "fields"))
    (tmp_path / "dagsorden.htm.txt").write_bytes(AGENDA.read_bytes())
    report = ingest_paths(engine, [tmp_path])
    # The text named .htm.txt, then the two pages of one meeting: the second replaces it.
    assert statuses(report) == ["ingested", "ingested", "updated"]
    meeting = f"{DIREKTIONEN}.2019-11-11T1000"
    assert [r.meeting_id for r in report.results] == [
        f"{HTK}.byraadet.2024-03-26T1900",
        meeting,
        meeting,
    ]
    titles = scalars(
        engine, "SELECT title FROM agenda_items WHERE meeting_id = :m ORDER BY number", m=meeting
    )
    assert titles == [item["title"] for item in golden["items"]]


def test_closed_items_store_no_content(engine: sa.Engine) -> None:
    ingest_paths(engine, [SEEDS, AGENDA])
    closed = scalars(engine, "SELECT id FROM agenda_items WHERE is_closed ORDER BY id")
    assert len(closed) == 6
    for table in ("sections", "decisions", "attachments"):
        rows = scalars(
            engine,
            f"SELECT count(*) FROM {table} t JOIN agenda_items i ON i.id = t.agenda_item_id "
            "WHERE i.is_closed",
        )
        assert rows == [0], table
    assert scalars(
        engine, "SELECT count(*) FROM agenda_items WHERE is_closed AND page IS NULL"
    ) == [6]
    everything = repr(snapshot(engine))
    assert "Fortroligt" not in everything


def test_minutes_replace_an_agenda_but_an_agenda_never_replaces_minutes(
    engine: sa.Engine, tmp_path: Path
) -> None:
    agenda = AGENDA.read_text(encoding="utf-8")
    minutes_path = tmp_path / "referat.txt"
    minutes_path.write_text(
        agenda.replace("DAGSORDEN", "REFERAT").replace(
            "Beslutning Byrådet den 26-03-2024\n",
            "Beslutning Byrådet den 26-03-2024\n\nGodkendt.\n",
        ),
        encoding="utf-8",
    )
    assert statuses(ingest_paths(engine, [AGENDA])) == ["ingested"]
    report = ingest_paths(engine, [minutes_path])
    assert statuses(report) == ["updated"]
    assert report.results[0].meeting_id == f"{HTK}.byraadet.2024-03-26T1900"
    assert scalars(engine, "SELECT kind FROM meetings") == ["MINUTES"]
    changed = AGENDA.read_text(encoding="utf-8").replace("Byrådssalen", "Mødesal 1")
    late_agenda = tmp_path / "dagsorden.txt"
    late_agenda.write_text(changed, encoding="utf-8")
    report = ingest_paths(engine, [late_agenda])
    assert statuses(report) == ["skipped"]
    assert report.results[0].reason == "an agenda never replaces the meeting's minutes"
    assert scalars(engine, "SELECT count(*) FROM meetings") == [1]


def test_two_meetings_of_a_body_on_one_day_are_told_apart_by_their_start(
    engine: sa.Engine, tmp_path: Path
) -> None:
    evening = tmp_path / "aften.txt"
    evening.write_text(AGENDA.read_text(encoding="utf-8").replace("kl. 19.00", "kl. 21.00"))
    ingest_paths(engine, [evening, AGENDA])  # the later meeting first: the ids do not care
    meetings = [f"{HTK}.byraadet.2024-03-26T1900", f"{HTK}.byraadet.2024-03-26T2100"]
    assert scalars(engine, "SELECT id FROM meetings ORDER BY id") == meetings
    # Item 2 of the first meeting and the second meeting are two ids.
    items = scalars(engine, "SELECT id FROM agenda_items ORDER BY id")
    assert f"{meetings[0]}.2" in items and not set(items) & set(meetings)


def test_a_file_that_now_gives_another_start_time_moves_its_meeting(
    engine: sa.Engine, tmp_path: Path
) -> None:
    path = tmp_path / "dagsorden.txt"
    path.write_text(AGENDA.read_text(encoding="utf-8"))
    ingest_paths(engine, [path])
    path.write_text(AGENDA.read_text(encoding="utf-8").replace("kl. 19.00", "kl. 17.00"))
    report = ingest_paths(engine, [path])
    assert statuses(report) == ["ingested"]
    assert scalars(engine, "SELECT id FROM meetings") == [f"{HTK}.byraadet.2024-03-26T1700"]
    assert scalars(engine, "SELECT count(*) FROM agenda_items") == [3]
    assert scalars(engine, "SELECT DISTINCT meeting_id FROM search_documents") == [
        f"{HTK}.byraadet.2024-03-26T1700"
    ]


def test_the_flag_wins_then_the_letterhead_then_the_default(
    engine: sa.Engine, tmp_path: Path
) -> None:
    roskilde = ROSKILDE[0]
    report = ingest.ingest_paths(
        engine, [roskilde, AGENDA], default_organization="Høje-Taastrup Kommune"
    )
    assert [r.meeting_id for r in report.results] == [
        "roskilde-kommune.direktionen.2019-12-09T1000",  # its letterhead
        f"{HTK}.byraadet.2024-03-26T1900",  # no letterhead: the default
    ]
    # The flag wins over the letterhead (another copy: a known file is skipped).
    copy = tmp_path / "kopi.txt"
    copy.write_text(roskilde.read_text(encoding="utf-8").replace("lokale 2", "lokale 3"))
    report = ingest.ingest_paths(engine, [copy], organization="Region  Sjælland")
    assert [r.meeting_id for r in report.results] == [
        "region-sjaelland.direktionen.2019-12-09T1000"
    ]
    kinds = "SELECT id || ' ' || name || ' ' || kind FROM organizations ORDER BY id"
    assert scalars(engine, kinds) == [
        f"{HTK} Høje-Taastrup Kommune MUNICIPALITY",
        "region-sjaelland Region Sjælland REGION",
        "roskilde-kommune Roskilde Kommune MUNICIPALITY",
    ]


def test_a_document_whose_organization_nobody_names_is_refused(
    engine: sa.Engine, tmp_path: Path
) -> None:
    report = ingest.ingest_paths(engine, [AGENDA, ROSKILDE[0]])
    assert [r.line() for r in report.results] == [
        f"{AGENDA}: no organization: the document names no municipality or region in its "
        "letterhead; give it with --organization NAME (or set REFERAT_ORGANIZATION)",
        f"{ROSKILDE[0]}: ingested",
    ]
    assert scalars(engine, "SELECT count(*) FROM meetings") == [1]
    assert scalars(engine, "SELECT id FROM organizations") == ["roskilde-kommune"]


def test_a_file_whose_letterhead_is_read_since_moves_its_meeting_to_that_organization(
    engine: sa.Engine,
) -> None:
    """A database migrated from before organizations holds letterhead documents under the
    organization given to the migration; the next ingest reads the letterhead."""
    roskilde = ROSKILDE[0]
    ingest.ingest_paths(engine, [roskilde], organization="Høje-Taastrup Kommune")
    with engine.begin() as connection:  # as if stored by an older parser
        connection.exec_driver_sql("UPDATE documents SET parser_version = '1'")
    report = ingest.ingest_paths(engine, [roskilde])
    assert statuses(report) == ["ingested"]
    assert scalars(engine, "SELECT id FROM meetings") == [
        "roskilde-kommune.direktionen.2019-12-09T1000"
    ]
    assert scalars(engine, "SELECT DISTINCT meeting_id FROM search_documents") == [
        "roskilde-kommune.direktionen.2019-12-09T1000"
    ]


def test_one_body_name_case_number_and_person_in_two_organizations_are_six_entities(
    engine: sa.Engine,
) -> None:
    ingest_paths(engine, [SEEDS, *ROSKILDE])
    assert scalars(engine, "SELECT id FROM bodies ORDER BY id") == [
        DIREKTIONEN,
        "roskilde-kommune.direktionen",
    ]
    assert scalars(engine, "SELECT id FROM cases WHERE number = '19/227' ORDER BY id") == [
        f"{HTK}.case_19-227",
        "roskilde-kommune.case_19-227",
    ]
    assert scalars(engine, "SELECT id FROM persons WHERE name = 'Lars Holte' ORDER BY id") == [
        f"{HTK}.person_lars-holte",
        "roskilde-kommune.person_lars-holte",
    ]


def agenda_variants(folder: Path, count: int) -> None:
    """``count`` agendas of different meetings, from the agenda fixture."""
    template = AGENDA.read_text(encoding="utf-8").replace("Tirsdag ", "")
    for n in range(count):
        day = f"{n % 28 + 1:02d}-{n // 28 + 1:02d}-2024"
        text = template.replace("26-03-2024", day).replace("d. 26. marts 2024", f"d. {day}")
        (folder / f"agenda_{n:03d}.txt").write_text(text, encoding="utf-8")


def test_parallel_parsing_stores_the_same_as_sequential(engine: sa.Engine, tmp_path: Path) -> None:
    agenda_variants(tmp_path, 20)  # enough files for the process pool
    report = ingest_paths(engine, [tmp_path], workers=2)
    assert statuses(report) == ["ingested"] * 20
    parallel = snapshot(engine)
    with engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())
    ingest_paths(engine, [tmp_path], workers=1)

    def without_times(rows: dict[str, list[tuple[Any, ...]]]) -> dict[str, Any]:
        return {k: v for k, v in rows.items() if k not in ("meetings", "documents")}

    assert without_times(snapshot(engine)) == without_times(parallel)


def test_two_ingest_processes_at_once_store_one_copy_of_everything(
    engine: sa.Engine, referat: Path, cli_env: dict[str, str], tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for seed in SEEDS.glob("*.txt"):
        shutil.copy(seed, corpus / seed.name)
    agenda_variants(corpus, 60)  # enough for the two runs to overlap
    command = [str(referat), "ingest", "--organization", "Høje-Taastrup Kommune"]
    command += ["--workers", "1", str(corpus)]
    runs = [
        subprocess.Popen(command, env=cli_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert scalars(engine, "SELECT count(*) FROM meetings") == [65]
    assert scalars(engine, "SELECT count(DISTINCT id) FROM meetings") == [65]
    assert scalars(engine, "SELECT count(*) FROM documents") == [65]
    assert scalars(engine, "SELECT count(*) FROM agenda_items") == [44 + 60 * 3]
    assert scalars(engine, "SELECT count(*) FROM persons") == [8 + 7]
    ingested = sum(int(out.decode().split(" ingested")[0]) for out, _ in outputs)
    assert ingested == 65  # every document ingested by exactly one of the two


def test_postgresql_statistics_are_fresh_after_a_run_that_changed_much(
    new_database: Callable[[str], str],
) -> None:
    url = new_database("postgresql")  # SQLite plans without statistics of its own
    upgrade(url)
    engine = create_engine(url, for_writing=True)
    ingest_paths(engine, [SEEDS])

    def analyzed() -> dict[str, Any]:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT relname, last_analyze FROM pg_stat_user_tables"
            ).all()
        return dict(rows)

    first = analyzed()
    assert first["search_documents"] is not None and first["sections"] is not None
    ingest_paths(engine, [SEEDS])  # nothing changed: no new statistics
    assert analyzed() == first
    engine.dispose()


# Every column that holds an id, by the table it is in.
ID_COLUMNS = {
    "organizations": ("id",),
    "bodies": ("id", "organization_id"),
    "persons": ("id", "organization_id"),
    "cases": ("id", "organization_id"),
    "meetings": ("id", "body_id"),
    "documents": ("meeting_id",),
    "participations": ("meeting_id", "person_id"),
    "agenda_items": ("id", "meeting_id", "case_id"),
    "sections": ("agenda_item_id",),
    "decisions": ("id", "agenda_item_id"),
    "attachments": ("agenda_item_id",),
    "search_documents": ("id", "agenda_item_id", "meeting_id", "body_id"),
}
NODE_TABLES = (
    "organizations",
    "bodies",
    "persons",
    "cases",
    "meetings",
    "agenda_items",
    "decisions",
)


def every_id(engine: sa.Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as connection:
        return {
            table: sorted(
                tuple(row)
                for row in connection.exec_driver_sql(f"SELECT {', '.join(columns)} FROM {table}")
            )
            for table, columns in ID_COLUMNS.items()
        }


def identity_corpus(folder: Path) -> list[Path]:
    """The seeds, the fixtures, and two meetings of one body on one day."""
    evening = folder / "aften.txt"
    evening.write_text(AGENDA.read_text(encoding="utf-8").replace("kl. 19.00", "kl. 21.00"))
    fixtures = sorted(p for p in FIXTURES.iterdir() if p.suffix in (".txt", ".md"))
    return [*sorted(SEEDS.glob("*.txt")), *fixtures, evening]


@pytest.mark.parametrize(
    ("first", "second"),
    [("sqlite", "sqlite"), ("postgresql", "postgresql"), ("sqlite", "postgresql")],
)
def test_the_same_documents_in_any_order_on_any_engine_give_the_same_ids(
    first: str, second: str, new_database: Callable[[str], str], tmp_path: Path
) -> None:
    documents = identity_corpus(tmp_path)
    found = []
    for engine_name, order in ((first, documents), (second, documents[::-1])):
        url = new_database(engine_name)
        upgrade(url)
        engine = create_engine(url, for_writing=True)
        report = ingest_paths(engine, order, workers=1)
        assert statuses(report) == ["ingested"] * len(documents)
        found.append(every_id(engine))
        again = ingest_paths(engine, order[::2], workers=1)
        assert set(statuses(again)) == {"skipped"}
        assert every_id(engine) == found[-1]
        engine.dispose()
    assert found[0] == found[1]
    # Unique across all types: no id names two entities, of one type or of two.
    ids = [row[0] for table in NODE_TABLES for row in found[0][table]]
    assert len(ids) == len(set(ids)) > 150


def test_other_municipalities_minutes_are_stored_whole(engine: sa.Engine, tmp_path: Path) -> None:
    for path in REAL_MINUTES.glob("*.txt"):
        shutil.copy(path, tmp_path / path.name)
    report = ingest.ingest_paths(engine, [tmp_path], organization="Testkommune", workers=1)
    assert [r.line().rsplit(": ", 1)[1] for r in report.results] == ["ingested"] * 8
    with engine.connect() as connection:
        counts = connection.execute(
            sa.text(
                "SELECT (SELECT count(*) FROM meetings), (SELECT count(*) FROM agenda_items), "
                "(SELECT count(*) FROM decisions), (SELECT count(*) FROM cases), "
                "(SELECT count(*) FROM participations WHERE party IS NOT NULL)"
            )
        ).one()
        years = dict(connection.execute(sa.text("SELECT number, year FROM cases")).all())
    # Items: 2 + 10 + 4 + 2 + 1 + 2 + 1 + 1; decisions as tests/real_minutes' README reads
    # them; parties: Rødovre's 20 members and 2 absentees, København's 13.
    assert tuple(counts) == (8, 23, 12, 4, 35)
    assert years == {"20/33839": 2020, "20/35762": 2020, "17/46": 2017, "1-51-71-3321-08": 2008}
