"""ingest_paths and store_meeting on SQLite and PostgreSQL: ids, organizations, re-ingest,
replacement, atomicity, agenda versus minutes, two ingest processes at once, worker
processes that die with their parent, and source file names relative to the path given."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from api import queries
from api.app import create_app
from api.db import create_engine
from api.loaders import ingest
from api.loaders.discovery import discover
from api.migrations import downgrade, upgrade
from api.models import SQLModel
from api.search import partitions
from api.search.normalise import tokens
from api.search.syntax import parse_query
from api.settings import Settings
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


def test_a_document_replaced_within_one_batch_leaves_the_index_as_its_rows(
    engine: sa.Engine, tmp_path: Path
) -> None:
    """Two versions of one meeting in one run go in one batch (one transaction): the
    second replaces the first, whose search documents leave the index with it."""
    seed = (SEEDS / "001_8b76944810878f52.txt").read_text(encoding="utf-8")
    (tmp_path / "a.txt").write_text(seed.replace("Udskudt.", "Gammelord."), encoding="utf-8")
    (tmp_path / "b.txt").write_text(seed.replace("Udskudt.", "Nyord."), encoding="utf-8")
    report = ingest_paths(engine, [tmp_path], workers=1)
    assert statuses(report) == ["ingested", "updated"]
    old, new = tokens("Gammelord")[0], tokens("Nyord")[0]

    def found(lemma: str) -> int:
        if engine.dialect.name == "postgresql":
            sql = "SELECT count(*) FROM search_documents WHERE tsv @@ CAST(:q AS tsquery)"
            return int(scalars(engine, sql, q=f"'{lemma}'")[0])
        fts = partitions.table(2019)
        sql = f"SELECT count(*) FROM {fts} WHERE {fts} MATCH :q"
        return int(scalars(engine, sql, q=f'"{lemma}"')[0])

    assert (found(old), found(new)) == (0, 1)
    if engine.dialect.name == "sqlite":
        years = partitions.years(scalars(engine, "SELECT name FROM sqlite_master"))
        with engine.begin() as connection:
            for year in years:
                fts = partitions.table(year)
                connection.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('integrity-check')")


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
        kept: dict[str, Any] = {k: v for k, v in rows.items() if k not in ("meetings", "documents")}
        # The feed's seqs and times differ; what it says of each entity does not.
        kept["changes"] = sorted(row[1:4] for row in rows["changes"])
        return kept

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


# Worker processes die with their parent.


def process_stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name: state, parent pid, ..."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2 :].split()


def children(parent: int) -> dict[int, str]:
    """The processes whose parent is ``parent``, with their start times (pids recur)."""
    found = {}
    for entry in Path("/proc").iterdir():
        fields = process_stat(int(entry.name)) if entry.name.isdigit() else None
        if fields is not None and int(fields[1]) == parent:
            found[int(entry.name)] = fields[19]
    return found


def running(processes: dict[int, str]) -> list[int]:
    """Those of ``processes`` still running: not gone, not a zombie, not a new process
    under a pid that came round again."""
    alive = []
    for pid, started in processes.items():
        fields = process_stat(pid)
        if fields is not None and fields[0] not in "ZX" and fields[19] == started:
            alive.append(pid)
    return alive


def wait_until_gone(processes: dict[int, str], seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while running(processes) and time.monotonic() < deadline:
        time.sleep(0.02)
    return running(processes)


needs_proc = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="finds worker processes in /proc"
)


@needs_proc
def test_killing_ingest_outright_ends_its_workers_and_their_storing(
    engine: sa.Engine, database_url: str, referat: Path, cli_env: dict[str, str], tmp_path: Path
) -> None:
    """SIGKILL gives ``referat ingest`` no chance to stop its workers. On PostgreSQL they
    store the documents themselves: none may commit one once the parent is gone."""
    agenda_variants(tmp_path, 300)  # seconds of work on either engine
    # Watched by a reader: the ingest engine begins IMMEDIATE on SQLite, and would queue
    # for the write lock behind ingest's batches, seeing the first only near the end.
    reader = create_engine(database_url)
    command = [str(referat), "ingest", "--organization", "Høje-Taastrup Kommune"]
    command += ["--workers", "3", str(tmp_path)]
    run = subprocess.Popen(
        command, env=cli_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    workers: dict[int, str] = {}
    try:
        deadline = time.monotonic() + 60
        while scalars(reader, "SELECT count(*) FROM meetings") == [0]:
            assert run.poll() is None, "ingest ended before it stored anything"
            assert time.monotonic() < deadline, "ingest stored nothing in 60 s"
            time.sleep(0.02)
        workers = children(run.pid)
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=10)
        assert len(workers) >= 3  # all started before the first document was stored
        assert wait_until_gone(workers, seconds=5) == []
        time.sleep(0.5)  # a commit the server already had in hand when the kill came
        stored = scalars(reader, "SELECT count(*) FROM meetings")[0]
        time.sleep(1)
        assert scalars(reader, "SELECT count(*) FROM meetings")[0] == stored
        assert 0 < stored < 300  # killed half way, as meant
    finally:
        run.kill()
        for pid in running(workers):  # only after a failure above
            os.kill(pid, signal.SIGKILL)
        reader.dispose()


ORPHAN_POOL = textwrap.dedent(
    """
    import os, sys, time
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from api.loaders import ingest


    def watched_only(parent):
        ingest._PR_SET_PDEATHSIG = 0  # no such prctl option: the kernel sends nothing
        ingest._die_with_parent(parent)


    if __name__ == "__main__":
        pool = ProcessPoolExecutor(
            2, mp_context=get_context(sys.argv[1]), initializer=watched_only,
            initargs=(os.getpid(),),
        )
        print(sorted({f.result() for f in [pool.submit(time.sleep, 0.3) for _ in range(4)]}))
        print("ready", flush=True)
        time.sleep(60)
    """
)


@needs_proc
@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_workers_watch_their_parent_where_the_kernel_does_not(
    start_method: str, tmp_path: Path
) -> None:
    """Where no PR_SET_PDEATHSIG ends them, the workers' own watch does."""
    script = tmp_path / "pool.py"
    script.write_text(ORPHAN_POOL)
    run = subprocess.Popen(
        [sys.executable, str(script), start_method], stdout=subprocess.PIPE, text=True
    )
    workers: dict[int, str] = {}
    try:
        assert run.stdout is not None
        assert run.stdout.readline() == "[None]\n"
        assert run.stdout.readline() == "ready\n"
        workers = children(run.pid)
        assert len(workers) >= 2
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=10)
        assert wait_until_gone(workers, seconds=5) == []
    finally:
        run.kill()
        for pid in running(workers):
            os.kill(pid, signal.SIGKILL)


# Source files: named relative to the path given, never by an absolute path.


def test_a_source_name_does_not_depend_on_how_its_folder_is_reached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "archive"
    (archive / "2023").mkdir(parents=True)
    (archive / "2023" / "referat.txt").write_text("x")
    (archive / "dagsorden.txt").write_text("x")
    (tmp_path / "link").symlink_to(archive)
    monkeypatch.chdir(archive / "2023")
    for given in (str(archive), f"{archive}/", "..", "../", str(tmp_path / "link"), "../../link"):
        found = discover([given])
        names = sorted(ingest.source_name(file, path) for file, path in found.files)
        assert names == ["2023/referat.txt", "dagsorden.txt"], given
    monkeypatch.chdir(archive)
    found = discover([".", "2023/referat.txt", str(archive / "dagsorden.txt")])
    assert [ingest.source_name(file, path) for file, path in found.files] == [
        "2023/referat.txt",
        "dagsorden.txt",
        "referat.txt",  # a file given: its own name
        "dagsorden.txt",
    ]


def source_names(engine: sa.Engine) -> list[tuple[str, str]]:
    """Each meeting's source file, beside its document's."""
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT m.source_file, d.source_path FROM meetings m "
                "JOIN documents d ON d.meeting_id = m.id ORDER BY m.source_file"
            )
        )
        return [(row[0], row[1]) for row in rows]


def test_files_are_stored_under_their_paths_in_the_folder_given_or_their_names(
    engine: sa.Engine, tmp_path: Path
) -> None:
    archive = tmp_path / "archive"
    (archive / "2024").mkdir(parents=True)
    shutil.copy(AGENDA, archive / "2024" / "dagsorden.txt")
    seed = sorted(SEEDS.glob("*.txt"))[0]
    shutil.copy(seed, archive / seed.name)
    report = ingest_paths(engine, [archive.absolute(), ROSKILDE[0].absolute()], workers=1)
    assert statuses(report) == ["ingested"] * 3
    names = sorted(["2024/dagsorden.txt", seed.name, ROSKILDE[0].name])
    assert source_names(engine) == [(name, name) for name in names]


def test_the_same_folder_reached_another_way_still_replaces_its_meetings(
    engine: sa.Engine, tmp_path: Path
) -> None:
    """A file that now gives another start time moves its meeting, whichever absolute
    path its folder is ingested by: through a symbolic link, or copied elsewhere."""
    text = AGENDA.read_text(encoding="utf-8")
    archive = tmp_path / "archive"
    (archive / "2024").mkdir(parents=True)
    (archive / "2024" / "dagsorden.txt").write_text(text)
    ingest_paths(engine, [archive])
    link = tmp_path / "link"
    link.symlink_to(archive)
    (link / "2024" / "dagsorden.txt").write_text(text.replace("kl. 19.00", "kl. 17.00"))
    assert statuses(ingest_paths(engine, [link])) == ["ingested"]
    assert scalars(engine, "SELECT id FROM meetings") == [f"{HTK}.byraadet.2024-03-26T1700"]
    copy = tmp_path / "elsewhere" / "archive"
    shutil.copytree(archive, copy)
    (copy / "2024" / "dagsorden.txt").write_text(text.replace("kl. 19.00", "kl. 18.00"))
    assert statuses(ingest_paths(engine, [copy], workers=1)) == ["ingested"]
    assert scalars(engine, "SELECT id FROM meetings") == [f"{HTK}.byraadet.2024-03-26T1800"]
    assert scalars(engine, "SELECT count(*) FROM agenda_items") == [3]
    assert scalars(engine, "SELECT DISTINCT meeting_id FROM search_documents") == [
        f"{HTK}.byraadet.2024-03-26T1800"
    ]
    assert source_names(engine) == [("2024/dagsorden.txt", "2024/dagsorden.txt")]


def test_one_name_in_two_organizations_archives_replaces_nothing(
    engine: sa.Engine, tmp_path: Path
) -> None:
    """``dagsorden.txt`` of two municipalities' Byråd on one day: two meetings. Only the
    very same document (same bytes) moves a meeting to another organization."""
    text = AGENDA.read_text(encoding="utf-8")
    for organization, start in (("Høje-Taastrup Kommune", "19.00"), ("Roskilde Kommune", "17.00")):
        folder = tmp_path / organization
        folder.mkdir()
        (folder / "dagsorden.txt").write_text(text.replace("kl. 19.00", f"kl. {start}"))
        report = ingest.ingest_paths(engine, [folder], organization=organization)
        assert statuses(report) == ["ingested"]
    assert scalars(engine, "SELECT id FROM meetings ORDER BY id") == [
        f"{HTK}.byraadet.2024-03-26T1900",
        "roskilde-kommune.byraadet.2024-03-26T1700",
    ]


def test_the_api_never_shows_an_absolute_path(
    engine: sa.Engine, database_url: str, tmp_path: Path
) -> None:
    ingest_paths(engine, [SEEDS.absolute(), *(path.absolute() for path in ROSKILDE)])
    expected = sorted([*(path.name for path in SEEDS.glob("*.txt")), *(p.name for p in ROSKILDE)])
    with TestClient(create_app(Settings(database_url=database_url))) as client:
        answer = client.post(
            "/graphql",
            json={"query": "{ meetings(first: 100) { edges { node { id sourceFile } } } }"},
        ).json()
        nodes = [edge["node"] for edge in answer["data"]["meetings"]["edges"]]
        listed = client.get("/api/v1/meetings", params={"limit": 100}).json()["items"]
        one = client.get(f"/api/v1/meetings/{nodes[0]['id']}").json()
    assert sorted(node["sourceFile"] for node in nodes) == expected
    assert sorted(meeting["sourceFile"] for meeting in listed) == expected
    assert one["sourceFile"] == nodes[0]["sourceFile"]
    assert str(SEEDS) not in json.dumps([answer, listed, one])


@pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"])
def test_0008_cuts_stored_absolute_paths_to_the_files_names(
    engine_name: str, new_database: Callable[[str], str]
) -> None:
    url = new_database(engine_name)
    upgrade(url)
    engine = create_engine(url, for_writing=True)
    try:
        ingest_paths(engine, [SEEDS], workers=1)
        downgrade(url, "0007")
        seeds = sorted(path.name for path in SEEDS.glob("*.txt"))
        stored_as = {  # what earlier ingests stored, by the paths they were given
            seeds[0]: f"/srv/referater/2019/{seeds[0]}",
            seeds[1]: f"C:\\referater\\{seeds[1]}",
            seeds[2]: f"../referater/{seeds[2]}",
            seeds[3]: f"seeds/{seeds[3]}",  # relative: left as it is
        }
        with engine.begin() as connection:
            for table, column in (("meetings", "source_file"), ("documents", "source_path")):
                for name, old in stored_as.items():
                    connection.execute(
                        sa.text(f"UPDATE {table} SET {column} = :old WHERE {column} = :name"),
                        {"old": old, "name": name},
                    )
        upgrade(url)
        names = sorted([*seeds[:3], f"seeds/{seeds[3]}", seeds[4]])
        assert source_names(engine) == [(name, name) for name in names]
        again = ingest_paths(engine, [SEEDS], workers=1)
        assert set(statuses(again)) == {"skipped"}  # known by content, whatever the name
    finally:
        engine.dispose()
