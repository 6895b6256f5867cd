"""The change feed as ingest and removal write it, on SQLite and PostgreSQL: what a new,
replaced, shortened, moved or removed meeting records, that nothing is recorded for a
skipped or rolled-back document, and that concurrent writers never make a reader that
pages the feed skip or repeat a change."""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from api import queries
from api.db import create_engine
from api.loaders import ingest
from api.loaders.parser import parse_minutes
from api.loaders.reading import document_text
from api.loaders.remove import NotStored, find_meetings, remove_meeting
from api.loaders.store import Source, prepare, store_batch
from api.read.pages import decode_cursor, encode_cursor
from api.search import partitions
from tests.feed import PARENTS_FIRST
from tests.loaders.test_ingest import failing_inserts
from tests.paths import FIXTURES, SEEDS

HTK = "hoeje-taastrup-kommune"
SEED = SEEDS / "001_8b76944810878f52.txt"
MEETING = f"{HTK}.direktionen.2019-12-09T1000"
AGENDA = FIXTURES / "dagsorden_byraadet.txt"
Feed = list[tuple[str, str, str]]


def ingest_paths(engine: sa.Engine, paths: list[Any], **options: Any) -> ingest.IngestReport:
    options.setdefault("default_organization", "Høje-Taastrup Kommune")
    return ingest.ingest_paths(engine, paths, workers=1, **options)


def feed(engine: sa.Engine, after: int = 0) -> Feed:
    """(type, id, action) of every change after seq ``after``, in feed order."""
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            f"SELECT type, id, action FROM changes WHERE seq > {after} ORDER BY seq"
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def last_seq(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return int(connection.exec_driver_sql("SELECT coalesce(max(seq), 0) FROM changes").scalar())


def ids(engine: sa.Engine, table: str, where: str = "") -> set[str]:
    with engine.connect() as connection:
        return set(connection.exec_driver_sql(f"SELECT id FROM {table} {where}").scalars())


def test_a_new_meeting_announces_itself_its_content_and_the_shared_entities_once(
    engine: sa.Engine,
) -> None:
    ingest_paths(engine, [SEED])
    changes = feed(engine)
    assert {action for _, _, action in changes} == {"CREATED"}
    assert len(changes) == len(set(changes))
    announced = {(kind, id_) for kind, id_, _ in changes}
    tables = PARENTS_FIRST
    assert announced == {(kind, i) for kind, table in tables.items() for i in ids(engine, table)}
    kinds = [kind for kind, _, _ in changes]
    assert kinds == sorted(kinds, key=list(tables).index)  # parents before children
    # A second meeting of the same organization announces only what is new.
    before = last_seq(engine)
    ingest_paths(engine, [SEEDS / "002_78977b299a6d627a.txt"])
    again = {kind for kind, _, _ in feed(engine, before)}
    assert "Organization" not in again and "Body" not in again


def test_ingesting_the_same_file_again_records_nothing(engine: sa.Engine, tmp_path: Path) -> None:
    ingest_paths(engine, [SEEDS])
    before = last_seq(engine)
    assert statuses(ingest_paths(engine, [SEEDS])) == ["skipped"] * 5
    # Also when the file is read again under another name (it is stored by its bytes),
    # and through store_batch itself, past the check on known files.
    (tmp_path / "kopi.txt").write_bytes(SEED.read_bytes())
    assert statuses(ingest_paths(engine, [tmp_path])) == ["skipped"]
    document = _prepared(SEED, engine)
    with engine.begin() as connection:
        (result,) = store_batch(connection, [document], now=dt.datetime.now(dt.UTC))
    assert result.outcome.value == "skipped"  # type: ignore[union-attr]
    assert last_seq(engine) == before


def test_minutes_that_replace_the_agenda_update_what_changed_only(
    engine: sa.Engine, tmp_path: Path
) -> None:
    ingest_paths(engine, [AGENDA])
    before = last_seq(engine)
    minutes = tmp_path / "referat.txt"
    minutes.write_text(
        AGENDA.read_text(encoding="utf-8")
        .replace("DAGSORDEN", "REFERAT")
        .replace(
            "Beslutning Byrådet den 26-03-2024\n",
            "Beslutning Byrådet den 26-03-2024\n\nGodkendt.\n",
        ),
        encoding="utf-8",
    )
    assert statuses(ingest_paths(engine, [minutes])) == ["updated"]
    meeting = f"{HTK}.byraadet.2024-03-26T1900"
    assert feed(engine, before) == [
        ("Meeting", meeting, "UPDATED"),
        # Its decisions changed: a mirror that nests them in the item fetches it again.
        ("AgendaItem", f"{meeting}.2", "UPDATED"),
        ("Decision", f"{meeting}.2.byraadet-2024-03-26", "CREATED"),
    ]


def shortened(tmp_path: Path) -> Path:
    """The seed without item 12 (in its contents too) and without item 7's quoted
    decision of 25 November."""
    text = SEED.read_text(encoding="utf-8")
    text = text.replace("Fiberetablering i diamantens institutioner.....\t33\n", "")
    text = text[: text.index("Punkt 12: Fiberetablering")]
    text = text.replace("Beslutning Direktionen den 25-11-2019\n\nUdskudt.\n\n", "")
    path = tmp_path / SEED.name
    path.write_text(text, encoding="utf-8")
    return path


def test_shortened_minutes_leave_tombstones_of_what_they_dropped(
    engine: sa.Engine, tmp_path: Path
) -> None:
    ingest_paths(engine, [SEED])
    dropped_decisions = ids(engine, "decisions", f"WHERE agenda_item_id = '{MEETING}.12'")
    assert len(dropped_decisions) == 1
    before = last_seq(engine)
    assert statuses(ingest_paths(engine, [shortened(tmp_path)])) == ["updated"]
    assert feed(engine, before) == [
        *(("Decision", d, "DELETED") for d in sorted(dropped_decisions)),
        ("Decision", f"{MEETING}.7.direktionen-2019-11-25", "DELETED"),
        ("AgendaItem", f"{MEETING}.12", "DELETED"),
        ("Meeting", MEETING, "UPDATED"),
        ("AgendaItem", f"{MEETING}.7", "UPDATED"),
        # Item 12 alone referred to case 19/23951: it answers null from now on.
        ("Case", f"{HTK}.case_19-23951", "DELETED"),
    ]
    # The entities the tombstones name are gone; the case's row stays, unreferred.
    assert f"{MEETING}.12" not in ids(engine, "agenda_items")
    with engine.connect() as connection:
        assert queries.cases_by_id(connection, [f"{HTK}.case_19-23951"]) == []
    # The full minutes again: back they come, the case too.
    before = last_seq(engine)
    ingest_paths(engine, [SEED])
    assert set(feed(engine, before)) >= {
        ("Case", f"{HTK}.case_19-23951", "CREATED"),
        ("AgendaItem", f"{MEETING}.12", "CREATED"),
        ("Decision", f"{MEETING}.7.direktionen-2019-11-25", "CREATED"),
    }


def test_a_meeting_moved_to_another_start_time_is_deleted_under_its_old_id(
    engine: sa.Engine, tmp_path: Path
) -> None:
    path = tmp_path / "dagsorden.txt"
    path.write_text(AGENDA.read_text(encoding="utf-8"))
    ingest_paths(engine, [path])
    old = f"{HTK}.byraadet.2024-03-26T1900"
    before = last_seq(engine)
    path.write_text(AGENDA.read_text(encoding="utf-8").replace("kl. 19.00", "kl. 17.00"))
    ingest_paths(engine, [path])
    new = f"{HTK}.byraadet.2024-03-26T1700"
    assert feed(engine, before) == [
        *(("AgendaItem", f"{old}.{n}", "DELETED") for n in (1, 2, 3)),
        ("Meeting", old, "DELETED"),
        ("Meeting", new, "CREATED"),
        *(("AgendaItem", f"{new}.{n}", "CREATED") for n in (1, 2, 3)),
    ]


def test_a_document_rolled_back_to_its_savepoint_records_nothing(
    engine: sa.Engine, tmp_path: Path
) -> None:
    (tmp_path / "a.txt").write_bytes(AGENDA.read_bytes())
    (tmp_path / "b.txt").write_bytes(SEED.read_bytes())
    with failing_inserts(engine, "decisions"):
        report = ingest_paths(engine, [tmp_path])
    assert statuses(report) == ["ingested", "failed"]  # one batch, a savepoint each
    announced = {id_ for _, id_, _ in feed(engine)}
    assert f"{HTK}.byraadet.2024-03-26T1900" in announced
    assert not any(id_.startswith(f"{HTK}.direktionen") for id_ in announced)
    assert f"{HTK}.case_19-227" not in announced  # its row was rolled back with it


def test_removal_leaves_tombstones_and_nothing_else_of_the_meeting(
    engine: sa.Engine, tmp_path: Path
) -> None:
    ingest_paths(engine, [SEEDS])
    items = ids(engine, "agenda_items", f"WHERE meeting_id = '{MEETING}'")
    decisions = ids(
        engine,
        "decisions",
        f"WHERE agenda_item_id IN (SELECT id FROM agenda_items WHERE meeting_id = '{MEETING}')",
    )
    before = last_seq(engine)
    with engine.begin() as connection:
        written = remove_meeting(connection, MEETING)
    changes = feed(engine, before)
    assert [(c.type, c.id, c.action.value) for c in written] == changes
    assert {action for _, _, action in changes} == {"DELETED"}
    deleted = {(kind, id_) for kind, id_, _ in changes}
    assert {("Meeting", MEETING)} | {("AgendaItem", i) for i in items} | {
        ("Decision", d) for d in decisions
    } <= deleted
    # Cases that only this meeting referred to go; 19/227 is on seed 000 too and stays.
    cases = {id_ for kind, id_ in deleted if kind == "Case"}
    assert f"{HTK}.case_19-23951" in cases and f"{HTK}.case_19-227" not in cases
    with engine.connect() as connection:
        for table, column in (
            ("meetings", "id"),
            ("documents", "meeting_id"),
            ("agenda_items", "meeting_id"),
            ("participations", "meeting_id"),
            ("search_documents", "meeting_id"),
        ):
            count = connection.exec_driver_sql(
                f"SELECT count(*) FROM {table} WHERE {column} = '{MEETING}'"
            ).scalar()
            assert count == 0, table
        for table in ("sections", "decisions", "attachments"):
            orphans = connection.exec_driver_sql(
                f"SELECT count(*) FROM {table} "
                "WHERE agenda_item_id NOT IN (SELECT id FROM agenda_items)"
            ).scalar()
            assert orphans == 0, table
        if engine.dialect.name == "sqlite":  # each year's full-text table lost its rows
            names = connection.exec_driver_sql("SELECT name FROM sqlite_master").scalars()
            for fts in map(partitions.table, partitions.years(list(names))):
                connection.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('integrity-check')")
    # The file stored it no more: removing it again names it.
    with engine.begin() as connection, pytest.raises(NotStored, match="no meeting"):
        find_meetings(connection, str(SEED))


def test_a_removal_is_found_by_id_by_the_file_or_by_its_stored_name(
    engine: sa.Engine, tmp_path: Path
) -> None:
    ingest_paths(engine, [SEEDS])  # stored as 001_8b76944810878f52.txt
    with engine.connect() as connection:
        assert find_meetings(connection, MEETING) == [MEETING]
        assert find_meetings(connection, str(SEED)) == [MEETING]  # by its bytes
        # By name, the file gone: the stored name is the end of the path given.
        gone = f"/srv/elsewhere/{SEED.name}"
        assert find_meetings(connection, gone) == [MEETING]
        with pytest.raises(NotStored, match=r"^nothing\.txt: no meeting with this id"):
            find_meetings(connection, "nothing.txt")


def test_a_stored_name_that_several_documents_share_names_no_one_meeting(
    engine: sa.Engine, tmp_path: Path
) -> None:
    """Each organization's own referat.txt: by name, the id is needed; by the file's
    bytes, while it is there, the one stored from it."""
    for folder, seed in (("a", SEED), ("b", SEEDS / "002_78977b299a6d627a.txt")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "referat.txt").write_bytes(seed.read_bytes())
    ingest_paths(engine, [tmp_path / "a" / "referat.txt"])
    ingest_paths(engine, [tmp_path / "b" / "referat.txt"], organization="Roskilde Kommune")
    with engine.connect() as connection:
        with pytest.raises(NotStored, match=r"2 stored documents are named 'referat\.txt' "):
            find_meetings(connection, "/gone/referat.txt")
        assert find_meetings(connection, str(tmp_path / "a" / "referat.txt")) == [MEETING]


def statuses(report: ingest.IngestReport) -> list[str]:
    return [r.status for r in report.results]


def _prepared(path: Path, engine: sa.Engine, organization: str = "Høje-Taastrup Kommune") -> Any:
    data = path.read_bytes()
    minutes = parse_minutes(document_text(data, source=str(path)), source=str(path))
    source = Source.of(path.name, data)
    return prepare(minutes, source, organization=organization, dialect=engine.dialect.name)


def test_concurrent_ingests_never_make_a_reader_skip_or_repeat_a_change(
    engine: sa.Engine, database_url: str
) -> None:
    """Two writers store documents at once, one of them slow to commit after writing
    its change rows, while a reader pages the feed with its cursors as a mirror does.
    PostgreSQL takes sequence values at insert, not at commit: without the feed's lock
    the quick writer's later seqs commit first, the reader pages past them, and the
    slow writer's earlier seqs are skipped for ever."""
    seeds = sorted(SEEDS.glob("*.txt"))
    rounds = 4
    random.seed(17)
    seen: list[int] = []
    done = threading.Event()
    errors: list[BaseException] = []
    reader = create_engine(database_url)

    def read() -> None:
        cursor: str | None = None
        try:
            while True:
                finished = done.is_set()
                with reader.connect() as connection:
                    after = decode_cursor(cursor, (int,))
                    order = queries.FEED_IN_ORDER
                    rows = queries.page(connection, queries.changes_query(None), order, 7, after)
                for row in rows[:7]:
                    seen.append(int(row.seq))
                    cursor = encode_cursor(queries.row_key(row, order))
                if finished and len(rows) <= 7:
                    return
                time.sleep(0.005)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def write(document: Any, pause: float) -> None:
        try:
            with engine.begin() as connection:
                store_batch(connection, [document], now=dt.datetime.now(dt.UTC))
                time.sleep(pause)  # change rows written, not yet committed
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    reading = threading.Thread(target=read)
    reading.start()
    for round_ in range(rounds):
        # Two organizations: the writers share no lock but the feed's.
        slow, quick = (
            _prepared(random.choice(seeds), engine, f"Slowtown {round_} Kommune"),
            _prepared(random.choice(seeds), engine, f"Quickby {round_} Kommune"),
        )
        writers = [
            threading.Thread(target=write, args=(slow, 0.4)),
            threading.Thread(target=write, args=(quick, 0.0)),
        ]
        writers[0].start()
        time.sleep(0.1)  # the slow one writes its change rows first
        writers[1].start()
        for writer in writers:
            writer.join()
    done.set()
    reading.join(timeout=60)
    reader.dispose()
    assert not errors, errors
    with engine.connect() as connection:
        stored = list(connection.exec_driver_sql("SELECT seq FROM changes ORDER BY seq").scalars())
    assert len(seen) == len(set(seen)), "a change was read twice"
    assert seen == stored, "the reader skipped a change"
