"""Property tests: any input either parses or raises MinutesFormatError, deterministically."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.loaders import Minutes, MinutesFormatError, decode_document, parse_minutes
from api.loaders.reading import document_text

STRUCTURE = [
    "REFERAT Direktionen d. 09-12-2019",
    "DAGSORDEN Byrådet d. 31-02-2020",
    "# REFERAT Udvalget for Teknik og Miljø d. 01-01-2024",
    "Mødedato Mandag d. 09. december 2019 kl. 10:00",
    "Mødedato Fredag d. 99. maj 2019 kl. 29.75",
    "Mødested Rådhuset",
    "Mødedeltagere A, B (sekretær), C og D",
    "Afbud: (",
    "Indholdsfortegnelse",
    "Titel.....\t3",
    "| Titel..... | 4 |",
    "Punkt 1: Titel",
    "Punkt 1: Lukket",
    "## **Punkt 2: Titel**",
    "Punkt 0:",
    "19/227",
    "Baggrund",
    "### **Indstilling**",
    "Økonomi",
    "Afsnit uden overskrift",
    "Beslutning Direktionen den 09-12-2019",
    "Beslutning Direktionen den 31-13-2019",
    "Beslutning",
    "Bilag",
    "Notat 2. beh..docx",
    "a\tb\t<p>c</p> <p>d</p>",
    "| a | b |",
    "|---|---|",
    "**fed**",
    "Side 1 af 2",
    "",
]

documents = st.lists(st.one_of(st.sampled_from(STRUCTURE), st.text(max_size=40)), max_size=60)


def outcome(text: str) -> Minutes | str:
    try:
        return parse_minutes(text, source="fuzz")
    except MinutesFormatError as exc:
        return str(exc)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_arbitrary_text_parses_or_raises_the_format_error(text: str) -> None:
    assert outcome(text) == outcome(text)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_minutes_shaped_text_parses_or_raises_the_format_error(lines: list[str]) -> None:
    text = "\n".join(lines)
    assert outcome(text) == outcome(text)


@settings(max_examples=300, deadline=None)
@given(st.binary())
def test_arbitrary_bytes_decode_and_parse_or_raise_the_format_error(data: bytes) -> None:
    def run() -> Minutes | str:
        try:
            return parse_minutes(decode_document(data, source="fuzz"), source="fuzz")
        except MinutesFormatError as exc:
            return str(exc)

    assert run() == run()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["<p>", "</p>", "<div>", "</div>", "<br>", "<table>", "<tr>", "<td>", "</td>",
             "</tr>", "<li>", "<ul>", "</ul>", "<pre>", "</pre>", "<script>", "</script>",
             "<h2>", "</h2>", "REFERAT Direktionen d. 09-12-2019", "Punkt 1: Titel", "19/227",
             "Baggrund", "æøå", "&amp;", "&#0;", "<!--", "-->", "\x00", "\n", " "]
        )
        | st.text(max_size=20)
    )
)  # fmt: skip
def test_any_page_reads_and_parses_or_raises_the_format_error(pieces: list[str]) -> None:
    data = ("<html><body>" + "".join(pieces)).encode("utf-8", "surrogatepass")

    def run() -> Minutes | str:
        try:
            return parse_minutes(document_text(data, source="fuzz.html"), source="fuzz.html")
        except MinutesFormatError as exc:
            return str(exc)

    assert run() == run()
