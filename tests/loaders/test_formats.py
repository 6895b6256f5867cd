"""detect_format: a file's kind from its content, whatever its name says."""

from __future__ import annotations

import pytest

from api.loaders.formats import Format, UnsupportedFormat, detect_format


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", Format.PDF),
        (b"\r\n\x00junk%PDF-1.4", Format.PDF),  # the header may come a little late
        (b"<!DOCTYPE html><html><body>REFERAT", Format.HTML),
        (b"\xef\xbb\xbf  <html lang='da'>", Format.HTML),
        (b"<?xml version='1.0'?>\n<!-- portal -->\n<HTML>", Format.HTML),
        (b"<div class='referat'><h1>REFERAT</h1></div>", Format.HTML),
        (b"REFERAT Direktionen d. 09-12-2019\n<p>tekst</p>", Format.TEXT),
        (b"# REFERAT Direktionen d. 09-12-2019\n", Format.TEXT),
        (b"<p>et afsnit</p>", Format.TEXT),  # a fragment as Markdown has them
        (b"", Format.TEXT),
    ],
)
def test_the_content_tells_the_format(data: bytes, expected: Format) -> None:
    assert detect_format(data, source="x") is expected


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"PK\x03\x04", "a ZIP or Office (docx, xlsx) file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1", "an old Office (doc, xls) file"),
        (b"\x89PNG\r\n", "a PNG image: scanned minutes need OCR"),
        (b"\xff\xd8\xff\xe0", "a JPEG image"),
        (b"II*\x00", "a TIFF image"),
        (b"{\\rtf1\\ansi", "an RTF file"),
    ],
)
def test_kinds_that_are_not_documents_are_named(data: bytes, what: str) -> None:
    with pytest.raises(UnsupportedFormat) as caught:
        detect_format(data, source="bilag.txt")
    assert str(caught.value).startswith(f"bilag.txt: line 1: unsupported type: {what}")
