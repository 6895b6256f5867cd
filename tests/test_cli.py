"""The referat command line."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from api.cli import main
from tests.paths import SEEDS


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
        "'REFERAT <body> d. DD-MM-YYYY' or 'DAGSORDEN <body> d. DD-MM-YYYY'\n"
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
