"""Each layout part seen in real documents, read through the whole parser.

One test a part, with the forms issue #13 lists: headers, written dates and times, the
preamble's labels, item headings, case numbers, section headings, decisions, closed
items, web furniture, and the honest failures.
"""

from __future__ import annotations

import datetime as dt

import pytest

from api.loaders import MinutesFormatError, parse_minutes
from api.loaders.layouts.sections import SECTION_HEADINGS
from api.loaders.records import DocumentKind, Minutes, Participant, SectionKind

D = dt.date
HEAD = "Byrådet - Referat\n\nDato: 2. maj 2023\n\n"
TIMED = "Byrådet - Referat\n\nDato: 2. maj 2023 kl. 16\n\n"
ITEM = "\n\n1. Godkendelse af dagsorden\n\nSagsnr.: 19/227\n\nBeslutning\n\nGodkendt.\n"


def parse(text: str, source: str = "test.txt") -> Minutes:
    return parse_minutes(text, source=source)


@pytest.mark.parametrize(
    ("head", "kind", "body", "date"),
    [
        ("REFERAT Direktionen d. 23-05-2023", "MINUTES", "Direktionen", D(2023, 5, 23)),
        ("Beslutningsprotokol\n\nUdvalg: Børneudvalget\nDato: 2. maj 2023", "MINUTES",
         "Børneudvalget", D(2023, 5, 2)),
        ("Referat fra møde i Byrådet tirsdag den 2. maj 2023", "MINUTES", "Byrådet",
         D(2023, 5, 2)),
        ("Teknik- og Miljøudvalget – Referat – 1. oktober 2018", "MINUTES",
         "Teknik- og Miljøudvalget", D(2018, 10, 1)),
        ("Byrådet - Referat\n\nDato: 29. januar 2020", "MINUTES", "Byrådet", D(2020, 1, 29)),
        ("Møde i Økonomiudvalget den 3. maj 2021\nREFERAT", "MINUTES", "Økonomiudvalget",
         D(2021, 5, 3)),
        ("Dagsorden til mødet i Regionsrådet den 1. februar 2023 kl. 09:00", "AGENDA",
         "Regionsrådet", D(2023, 2, 1)),
        ("UDVALG\n\nSocialudvalget\n\nMØDE\n\nDagsorden\n\nSTARTTIDSPUNKT\n\n"
         "04-06-2020 09:00:00", "AGENDA", "Socialudvalget", D(2020, 6, 4)),
    ],
)  # fmt: skip
def test_headers_of_the_agenda_systems(head: str, kind: str, body: str, date: dt.date) -> None:
    minutes = parse(head + ITEM)
    assert (minutes.kind.value, minutes.body, minutes.date) == (kind, body, date)


def test_portal_text_letterheads_and_cookie_banners_before_the_header_are_skipped() -> None:
    minutes = parse(
        "Vi bruger cookies til statistik. Accepter cookies?\n\nAbonnér\n\n"
        "Frederiksberg Kommune\n\nByrådet - Referat\n\nDato: 29. januar 2020" + ITEM
    )
    assert (minutes.organization, minutes.body) == ("Frederiksberg Kommune", "Byrådet")


@pytest.mark.parametrize(
    ("written", "date", "time"),
    [
        ("onsdag den 11. august 2021 kl. 09:00", D(2021, 8, 11), dt.time(9, 0)),
        ("1. oktober 2018", D(2018, 10, 1), None),
        ("15-maj-2002 kl. 16.30", D(2002, 5, 15), dt.time(16, 30)),
        ("04-06-2020 09:00:00", D(2020, 6, 4), dt.time(9, 0)),
    ],
)
def test_dates_and_times_written_out(written: str, date: dt.date, time: dt.time | None) -> None:
    minutes = parse(f"Byrådet - Referat\n\nDato: {written}" + ITEM)
    assert minutes.date == date
    assert (minutes.starts_at.timetz().replace(tzinfo=None) if minutes.starts_at else None) == time


def test_a_labels_value_ends_where_the_next_label_begins() -> None:
    minutes = parse(
        "Byrådet - Referat\n\nDato: 2. maj 2023\nMødested: Rådhuset, lokale 2\n"
        "Udvalg: Byrådet\nMedlemmer: Anna Holm (A), Bo Lund (V)\nTidspunkt: kl. 16.30" + ITEM
    )
    assert minutes.location == "Rådhuset, lokale 2"
    assert minutes.participants == (
        Participant("Anna Holm", None, "A"),
        Participant("Bo Lund", None, "V"),
    )
    assert minutes.starts_at is not None and minutes.starts_at.hour == 16


def test_members_one_a_line_with_parties_roles_and_absentees_for_a_range_of_items() -> None:
    minutes = parse(
        "Kommunalbestyrelsen\n\n24-09-2019\n\nMedlemmer\n\nFormand Erik Nielsen (A)\n"
        "Mogens Brauer (C)\nBirgitte Glifberg (A), Suppleant for Brian Møller (A)\n\n"
        "Ikke til stede\n\nBrian Møller (A), sag 129-130\n\n"
        "Spørgetid\nSag nr. 129\n\nBeslutning\n\nTaget til efterretning.\n"
    )
    assert minutes.participants == (
        Participant("Erik Nielsen", "Formand", "A"),
        Participant("Mogens Brauer", None, "C"),
        Participant("Birgitte Glifberg", "Suppleant for Brian Møller (A)", "A"),
    )
    assert minutes.absentees == (Participant("Brian Møller", None, "A"),)
    assert [(i.number, i.title) for i in minutes.items] == [(129, "Spørgetid")]


@pytest.mark.parametrize("label", ["Afbud", "Fraværende", "Fraværende med afbud", "Ikke til stede"])
def test_absentee_labels(label: str) -> None:
    minutes = parse(f"Byrådet - Referat\n\nDato: 2. maj 2023\n{label}: Ib Holm og Lone Kjær" + ITEM)
    assert minutes.absentees == (Participant("Ib Holm"), Participant("Lone Kjær"))


@pytest.mark.parametrize(
    "heading",
    ["1. Budget 2024", "1.Budget 2024", "• 1. Budget 2024", "Nr. 1 - Budget 2024",
     "Punkt 1: Budget 2024", "Pkt. 1 Budget 2024"],
)  # fmt: skip
def test_item_headings(heading: str) -> None:
    minutes = parse(HEAD + f"{heading}\n\nSagsnr.: 23/9\n\nSagsfremstilling\n\nTekst.\n")
    assert [(i.number, i.title, i.case_number) for i in minutes.items] == [
        (1, "Budget 2024", "23/9")
    ]


def test_numbered_lines_of_an_item_are_not_items() -> None:
    minutes = parse(
        TIMED + "49. Godkendelse af dagsorden\n\n"
        "Indstilling\n\nAdministrationen indstiller,\n\n1. at dagsordenen godkendes\n"
        "2. At referatet underskrives\n\nBeslutning\n\nGodkendt.\n\n"
        "50. Budget\n\nSagsfremstilling\n\nTekst.\n"
    )
    assert [i.number for i in minutes.items] == [49, 50]  # running numbers: no warning
    assert minutes.warnings == ()
    assert "1. at dagsordenen godkendes" in minutes.items[0].sections[0].text


def test_a_title_then_sag_nr_numbers_the_item() -> None:
    minutes = parse(HEAD + "Lokalplan 145\nSag nr. 130\n\nBeslutning\n\nGodkendt.\n")
    assert [(i.number, i.title, i.case_number) for i in minutes.items] == [
        (130, "Lokalplan 145", None)
    ]


@pytest.mark.parametrize(
    ("line", "number"),
    [
        ("19/227", "19/227"),
        ("Sagsnr.: 330-2018-3619", "330-2018-3619"),
        ("Sagsid.: 20/33839, Sagsinitialer: AGVA", "20/33839"),
        ("Sagsnummer: 19/2484", "19/2484"),
        ("Sagnr.: 1-51-71-3321-08", "1-51-71-3321-08"),
        ("Dok.nr.:", None),
        ("J.nr.:", None),
    ],
)
def test_case_numbers(line: str, number: str | None) -> None:
    text = HEAD + f"1. Budget\n\n{line}\n\nSagsfremstilling\n\nTekst.\n"
    assert parse(text).items[0].case_number == number


def test_a_case_number_before_the_heading_is_the_items() -> None:
    minutes = parse(
        HEAD + "Sagnr.: 1-51-71-3321-08\n\n1. Budget\n\n"
        "Resume\n\nTekst.\n\nSagnr.: 1-30-72-154-19\n\n2. Plan\n\nResume\n\nTekst.\n"
    )
    assert [(i.number, i.case_number) for i in minutes.items] == [
        (1, "1-51-71-3321-08"),
        (2, "1-30-72-154-19"),
    ]
    assert minutes.items[0].sections[0].text == "Tekst."


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("Sagens kerne", SectionKind.OTHER),
        ("Beslutningstema", SectionKind.OTHER),
        ("Administrativ indstilling", SectionKind.RECOMMENDATION),
        ("Beskrivelse af sagen", SectionKind.PRESENTATION),
        ("Økonomiske konsekvenser", SectionKind.ECONOMY),
        ("Økonomi og afledt drift", SectionKind.ECONOMY),
        ("Retsregler og andre forskrifter", SectionKind.OTHER),
    ],
)
def test_section_headings_of_other_systems(heading: str, kind: SectionKind) -> None:
    minutes = parse(HEAD + f"1. Budget\n\n{heading}\n\nTekst.\n")
    assert [(s.kind, s.heading, s.text) for s in minutes.items[0].sections] == [
        (kind, heading, "Tekst.")
    ]
    assert SECTION_HEADINGS[heading.casefold()] is kind


@pytest.mark.parametrize(
    ("heading", "body", "date"),
    [
        ("Beslutning Direktionen den 01-05-2023", "Direktionen", D(2023, 5, 1)),
        ("Beslutning i Økonomiudvalget den 1. oktober 2018:", "Økonomiudvalget", D(2018, 10, 1)),
        ("Beslutning", "Byrådet", D(2023, 5, 2)),
        ("Beslutning:", "Byrådet", D(2023, 5, 2)),
        ("Økonomiudvalget, 18. september 2019, pkt. 153:", "Økonomiudvalget", D(2019, 9, 18)),
        ("Økonomiudvalgets beslutning i mødet den 31. marts 2020", "Økonomiudvalget",
         D(2020, 3, 31)),
    ],
)  # fmt: skip
def test_decision_headings(heading: str, body: str, date: dt.date) -> None:
    minutes = parse(HEAD + f"1. Budget\n\n{heading}\n\nIndstilles godkendt.\n")
    (decision,) = minutes.items[0].decisions
    assert (decision.body, decision.date, decision.text) == (body, date, "Indstilles godkendt.")


@pytest.mark.parametrize(
    "title",
    ["Lukket", "Lukket punkt", "Lukket sag", "Lukket.", "Lukket: Køb af jord",
     "Lukket - Køb af jord", "Lukket (personsag)", "(Lukket) Køb af jord",
     "Køb af jord (lukket)", "Lukket sag: Køb af jord", "LUKKET MØDE"],
)  # fmt: skip
def test_closed_items_keep_nothing_but_their_heading(title: str) -> None:
    minutes = parse(
        HEAD + f"1. {title}\n\nSagsnr.: 23/1\n\n"
        "Sagsfremstilling\n\nHemmeligt.\n\nBeslutning\n\nGodkendt.\n"
    )
    (item,) = minutes.items
    assert (item.is_closed, item.title, item.sections, item.decisions) == (True, title, (), ())


def test_a_closed_title_wrapped_over_two_lines_and_a_closed_part() -> None:
    minutes = parse(
        HEAD
        + "1. Lukket sag: Salg af erhvervsgrunden ved Hindsgavl Allé til\nNordic Logistik A/S\n\n"
        "Sagsnr.: 23/1\n\nSagsfremstilling\n\nHemmeligt.\n\nLUKKET MØDE\n\n2. Personsag\n\n"
        "Sagsnr.: 23/2\n\nSagsfremstilling\n\nHemmeligt.\n"
    )
    assert [(i.title, i.is_closed, i.sections) for i in minutes.items] == [
        (
            "Lukket sag: Salg af erhvervsgrunden ved Hindsgavl Allé til Nordic Logistik A/S",
            True,
            (),
        ),
        ("Personsag", True, ()),
    ]


def test_web_furniture_is_dropped() -> None:
    minutes = parse(
        TIMED + "Fold alle ud\n\nIndholdsfortegnelse1. Budget\n\n"
        "Udskriv\n\nSagsnr.: 23/9\n\nSagsfremstilling\n\nTekst.\n\nTil toppen\n\nBilag\n\n"
        "Budget.pdf application/pdf icon\n"
    )
    (item,) = minutes.items
    assert (item.number, item.title, item.sections[0].text) == (1, "Budget", "Tekst.")
    assert [(a.title, a.file_extension) for a in item.attachments] == [("Budget", "pdf")]
    assert minutes.warnings == ()


def test_a_header_without_agenda_items_is_refused() -> None:
    with pytest.raises(MinutesFormatError, match=r"^x\.txt: line 1: no agenda items found"):
        parse(HEAD + "Ingen sager.\n", source="x.txt")


def test_a_document_that_names_no_body_is_refused() -> None:
    with pytest.raises(MinutesFormatError, match=r"^x\.txt: line 1: no body"):
        parse("Referat\n\nDato: 2. maj 2023" + ITEM, source="x.txt")


def test_the_date_of_a_document_that_lost_it_comes_from_its_name() -> None:
    text = "REFERAT Byrådet\n\nMødedato: Torsdag den" + ITEM
    minutes = parse(text, source="archive/byraadet_2008-03-27.txt")
    assert minutes.date == D(2008, 3, 27)
    assert "line 1: no date in the document; 2008-03-27 from its name" in minutes.warnings
    with pytest.raises(MinutesFormatError, match="no meeting date"):
        parse(text, source="byraadet.txt")


def test_unplaced_text_becomes_warnings_with_line_numbers() -> None:
    minutes = parse(TIMED + "Se også vores nyhedsbrev" + ITEM)
    assert minutes.warnings == (
        "line 5: unrecognised line before the first agenda item: 'Se også vores nyhedsbrev'",
    )
    assert minutes.kind is DocumentKind.MINUTES


def test_an_indented_portal_page_with_file_links_and_committees_quoted_by_item() -> None:
    minutes = parse(
        "Kommunalbestyrelsen - Referat\n\nDato: 22. januar 2020 kl. 17\n\n"
        "  • 301. Godkendelse af dagsorden\n\n    Resume\n\n    Dagsordenen.\n\n"
        "    Beslutning\n\n    Godkendt.\n\n"
        "  • 302. Planstrategi\n\n    application/pdf icon udkast_planstrategi.pdf\n\n"
        "    Indstilling\n\n    Forvaltningen indstiller, at\n\n"
        "    1. Planstrategien godkendes.\n\n"
        "    303. Udvalget anbefaler planen.\n\n"  # a numbered line further in: not an item
        "    Social og Sundhed, 6. januar 2020, pkt. 123:\n\n    Anbefales.\n\n"
        "    Beslutning\n\n    Godkendt.\n"
    )
    assert [(i.number, i.title) for i in minutes.items] == [
        (301, "Godkendelse af dagsorden"),
        (302, "Planstrategi"),
    ]
    plan = minutes.items[1]
    assert [(a.title, a.file_extension) for a in plan.attachments] == [
        ("udkast_planstrategi", "pdf")
    ]
    assert [(d.body, d.date, d.outcome.value) for d in plan.decisions] == [
        ("Social og Sundhed", D(2020, 1, 6), "RECOMMENDED"),
        ("Kommunalbestyrelsen", D(2020, 1, 22), "APPROVED"),
    ]
    assert minutes.warnings == ()


def test_sag_alone_with_a_number_is_a_case_number() -> None:
    minutes = parse(HEAD + "1. Spørgetid\n\nSag 306-2009-600\n\nSagsfremstilling\n\nTekst.\n")
    assert minutes.items[0].case_number == "306-2009-600"


def test_unplaced_lines_are_warned_of_twenty_at_most() -> None:
    noise = "\n\n".join(f"Nyhed nummer {n}" for n in range(30))
    minutes = parse(TIMED + noise + ITEM)
    assert len(minutes.warnings) == 21
    assert minutes.warnings[-1].endswith(
        "more unrecognised lines before the first agenda item not listed"
    )


def test_a_letterhead_right_above_the_kind_is_the_organization_not_the_body() -> None:
    minutes = parse("Frederiksberg Kommune\nReferat\n\nUdvalg: Byrådet\nDato: 2. maj 2023" + ITEM)
    assert (minutes.organization, minutes.body) == ("Frederiksberg Kommune", "Byrådet")


def test_a_quoted_decision_does_not_date_the_meeting() -> None:
    minutes = parse(
        "Referat\n\nUdvalg: Byrådet\n\n1. Budget\n\nSagsnr.: 23/1\n\n"
        "Økonomiudvalget, 18. september 2019, pkt. 153:\n\nAnbefales.\n\n"
        "Byrådets beslutning den 24. september 2019\n\nGodkendt.\n"
    )
    assert (minutes.body, minutes.date) == ("Byrådet", D(2019, 9, 24))
    assert [(d.body, d.date) for d in minutes.items[0].decisions] == [
        ("Økonomiudvalget", D(2019, 9, 18)),
        ("Byrådet", D(2019, 9, 24)),
    ]


def test_an_item_the_contents_list_as_closed_keeps_nothing() -> None:
    minutes = parse(
        TIMED + "Indholdsfortegnelse\n\n1. Budget\n\nLukkede punkter\n\n2. Personsag\n\n"
        "1. Budget\n\nSagsnr.: 23/1\n\nSagsfremstilling\n\nTekst.\n\n"
        "2. Personsag\n\nSagsnr.: 23/2\n\nSagsfremstilling\n\nHemmeligt.\n"
    )
    assert [(i.number, i.is_closed, i.sections) for i in minutes.items][1] == (2, True, ())


def test_the_contents_confirm_headings_and_unmask_numbered_lines() -> None:
    minutes = parse(
        TIMED + "INDHOLDSFORTEGNELSE\n1. GODKENDELSE AF DAGSORDEN\n2. BUDGET\n\n"
        "1. GODKENDELSE AF DAGSORDEN\n\nREGIONSRÅDETS BESLUTNING\nGodkendt.\n\n"
        "2. BUDGET\n\nINDSTILLING\n\nAdministrationen indstiller:\n\n"
        "1. Godkendelse af budgettet sker i juni\n\nSAGSFREMSTILLING\n\nTekst.\n\n"
        "FORRETNINGSUDVALGETS BESLUTNING\nAnbefalet.\n"
    )
    assert [(i.number, i.title) for i in minutes.items] == [
        (1, "GODKENDELSE AF DAGSORDEN"),
        (2, "BUDGET"),
    ]
    assert [(d.body, d.outcome.value) for i in minutes.items for d in i.decisions] == [
        ("Regionsrådet", "APPROVED"),  # capitals written as a name
        ("Forretningsudvalget", "RECOMMENDED"),
    ]


@pytest.mark.parametrize(
    ("headings", "numbers"),
    [
        # Item 2 has no heading or case number after it: it lies between 1 and 3.
        ("Pkt. 1 Dagsorden\n\nSagsfremstilling\n\nTekst.\n\nPkt. 2 Orientering\n\nTekst.\n\n"
         "Pkt. 3 Budget\n\nSagsfremstilling\n\nTekst.\n", [1, 2, 3]),
        ("Pkt. 12\nGodkendelse af dagsorden\n\nBeslutning\n\nGodkendt.\n", [12]),
        ("Dagsorden:\n1. Dagsorden\n2. Eventuelt\n\nAd 1. Dagsorden\nGodkendt.\n\n"
         "Ad 2. Eventuelt\nIntet.\n", [1, 2]),
    ],
)  # fmt: skip
def test_headings_of_word_exports(headings: str, numbers: list[int]) -> None:
    minutes = parse(TIMED + headings)
    assert [i.number for i in minutes.items] == numbers
    assert all(i.title for i in minutes.items)


def test_the_body_above_a_kind_word_and_values_that_stop_at_another_label() -> None:
    minutes = parse(
        "Aalborg Kommune\n\nBy- og Landskabsudvalget\nReferat\n\nDato: 12. september 2023\n"
        "Tidspunkt: kl. 8.30\nAfbud: Per Clausen (Ø)\nStedfortrædere: Ida Holm (Ø)\n" + ITEM
    )
    assert (minutes.organization, minutes.body) == ("Aalborg Kommune", "By- og Landskabsudvalget")
    assert minutes.absentees == (Participant("Per Clausen", None, "Ø"),)


def test_an_item_title_ending_in_dagsorden_is_no_header() -> None:
    minutes = parse(
        "REFERAT\nfra ordinært møde i Kommunalbestyrelsen\nonsdag den 15. juni 2022 kl. 19.00\n\n"
        "Pkt. 45 Godkendelse af dagsorden\n\nBeslutning\n\nGodkendt.\n"
    )
    assert (minutes.body, minutes.items[0].decisions[0].body) == ("Kommunalbestyrelsen",) * 2


def test_a_list_of_open_and_closed_cases_closes_the_cases_under_it() -> None:
    minutes = parse(
        TIMED + "Sager på åbent møde\n101. Spørgetid\n102. Budget\nSager på lukket møde\n"
        "103. Køb af ejendom\n\n101. Spørgetid\nBeslutning\nIngen spørgsmål.\n\n"
        "102. Budget\nBeslutning\nGodkendt.\n\n103. Køb af ejendom\nBeslutning\nGodkendt.\n"
    )
    assert [(i.number, i.is_closed, i.decisions == ()) for i in minutes.items] == [
        (101, False, False),
        (102, False, False),
        (103, True, True),
    ]
