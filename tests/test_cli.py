"""The referat command line."""

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from api.cli import main
from api.db import create_engine
from tests.paths import REAL_MINUTES, SEEDS
from tests.releases import load_release_0005


def test_parse_prints_the_records_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    seed = SEEDS / "002_78977b299a6d627a.txt"
    assert main(["parse", str(seed)]) == 0
    records = json.loads(capsys.readouterr().out)
    assert records["body"] == "Direktionen"
    assert [i["case_number"] for i in records["items"]][:2] == ["19/227", "19/227"]


def test_parse_of_junk_prints_one_line_and_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "junk.txt"
    junk.write_text("hello\nworld\n")
    assert main(["parse", str(junk)]) == 1
    err = capsys.readouterr().err
    assert (
        err == f"referat: {junk}: line 1: not minutes or an agenda: no header "
        "(such as 'REFERAT <body> d. DD-MM-YYYY') and no agenda items\n"
    )


def test_parse_of_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(tmp_path / "nope.txt")]) == 1
    assert (
        capsys.readouterr().err == f"referat: {tmp_path / 'nope.txt'}: No such file or directory\n"
    )


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "referat"
    done = subprocess.run([script, "--help"], capture_output=True, text=True, check=True)
    assert "parse" in done.stdout


def test_ingest_refuses_an_unmigrated_database_in_one_line(
    referat: Path, new_database: Callable[[str], str]
) -> None:
    url = new_database("sqlite")
    done = subprocess.run(
        [referat, "ingest", str(SEEDS)],
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1
    assert "is not migrated" in done.stderr and "run `referat migrate`" in done.stderr


def test_migrate_then_ingest_reports_and_exits_by_failures(
    referat: Path, new_database: Callable[[str], str], tmp_path: Path
) -> None:
    env = {**os.environ, "DATABASE_URL": new_database("sqlite")}
    env.pop("REFERAT_ORGANIZATION", None)
    subprocess.run([referat, "migrate"], env=env, check=True, capture_output=True)
    done = subprocess.run(
        [referat, "ingest", str(SEEDS)], env=env, capture_output=True, text=True, check=False
    )
    # The seeds name no organization, and none was given: each is refused, naming the flag.
    assert (done.returncode, done.stdout) == (1, "0 ingested, 0 updated, 0 skipped, 5 failed\n")
    assert done.stderr.count("\n") == 5
    assert done.stderr.splitlines()[0] == (
        f"referat: {SEEDS / '000_976cf62f3b734ffd.txt'}: no organization: the document names "
        "no municipality or region in its letterhead; give it with --organization NAME "
        "(or set REFERAT_ORGANIZATION)"
    )
    env["REFERAT_ORGANIZATION"] = "Høje-Taastrup Kommune"
    done = subprocess.run(
        [referat, "ingest", str(SEEDS)], env=env, capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout) == (0, "5 ingested, 0 updated, 0 skipped, 0 failed\n")
    junk = tmp_path / "junk.txt"
    junk.write_text("hello\n", encoding="utf-8")
    done = subprocess.run(
        [referat, "ingest", "--json", str(SEEDS), str(junk)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert {k: report[k] for k in ("ingested", "updated", "skipped", "failed")} == {
        "ingested": 0, "updated": 0, "skipped": 5, "failed": 1,
    }  # fmt: skip
    assert report["files"][-1]["reason"].startswith("line 1: not minutes or an agenda")
    assert done.stderr.startswith(f"referat: {junk}: line 1: not minutes or an agenda")


def test_ingest_help_states_the_exit_status(referat: Path) -> None:
    done = subprocess.run(
        [referat, "ingest", "--help"], capture_output=True, text=True, check=False
    )
    assert "Exit status: 0 when no document failed, 1 otherwise" in " ".join(done.stdout.split())


def test_migrate_names_whose_minutes_an_old_database_holds(
    referat: Path, new_database: Callable[[str], str]
) -> None:
    url = new_database("sqlite")
    load_release_0005(url).dispose()
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("REFERAT_ORGANIZATION", None)
    migrate = [referat, "migrate"]
    refused = subprocess.run(migrate, env=env, capture_output=True, text=True, check=False)
    assert refused.returncode == 1
    assert refused.stderr.count("\n") == 1
    assert '`referat migrate --organization "Høje-Taastrup Kommune"`' in refused.stderr
    assert "REFERAT_ORGANIZATION" in refused.stderr and "nothing was changed" in refused.stderr
    named = [*migrate, "--organization", "Høje-Taastrup Kommune"]
    done = subprocess.run(named, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    engine = create_engine(url)
    with engine.connect() as connection:
        meetings = connection.exec_driver_sql("SELECT id FROM meetings ORDER BY id").scalars()
        assert list(meetings)[:2] == [
            "hoeje-taastrup-kommune.byraadet.2024-03-26T1900",
            "hoeje-taastrup-kommune.direktionen.2019-11-11T1000",
        ]
    engine.dispose()


def test_remove_withdraws_meetings_by_id_or_file_and_names_what_it_cannot_find(
    referat: Path, cli_env: dict[str, str], seeded: object
) -> None:
    """Both engines: by id, by the file it was stored from, and an unknown target, which
    removes nothing of the others given with it."""
    meeting = "hoeje-taastrup-kommune.direktionen.2019-12-09T1000"
    seed = SEEDS / "000_976cf62f3b734ffd.txt"

    def remove(*targets: str) -> subprocess.CompletedProcess[str]:
        command = [referat, "remove", *targets]
        return subprocess.run(command, env=cli_env, capture_output=True, text=True, check=False)

    done = remove(meeting, "hoeje-taastrup-kommune.direktionen.1999-01-01")
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        "referat: hoeje-taastrup-kommune.direktionen.1999-01-01: no meeting with this id, and "
        "no document stored from this file\n"
    )
    done = remove(meeting, str(seed))
    assert done.returncode == 0, done.stderr
    removed = [line.split()[2] for line in done.stdout.splitlines()]
    assert removed == [meeting, "hoeje-taastrup-kommune.direktionen.2023-05-23T0900"]
    engine = create_engine(cli_env["DATABASE_URL"])
    with engine.connect() as connection:
        left = connection.exec_driver_sql("SELECT id FROM meetings").scalars()
        assert not {*removed} & set(left)
        tombstones = connection.exec_driver_sql(
            "SELECT id FROM changes WHERE type = 'Meeting' AND action = 'DELETED'"
        ).scalars()
        assert sorted(tombstones) == sorted(removed)
    engine.dispose()
    done = remove(meeting)  # gone now
    assert done.returncode == 1 and done.stderr.count("\n") == 1
    assert done.stderr.startswith(f"referat: {meeting}: no meeting")


def test_parse_explain_tells_how_each_line_was_read(capsys: pytest.CaptureFixture[str]) -> None:
    path = REAL_MINUTES / "07_roedovre_kb_2019-09-24.txt"
    assert main(["parse", "--explain", str(path)]) == 0
    rows = [line.split(None, 1) for line in capsys.readouterr().out.splitlines()]
    explained = {int(number): rest for number, rest in rows}
    assert explained[1].split() == ["header", "the", "body's", "name", "above", "the", "date",
                                    "line", "Kommunalbestyrelsen"]  # fmt: skip
    assert explained[35].startswith("furniture") and explained[35].endswith("Fold alle ud")
    assert explained[38].split()[:4] == ["item", "129", "heading", "(sag-nr)"]
    assert "decision heading (quoted)" in explained[64]
    # Every line that holds text is accounted for, in order.
    lines = path.read_text(encoding="utf-8").split("\n")
    assert sorted(explained) == [n for n, line in enumerate(lines, 1) if line.strip()]


def test_parse_explain_of_junk_still_explains_and_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "junk.txt"
    junk.write_text("Indkøbsliste\n\nmælk\n", encoding="utf-8")
    assert main(["parse", "--explain", str(junk)]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines()[0].split()[:2] == ["1", "unread"]
    assert err.startswith(f"referat: {junk}: line 1: not minutes or an agenda")


def _export(referat: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([referat, "export", *args], env=env, capture_output=True, check=False)


def test_export_writes_what_the_http_endpoint_streams(
    referat: Path, cli_env: dict[str, str], client: TestClient, tmp_path: Path
) -> None:
    for form, extra, query in (("jsonl", [], ""), ("csv", ["--bom"], "?bom=true")):
        out = tmp_path / form
        done = _export(referat, cli_env, "--format", form, *extra, str(out))
        assert done.returncode == 0, done.stderr
        names = [f"{entity}.{form}" for entity in ("meetings", "agenda-items", "decisions")]
        assert sorted(p.name for p in out.iterdir()) == sorted(names)
        for name in names:
            served = client.get(f"/api/v1/export/{name}{query}")
            assert (out / name).read_bytes() == served.content
            assert f"{out / name} (" in done.stdout.decode()
    filters = ["--organization", "Roskilde Kommune", "--since", "2000-01-01T00:00:00Z"]
    one = _export(referat, cli_env, "--format", "csv", "--entity", "decisions", *filters, "-")
    assert one.returncode == 0, one.stderr
    query = "?organization=Roskilde%20Kommune&modifiedSince=2000-01-01T00:00:00Z"
    assert one.stdout == client.get(f"/api/v1/export/decisions.csv{query}").content
    assert one.stdout.count(b"roskilde-kommune.direktionen.") > 0


def test_export_refuses_in_one_line(
    referat: Path, cli_env: dict[str, str], seeded: Any, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    nowhere = _export(referat, cli_env, "--format", "jsonl", "--organization", "Nowhere", str(out))
    assert nowhere.returncode == 1 and not out.exists()
    assert nowhere.stderr.decode().startswith("referat: no organization 'Nowhere'")
    assert nowhere.stderr.count(b"\n") == 1
    bom = _export(referat, cli_env, "--format", "jsonl", "--bom", str(out))
    assert bom.returncode == 2 and b"--bom is for CSV only" in bom.stderr
    several = _export(referat, cli_env, "--format", "csv", "-")
    assert several.returncode == 2 and b"takes one --entity" in several.stderr
    naive = _export(referat, cli_env, "--format", "csv", "--since", "2024-01-01T00:00", str(out))
    assert naive.returncode == 2 and b"needs a time zone offset" in naive.stderr
    assert not out.exists()
