"""parse_minutes, one rule at a time, on small documents written for each rule."""

import datetime as dt

import pytest

from api.loaders import (
    Attachment,
    DecisionOutcome,
    DocumentKind,
    Minutes,
    MinutesFormatError,
    Participant,
    SectionKind,
    parse_minutes,
    read_document,
)
from tests.paths import FIXTURES

HEADER = "REFERAT Direktionen d. 09-12-2019\n\nMødedato Mandag d. 09. december 2019 kl. 10:00\n\n"


def parse(text: str) -> Minutes:
    return parse_minutes(text, source="test.txt")


def item_doc(*lines: str) -> Minutes:
    return parse(HEADER + "Punkt 1: Titel\n\n19/227\n\n" + "\n".join(lines) + "\n")


# -- header -------------------------------------------------------------------------------


def test_agenda_of_another_body_with_wrapped_participants_and_absentees() -> None:
    minutes = parse_minutes(
        read_document(FIXTURES / "dagsorden_byraadet.txt"), source="dagsorden_byraadet.txt"
    )
    assert minutes.kind is DocumentKind.AGENDA
    assert minutes.body == "Byrådet"
    assert minutes.date == dt.date(2024, 3, 26)
    # kl. 19.00 in winter time: summer time only starts on 31 March 2024.
    assert minutes.starts_at == dt.datetime(
        2024, 3, 26, 19, 0, tzinfo=dt.timezone(dt.timedelta(hours=1))
    )
    assert minutes.location == "Byrådssalen, Rådhuset"
    assert minutes.participants == (
        Participant("Michael Ziegler", "formand"),
        Participant("Trine Lund"),
        Participant("Hans-Jørgen Ørsted"),
        Participant("Sofie Bach Nielsen"),
        Participant("Peter Aagaard"),
    )
    assert minutes.absentees == (Participant("Lone Kjær", "ferie"), Participant("Ib Holm"))


def test_agenda_items_titles_pages_and_closed_item() -> None:
    minutes = parse_minutes(
        read_document(FIXTURES / "dagsorden_byraadet.txt"), source="dagsorden_byraadet.txt"
    )
    first, second, closed = minutes.items
    assert (first.number, first.case_number, first.page) == (1, None, 2)
    assert second.title == "Budgetopfølgning pr. 29. februar 2024 for drift og anlæg"
    assert (second.case_number, second.page) == ("24/1187", 3)
    assert [s.kind for s in second.sections] == [
        SectionKind.BACKGROUND,
        SectionKind.RECOMMENDATION,
    ]
    assert second.decisions == ()  # an agenda's empty decision heading is no decision
    assert second.attachments == (Attachment("Budgetopfølgning februar 2024", "xlsx"),)
    assert closed.is_closed and closed.title == "Lukket" and closed.case_number == "24/1201"
    assert (closed.sections, closed.decisions, closed.attachments, closed.page) == (
        (),
        (),
        (),
        None,
    )
    assert "Fortroligt" not in repr(minutes)
    assert minutes.warnings == (
        "line 19: agenda item 1 has no case number",
        "line 47: closed agenda item 3: its content was left out",
    )


def test_markdown_minutes_of_a_committee() -> None:
    minutes = parse_minutes(
        read_document(FIXTURES / "referat_teknik_markdown.md"), source="referat_teknik.md"
    )
    assert minutes.body == "Udvalget for Teknik og Miljø"
    # 30 October 2022 is the day summer time ends: 09:00 is already winter time.
    assert minutes.starts_at is not None
    assert minutes.starts_at.utcoffset() == dt.timedelta(hours=1)
    assert minutes.participants == (Participant("Anne Holm", "formand"), Participant("Bo Riis"))
    assert minutes.absentees == (Participant("Carl Dam"),)
    plan, bike = minutes.items
    assert (plan.page, bike.page) == (2, 4)
    assert plan.sections[0].text == (
        "Trafikplanen er revideret efter høringen.\n\nTidsplan\n\nFase | Periode\nHøring | Maj"
    )
    assert [(d.date, d.outcome) for d in plan.decisions] == [
        (dt.date(2022, 10, 2), DecisionOutcome.POSTPONED),
        (dt.date(2022, 10, 30), DecisionOutcome.APPROVED),
    ]
    assert plan.decisions[0].body == "Udvalget for Teknik og Miljø"
    assert plan.attachments == (Attachment("Trafikplan 2023 2. beh.", "docx"),)
    assert [s.kind for s in bike.sections] == [SectionKind.PRESENTATION, SectionKind.ECONOMY]
    assert bike.decisions[0].outcome is DecisionOutcome.REJECTED
    assert minutes.warnings == ()


@pytest.mark.parametrize(
    ("when", "offset"),
    [
        ("Mandag d. 27. marts 2023 kl. 9.00", 2),  # the day after summer time began
        ("Fredag d. 24. marts 2023 kl. 09:00", 1),
        ("Tirsdag d. 19. december 2023 kl. 19.00", 1),
        ("Torsdag d. 15. juni 2023 kl. 16:30", 2),
    ],
)
def test_start_time_has_the_copenhagen_offset_of_its_day(when: str, offset: int) -> None:
    day = dt.datetime.strptime(when.split("d. ")[1][:2], "%d").day
    month = 3 if "marts" in when else 12 if "december" in when else 6
    text = f"REFERAT Byrådet d. {day:02d}-{month:02d}-2023\n\nMødedato {when}\n\nPunkt 1: A\n"
    minutes = parse(text)
    assert minutes.starts_at is not None
    assert minutes.starts_at.utcoffset() == dt.timedelta(hours=offset)
    assert minutes.starts_at.date() == dt.date(2023, month, day)


@pytest.mark.parametrize(
    "header",
    [
        "# REFERAT Direktionen d. 09-12-2019",
        "## **REFERAT Direktionen d. 09-12-2019**",
        "**REFERAT Direktionen d. 09-12-2019**",
        "Referat Direktionen den 09-12-2019",
    ],
)
def test_markdown_decoration_and_case_of_the_header_are_ignored(header: str) -> None:
    minutes = parse(f"{header}\n\nPunkt 1: A\n\n19/1\n")
    assert (minutes.kind, minutes.body, minutes.date) == (
        DocumentKind.MINUTES,
        "Direktionen",
        dt.date(2019, 12, 9),
    )


def test_markdown_decorated_structure_lines() -> None:
    minutes = parse(
        "# REFERAT Direktionen d. 09-12-2019\n\n**Mødedato:** Mandag d. 9. december 2019 "
        "kl. 10:00\n\n## **Punkt 1: Titel**\n\n**19/227**\n\n### Baggrund\n\nTekst\n\n"
        "### **Beslutning Direktionen den 09-12-2019**\n\nGodkendt.\n\n#### **Bilag**\n\n"
        "- Notat.pdf\n"
    )
    (item,) = minutes.items
    assert (item.title, item.case_number) == ("Titel", "19/227")
    assert item.sections[0].text == "Tekst"
    assert item.decisions[0].outcome is DecisionOutcome.APPROVED
    assert item.attachments == (Attachment("Notat", "pdf"),)
    assert minutes.starts_at is not None and minutes.starts_at.hour == 10


def test_moededato_disagreeing_with_the_header_is_a_warning() -> None:
    minutes = parse(
        "REFERAT Direktionen d. 09-12-2019\n\nMødedato Tirsdag d. 10. december 2019 kl. 9"
        "\n\nPunkt 1: A\n\n19/1\n"
    )
    assert minutes.warnings == ("line 3: Mødedato 2019-12-10 differs from the header's 2019-12-09",)


def test_wrong_weekday_is_a_warning() -> None:
    minutes = parse(
        "REFERAT Direktionen d. 09-12-2019\n\nMødedato Fredag d. 9. december 2019\n\nPunkt 1: A\n"
    )
    assert minutes.warnings[0] == "line 3: Mødedato says Fredag but 2019-12-09 is a mandag"
    assert minutes.starts_at is None


# -- table of contents and items ----------------------------------------------------------


def test_toc_count_mismatch_warns_and_matches_pages_by_title() -> None:
    minutes = parse(
        HEADER + "Indholdsfortegnelse\n\nFørste.....\t3\nTredje.....\t7\n\n"
        "Punkt 1: Første\n\n19/1\n\nPunkt 2: Anden\n\n19/2\n\nPunkt 3: Tredje\n\n19/3\n"
    )
    assert [i.page for i in minutes.items] == [3, None, 7]
    assert minutes.warnings == (
        "line 7: table of contents lists 2 entries but the document has 3 agenda items; "
        "pages matched by title",
    )


def test_items_out_of_sequence_warn_and_duplicates_are_errors() -> None:
    minutes = parse(HEADER + "Punkt 3: A\n\n19/1\n\nPunkt 1: B\n\n19/2\n")
    assert minutes.warnings == ("line 5: agenda items out of sequence: 3, 1",)
    # Numbers that run through the year, with gaps, are how many councils number items.
    assert parse(HEADER + "Punkt 129: A\n\n19/1\n\nPunkt 131: B\n\n19/2\n").warnings == ()
    with pytest.raises(MinutesFormatError, match=r"line 9: agenda item 1 appears twice"):
        parse(HEADER + "Punkt 1: A\n\n19/1\n\nPunkt 1: B\n\n19/2\n")


def test_subheadings_never_split_a_section() -> None:
    (item,) = item_doc(
        "Sagsfremstilling",
        "",
        "Projektlederrollen",
        "",
        "Tekst om rollen.",
        "",
        "## Igangsætning",
        "",
        "Tidsplan",
        "",
        "Maj: start",
    ).items
    (section,) = item.sections
    assert section.kind is SectionKind.PRESENTATION
    assert section.text == (
        "Projektlederrollen\n\nTekst om rollen.\n\nIgangsætning\n\nTidsplan\n\nMaj: start"
    )


def test_other_standard_headings_keep_their_heading() -> None:
    (item,) = item_doc("Økonomi", "", "Ingen.", "", "Afsnit uden overskrift", "", "Bilag").items
    assert [(s.kind, s.heading, s.text) for s in item.sections] == [
        (SectionKind.ECONOMY, "Økonomi", "Ingen."),
        (SectionKind.OTHER, "Afsnit uden overskrift", ""),
    ]


def test_several_decisions_in_document_order_and_sections_after_them() -> None:
    (item,) = item_doc(
        "Indstilling",
        "",
        "At direktionen godkender.",
        "",
        "Beslutning Direktionen den 25-11-2019",
        "",
        "Udskudt.",
        "",
        "Beslutning Direktionen den 09-12-2019",
        "",
        "Indstilling godkendes, med opmærksomhed for, at centrene orienteres.",
        "",
        "Sagsfremstilling",
        "",
        "Baggrundstekst.",
    ).items
    assert [(d.date, d.outcome) for d in item.decisions] == [
        (dt.date(2019, 11, 25), DecisionOutcome.POSTPONED),
        (dt.date(2019, 12, 9), DecisionOutcome.APPROVED),
    ]
    assert [s.heading for s in item.sections] == ["Indstilling", "Sagsfremstilling"]


def test_text_before_the_first_heading_is_kept_with_a_warning() -> None:
    minutes = item_doc("Løs tekst.", "", "Baggrund", "", "Tekst.")
    assert [(s.kind, s.heading, s.text) for s in minutes.items[0].sections] == [
        (SectionKind.OTHER, "", "Løs tekst."),
        (SectionKind.BACKGROUND, "Baggrund", "Tekst."),
    ]
    assert minutes.warnings == (
        "line 9: agenda item 1: text before its first heading kept as OTHER",
    )


def test_a_bare_decision_heading_is_this_meetings_and_an_empty_one_is_left_out() -> None:
    minutes = item_doc(
        "Beslutning",
        "",
        "Taget til efterretning.",
        "",
        "Beslutning Direktionen den 25-11-2019",
        "",
        "Baggrund",
    )
    (decision,) = minutes.items[0].decisions
    assert (decision.body, decision.date, decision.outcome) == (
        "Direktionen",
        dt.date(2019, 12, 9),
        DecisionOutcome.NOTED,
    )
    assert minutes.warnings == ("line 13: agenda item 1: empty decision left out",)


def test_every_line_under_bilag_is_an_attachment() -> None:
    (item,) = item_doc(
        "Bilag",
        "",
        "kopi af Dagsordenpunkt_1_I - Sagsbehandlingstider 2. beh..docx",
        "Vision for Børnekulturhuset, vers. 11.05.17",
        "",
        "Budget.XLSX",
    ).items
    assert item.attachments == (
        Attachment("kopi af Dagsordenpunkt_1_I - Sagsbehandlingstider 2. beh.", "docx"),
        Attachment("Vision for Børnekulturhuset, vers. 11.05.17", None),
        Attachment("Budget", "xlsx"),
    )


# -- readable text ------------------------------------------------------------------------


def test_lists_paragraphs_and_tab_tables_stay_readable() -> None:
    (item,) = item_doc(
        "Baggrund",
        "",
        "Indledning  ",
        "fortsat linje",
        "",
        "",
        "1. første",
        "2. anden",
        " - a. underpunkt",
        "",
        "Beløb i 1.000 kr.\t2023\t2024",
        "2023-priser\t\t",
        "Samlet\t-3.000\t-4.000",
    ).items
    assert item.sections[0].text == (
        "Indledning\nfortsat linje\n\n1. første\n2. anden\n - a. underpunkt\n\n"
        "Beløb i 1.000 kr. | 2023 | 2024\n2023-priser\nSamlet | -3.000 | -4.000"
    )


def test_html_fragments_become_clean_lines() -> None:
    (item,) = item_doc(
        "Sagsfremstilling",
        "",
        "Center\t<p>Status</p> <p>Ønsker om wifi - LØST</p>",
        "CEIS\t<p>PC er langsom &amp; tung</p> <p>Acadre &lt; 5 sek.</p>",
        '1. juni\tStart\tTemaer: <ul style="x">• Byggeri• IT</ul>',
    ).items
    assert item.sections[0].text == (
        "Center | Status\nØnsker om wifi - LØST\nCEIS | PC er langsom & tung\nAcadre < 5 sek.\n"
        "1. juni | Start | Temaer:\n- Byggeri\n- IT"
    )


def test_a_paragraph_cut_by_a_page_break_is_mended() -> None:
    (item,) = item_doc(
        "Baggrund",
        "",
        "ca. 54 pct. på landsplan. Høje-",
        "",
        "Taastrup Kommune har, som kræver opmærksomhed,",
        "",
        "registreres de.",
        "",
        "Ny sætning.",
    ).items
    assert item.sections[0].text == (
        "ca. 54 pct. på landsplan. Høje-Taastrup Kommune har, som kræver opmærksomhed, "
        "registreres de.\n\nNy sætning."
    )


# -- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "test.txt: line 1: empty document"),
        ("  \n\t\n", "test.txt: line 1: empty document"),
        ("\n\nHej med dig\nPunkt 1: x\n", "test.txt: line 3: not minutes or an agenda"),
        ("REFERAT Direktionen d. 31-02-2019\n", "test.txt: line 1: impossible date in header"),
        ("REFERAT\x00 Direktionen", "test.txt: line 1: binary data"),
    ],
)
def test_not_minutes_raises_with_source_line_and_reason(text: str, message: str) -> None:
    with pytest.raises(MinutesFormatError) as caught:
        parse(text)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_lines_before_the_header_are_skipped_with_a_warning() -> None:
    minutes = parse("Høje-Taastrup Kommune\n\nREFERAT Direktionen d. 09-12-2019\n\nPunkt 1: A\n")
    assert minutes.body == "Direktionen"
    assert minutes.warnings[0] == "line 3: 1 line(s) before the header ignored"


# -- organization -------------------------------------------------------------------------


def test_the_letterhead_names_the_organization() -> None:
    minutes = parse("REGION MIDTJYLLAND\n\n" + HEADER + "Punkt 1: Titel\n\n19/227\n")
    assert minutes.organization == "Region Midtjylland"
    assert minutes.warnings[0] == "line 3: 1 line(s) before the header ignored"


def test_an_organization_mentioned_after_the_header_is_not_the_documents() -> None:
    minutes = parse(HEADER + "Mødested Herning Kommune\n\nRoskilde Kommune\n\nPunkt 1: Titel\n")
    assert minutes.organization is None
    assert parse(HEADER + "Punkt 1: Titel\n").organization is None


def test_a_contents_title_that_wraps_onto_its_entrys_line_is_one_title() -> None:
    minutes = parse(
        HEADER + "Indholdsfortegnelse\n\nTemadrøftelse om udviklingen på\n"
        "myndighedsområdet, herunder\nsagsbehandlingstider.....\t4\nØvrige sager.....\t6\n\n"
        "Punkt 1: Temadrøftelse om udviklingen på myndighedsområdet, herunder "
        "sagsbehandlingstider\n\n19/227\n\nPunkt 2: Øvrige sager\n\n19/228\n"
    )
    assert [item.page for item in minutes.items] == [4, 6]
    assert minutes.warnings == ()
