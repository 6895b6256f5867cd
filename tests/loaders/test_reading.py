"""read_document and decode_document: encodings, line ends, page furniture, non-text."""

import codecs
from pathlib import Path

import pytest

from api.loaders import MinutesFormatError, decode_document, parse_minutes, read_document

DOC = "REFERAT Direktionen d. 09-12-2019\n\nMødested Mødelokale B105\n\nPunkt 1: Æblerød\n\n19/1\n"


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "doc.txt"
    path.write_bytes(data)
    return path


def test_crlf_with_a_bom(tmp_path: Path) -> None:
    data = codecs.BOM_UTF8 + DOC.replace("\n", "\r\n").encode("utf-8")
    text = read_document(write(tmp_path, data))
    assert text == DOC
    assert parse_minutes(text, source="doc.txt").location == "Mødelokale B105"


def test_old_mac_line_ends(tmp_path: Path) -> None:
    assert read_document(write(tmp_path, DOC.replace("\n", "\r").encode())) == DOC


def test_cp1252_when_not_utf8(tmp_path: Path) -> None:
    text = read_document(write(tmp_path, DOC.replace("B105", "B105 – øst").encode("cp1252")))
    assert "Mødelokale B105 – øst" in text
    assert parse_minutes(text, source="doc.txt").items[0].title == "Æblerød"


def test_utf16_with_a_bom(tmp_path: Path) -> None:
    assert read_document(write(tmp_path, DOC.encode("utf-16"))) == DOC


def test_form_feeds_and_page_furniture_keep_line_numbers(tmp_path: Path) -> None:
    source = DOC.replace("Punkt 1", "Side 1 af 2\n\fPunkt 1") + "Baggrund\n\nTekst\fmere\n"
    text = read_document(write(tmp_path, source.encode()))
    lines = text.split("\n")
    assert "Side" not in text and "\f" not in text
    assert lines[4] == "" and lines[5] == "Punkt 1: Æblerød"
    assert lines[-3:] == ["Tekst", "mere", ""]


def test_non_breaking_and_invisible_characters_are_normalised(tmp_path: Path) -> None:
    data = DOC.replace("Mødested ", "Mødested\xa0").replace("B105", "B1\xad05\u200b")
    assert read_document(write(tmp_path, data.encode())) == DOC


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "line 1: empty document"),
        (b"  \n\n", "line 1: empty document"),
        (b"REFERAT\nabc\x00def", "line 2: binary file: contains NUL bytes"),
        (b"%PDF-1.7\n...", "line 1: unreadable PDF: Failed to load document"),
        (b"PK\x03\x04rest", "line 1: unsupported type: a ZIP or Office (docx, xlsx) file"),
        (bytes(range(1, 9)) * 20, "line 1: binary file: too many control characters"),
        (b"abc\n\x81\x8d\x8f", "line 2: neither UTF-8 nor cp1252 text"),
    ],
)
def test_non_text_is_rejected_naming_file_and_line(
    tmp_path: Path, data: bytes, reason: str
) -> None:
    path = write(tmp_path, data)
    with pytest.raises(MinutesFormatError) as caught:
        read_document(path)
    assert str(caught.value).startswith(f"{path}: {reason}")


def test_decode_names_the_source() -> None:
    with pytest.raises(MinutesFormatError, match=r"^upload\.txt: line 1: empty"):
        decode_document(b"", source="upload.txt")
