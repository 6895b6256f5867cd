"""discover: the documents under the paths given, and every other path with its reason."""

from __future__ import annotations

import os
from pathlib import Path

from api.loaders.discovery import Passed, discover


def test_a_tree_is_walked_in_name_order_and_every_other_path_named(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    for name in ("b/2.md", "b/1.txt", "a.pdf", "c.HTML", "d", "e.htm", "f.docx", ".skjult"):
        (tmp_path / name).write_text("x")
    (tmp_path / ".git").mkdir()
    os.mkfifo(tmp_path / "kø.txt")
    (tmp_path / "b" / "op").symlink_to(tmp_path)  # a loop
    (tmp_path / "brudt.txt").symlink_to(tmp_path / "findes-ikke")
    (tmp_path / "link.txt").symlink_to(tmp_path / "d")  # a link to a file is that file
    found = discover([tmp_path])
    assert [file.relative_to(tmp_path).as_posix() for file, _ in found.files] == [
        "a.pdf", "b/1.txt", "b/2.md", "c.HTML", "d", "e.htm", "link.txt",
    ]  # fmt: skip
    assert {given for _, given in found.files} == {str(tmp_path)}
    assert [(Path(p.path).relative_to(tmp_path).as_posix(), p.reason, p.failed)
            for p in found.passed] == [
        (".git", "hidden, not read", False),
        (".skjult", "hidden, not read", False),
        ("b/op", "symbolic link loop: to a folder it is in", False),
        ("brudt.txt", "broken symbolic link", False),
        ("f.docx", "unsupported type (.docx)", False),
        ("kø.txt", "not a regular file: a FIFO", False),
    ]  # fmt: skip


def test_paths_given_are_taken_as_they_are(tmp_path: Path) -> None:
    (tmp_path / "notes.dat").write_text("x")
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "self").symlink_to(tmp_path / "self")
    given = [tmp_path / "notes.dat", tmp_path / "fifo", tmp_path / "nothing", tmp_path / "self"]
    found = discover(given)
    assert [file for file, _ in found.files] == [tmp_path / "notes.dat"]  # content decides
    assert found.passed == [
        Passed(str(tmp_path / "fifo"), "not a regular file: a FIFO"),
        Passed(str(tmp_path / "nothing"), "no such file or directory", failed=True),
        Passed(str(tmp_path / "self"), "unreadable: Too many levels of symbolic links", True),
    ]
