"""Other municipalities' real minutes, read as a careful reader reads them.

An oracle beside the golden files: the facts tests/real_minutes/README.md lists for each
document (participants, absentees, items, case numbers, decisions with body and date,
outcomes), written down by hand from the documents themselves.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from api.loaders import parse_minutes, read_document
from api.loaders.records import DecisionOutcome, DocumentKind, Minutes, Participant, SectionKind
from tests.paths import REAL_MINUTES

D = dt.date
R = DecisionOutcome


@cache
def read(stem: str) -> Minutes:
    (path,) = REAL_MINUTES.glob(f"{stem}*.txt")
    return parse_minutes(read_document(path), source=f"real-minutes/{path.name}")


def decisions(minutes: Minutes) -> list[tuple[int, str, dt.date, DecisionOutcome]]:
    return [
        (item.number, d.body, d.date, d.outcome) for item in minutes.items for d in item.decisions
    ]


def test_aabenraa_beslutningsprotokol_with_lost_item_headings() -> None:
    minutes = read("01_aabenraa")
    assert (minutes.kind, minutes.body, minutes.date) == (
        DocumentKind.MINUTES,
        "Teknik- og Miljøudvalget",
        D(2021, 8, 11),
    )
    assert minutes.starts_at is not None and minutes.starts_at.hour == 9
    assert minutes.location == "Lokale 412, Skelbækvej"
    assert [p.name for p in minutes.participants] == [
        "Arne Leyh Petersen", "Kurt Andresen", "Eivind Underbjerg Hansen", "Thomas Juhl",
        "Jan Riber Jakobsen", "Christian Panbo", "Egon Madsen",
    ]  # fmt: skip
    # Each item starts at its "Sagsid.: N, Sagsinitialer: X"; the titles were lost.
    assert [(i.number, i.title, i.case_number) for i in minutes.items] == [
        (1, "", "20/33839"),
        (2, "", "20/35762"),
    ]
    assert decisions(minutes) == [(1, "Teknik- og Miljøudvalget", D(2021, 8, 11), R.APPROVED)]
    text = "\n".join(s.text for i in minutes.items for s in i.sections)
    assert "Udskriv" not in text


def test_holbaek_label_value_pairs_and_items_49_to_58() -> None:
    minutes = read("04_holbaek")
    assert (minutes.kind, minutes.body, minutes.date) == (
        DocumentKind.MINUTES,
        "Udvalget for Ældre og Sundhed",
        D(2020, 6, 4),
    )
    assert minutes.starts_at == dt.datetime.fromisoformat("2020-06-04T09:00:00+02:00")
    assert minutes.location == "Kanalstræde 2, mødelokale 0.21"
    assert [i.number for i in minutes.items] == list(range(49, 59))
    first, second = minutes.items[:2]
    assert first.title == "Godkendelse af dagsorden til mødet den 4. juni 2020"
    assert [s.kind for s in second.sections] == [
        SectionKind.OTHER,
        SectionKind.RECOMMENDATION,
        SectionKind.PRESENTATION,
    ]
    # "1. dagsorden for mødet …" is a point of the recommendation, not an item.
    assert "1. dagsorden for mødet den 4. juni bliver godkendt" in first.sections[1].text
    assert decisions(minutes) == [(49, "Udvalget for Ældre og Sundhed", D(2020, 6, 4), R.APPROVED)]
    assert not any("out of sequence" in w for w in minutes.warnings)


def test_broenderslev_absentees_in_item_one_and_bare_decisions() -> None:
    minutes = read("06_bronderslev")
    assert (minutes.body, minutes.date, minutes.location) == (
        "Byrådet",
        D(2020, 1, 29),
        "Byrådssalen, Brønderslev Rådhus",
    )
    assert minutes.starts_at is not None and minutes.starts_at.hour == 19
    assert minutes.absentees == (
        Participant("Martin Bech"),
        Participant("Bettina Bøcker Kjeldsen"),
        Participant("Niels Vestergaard Salling"),
    )
    assert [(i.number, i.title) for i in minutes.items] == [
        (1, "Fraværende"),  # the glued "Indholdsfortegnelse" link text is gone
        (2, "Bemærkninger/ændringer til dagsordenen"),
        (3, "Godkendelse af indkaldte stedfortrædere"),
        (4, "Spørgetid for byrådsmedlemmer"),
    ]
    assert [(n, body, day) for n, body, day, _ in decisions(minutes)] == [
        (n, "Byrådet", D(2020, 1, 29)) for n in (1, 2, 3, 4)
    ]
    assert decisions(minutes)[2][3] is R.APPROVED
    assert minutes.warnings == ()


def test_roedovre_sag_nr_items_members_and_quoted_decisions() -> None:
    minutes = read("07_roedovre")
    assert (minutes.body, minutes.date) == ("Kommunalbestyrelsen", D(2019, 9, 24))
    assert len(minutes.participants) == 20
    assert minutes.participants[0] == Participant("Erik Nielsen", "Formand", "A")
    assert minutes.participants[-1] == Participant(
        "Birgitte Glifberg", "Suppleant for Brian Møller (A)", "A"
    )
    assert minutes.absentees == (
        Participant("Britt Jensen", None, "A"),
        Participant("Brian Møller", None, "A"),
    )
    assert [(i.number, i.title, i.case_number) for i in minutes.items] == [
        (129, "Spørgetid", None),  # "Sag nr. 129" numbers the item, it is no case number
        (
            130,
            "Tillæg 1 til Lokalplan 145 Udvidelse af delområde F og G - endelig vedtagelse",
            None,
        ),
    ]
    assert decisions(minutes) == [
        (129, "Kommunalbestyrelsen", D(2019, 9, 24), R.NOTED),
        (130, "Teknik- og Miljøudvalget", D(2019, 9, 10), R.RECOMMENDED),
        (130, "Økonomiudvalget", D(2019, 9, 18), R.RECOMMENDED),
        (130, "Kommunalbestyrelsen", D(2019, 9, 24), R.APPROVED),
    ]


def test_koebenhavn_single_item_page_with_the_meeting_inside_its_decision() -> None:
    minutes = read("11_kk")
    assert (minutes.kind, minutes.body, minutes.date) == (
        DocumentKind.MINUTES,
        "Økonomiudvalget",
        D(2020, 3, 31),
    )
    assert minutes.starts_at == dt.datetime.fromisoformat("2020-03-31T15:30:00+02:00")
    assert minutes.absentees == ()  # "Fraværende med afbud: Ingen."
    assert len(minutes.participants) == 13
    assert minutes.participants[0] == Participant("Frank Jensen", "Overborgmester", "A")
    assert minutes.participants[7] == Participant("Franciska Rosenkilde", "Borgmester", "Å")
    assert [(i.number, i.title) for i in minutes.items] == [(1, "Godkendelse af dagsorden")]
    assert decisions(minutes) == [(1, "Økonomiudvalget", D(2020, 3, 31), R.APPROVED)]
    assert "Dagsordenspunkt 1" not in minutes.items[0].decisions[0].text


def test_haderslev_transcript_without_a_date() -> None:
    minutes = read("13_haderslev")
    assert (minutes.body, minutes.date, minutes.location) == (
        "Byrådet",
        D(2008, 3, 27),  # from the file name: the text says only "Torsdag den"
        "Byrådssalen",
    )
    assert minutes.starts_at is not None and minutes.starts_at.hour == 17
    # "Afbud:" and "Fraværende:" are empty; the remarks' partial absences are not absences.
    assert (minutes.participants, minutes.absentees) == ((), ())
    assert [(i.number, i.is_closed) for i in minutes.items] == [(342, False), (367, True)]
    assert minutes.items[0].title.startswith("Fritagelse / genbesættelse af udvalgsposter")
    assert any("no date in the document; 2008-03-27 from its name" in w for w in minutes.warnings)


def test_lejre_transcript_with_the_body_name_dropped() -> None:
    minutes = read("15_lejre")
    assert (minutes.body, minutes.date) == ("Kommunalbestyrelsen", D(2017, 4, 24))
    assert minutes.starts_at is not None and minutes.starts_at.hour == 18
    assert minutes.location == "Rådssalen, Lejrevej 15, 4320, Allerslev"
    (item,) = minutes.items
    assert (item.number, item.title, item.case_number) == (1, "KB - Spørgetid", "17/46")
    assert [s.heading for s in item.sections] == [
        "Resumé",
        "Indstilling",
        "Beslutningskompetence",
        "Sagsfremstilling",
    ]
    assert decisions(minutes) == [(1, "Kommunalbestyrelsen", D(2017, 4, 24), R.OTHER)]
    assert item.decisions[0].text.startswith("Der var ingen spørgsmål.")


def test_region_midtjylland_agenda_with_its_case_number_above_the_heading() -> None:
    minutes = read("17_regionmidt")
    assert (minutes.kind, minutes.body, minutes.date) == (
        DocumentKind.AGENDA,
        "Udvalg for regional udvikling",
        D(2023, 2, 1),
    )
    assert minutes.starts_at == dt.datetime.fromisoformat("2023-02-01T09:00:00+01:00")
    assert minutes.location == "Herning Kommune, Torvet 5, 7400 Herning"
    (item,) = minutes.items
    assert (item.number, item.case_number) == (1, "1-51-71-3321-08")
    assert item.title == "Miljøstyrelsens afgørelse om at ophæve påbud om afværgetiltag på Rønland"
    assert [s.kind for s in item.sections] == [
        SectionKind.OTHER,
        SectionKind.RECOMMENDATION,  # "Direktionen indstiller, at …" without a heading
        SectionKind.PRESENTATION,
    ]
    assert item.sections[1].text.startswith("Direktionen indstiller")
    assert item.decisions == ()  # an agenda has none
    assert minutes.warnings == ()
