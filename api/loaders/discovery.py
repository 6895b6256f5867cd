"""``discover``: the files under the paths given to ``referat ingest``, and a reason for
every path found that cannot be read as a document. Nothing is passed over in silence.

A directory is walked recursively, following symbolic links, in name order. Its files
with a document's extension (or none) are candidates, whose content then tells what
they are (api.loaders.formats); any other file, hidden entry, FIFO, socket or device,
symbolic link loop or broken link is named with its reason.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

DOCUMENT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".pdf", ".html", ".htm", ""})
_SPECIAL = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


@dataclass(frozen=True, slots=True)
class Passed:
    """A path that is not read, and why. ``failed`` when it may hold a document that
    could not be reached (unreadable, missing); otherwise it is simply not one."""

    path: str
    reason: str
    failed: bool = False


@dataclass
class Discovery:
    files: list[tuple[Path, str]] = field(default_factory=list)  # (file, the path given)
    passed: list[Passed] = field(default_factory=list)


def discover(paths: Iterable[str | Path]) -> Discovery:
    found = Discovery()
    for raw in paths:
        given = str(raw)
        path = Path(raw)
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            reason = "broken symbolic link" if path.is_symlink() else "no such file or directory"
            found.passed.append(Passed(given, reason, failed=True))
            continue
        except OSError as exc:
            found.passed.append(Passed(given, _unreadable(exc), failed=True))
            continue
        if stat.S_ISDIR(mode):
            files, passed = _walk(path)
            found.files += [(file, given) for file in files]
            found.passed += passed
        elif stat.S_ISREG(mode):
            found.files.append((path, given))
        else:
            found.passed.append(Passed(given, _special(mode)))
    return found


def _walk(root: Path) -> tuple[list[Path], list[Passed]]:
    files: list[Path] = []
    passed: list[Passed] = []

    def walk(directory: Path, ancestors: frozenset[tuple[int, int]]) -> None:
        try:
            entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
        except OSError as exc:
            passed.append(Passed(str(directory), _unreadable(exc), failed=True))
            return
        for entry in entries:
            path = Path(entry.path)
            if entry.name.startswith("."):
                passed.append(Passed(str(path), "hidden, not read"))
                continue
            try:
                info = entry.stat()  # follows symbolic links
            except FileNotFoundError:
                passed.append(Passed(str(path), "broken symbolic link"))
                continue
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    passed.append(Passed(str(path), "symbolic link loop"))
                else:
                    passed.append(Passed(str(path), _unreadable(exc), failed=True))
                continue
            identity = (info.st_dev, info.st_ino)
            if stat.S_ISDIR(info.st_mode):
                if identity in ancestors:
                    passed.append(Passed(str(path), "symbolic link loop: to a folder it is in"))
                else:
                    walk(path, ancestors | {identity})
            elif not stat.S_ISREG(info.st_mode):
                passed.append(Passed(str(path), _special(info.st_mode)))
            elif path.suffix.lower() not in DOCUMENT_SUFFIXES:
                passed.append(Passed(str(path), f"unsupported type ({path.suffix})"))
            else:
                files.append(path)

    top = root.stat()
    walk(root, frozenset({(top.st_dev, top.st_ino)}))
    return files, passed


def _special(mode: int) -> str:
    what = next((name for test, name in _SPECIAL if test(mode)), "not a regular file")
    return f"not a regular file: {what}"


def _unreadable(exc: OSError) -> str:
    return f"unreadable: {exc.strerror or exc}"
