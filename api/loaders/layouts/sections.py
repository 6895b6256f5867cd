"""Section headings inside an agenda item, and what each means.

Typed where the heading means one of the four kinds users filter by; any other
standard heading is OTHER and keeps its words. A line that is not in this table,
however heading-like ("Tidsplan", "## Igangsætning"), is text of the current section.
"""

from __future__ import annotations

from api.loaders.records import SectionKind

_B, _R, _P, _E, _O = (
    SectionKind.BACKGROUND,
    SectionKind.RECOMMENDATION,
    SectionKind.PRESENTATION,
    SectionKind.ECONOMY,
    SectionKind.OTHER,
)

SECTION_HEADINGS: dict[str, SectionKind] = {
    "baggrund": _B,
    "baggrund for sagen": _B,
    "sagens baggrund": _B,
    "indstilling": _R,
    "indstillinger": _R,
    "administrativ indstilling": _R,
    "administrationens indstilling": _R,
    "forvaltningens indstilling": _R,
    "direktionens indstilling": _R,
    "indstilling fra direktionen": _R,
    "forslag til beslutning": _R,
    "indstilling og beslutning": _R,
    "beslutningspunkter": _R,
    "sagsfremstilling": _P,
    "beskrivelse af sagen": _P,
    "sagsbeskrivelse": _P,
    "sagsfremstilling og vurdering": _P,
    "økonomi": _E,
    "økonomiske konsekvenser": _E,
    "økonomi og afledt drift": _E,
    "økonomi og finansiering": _E,
    "økonomiske forhold": _E,
    "bevillingsmæssige konsekvenser": _E,
    "afsnit uden overskrift": _O,
    "resumé": _O,
    "resume": _O,
    "sagens kerne": _O,
    "beslutningstema": _O,
    "beslutningskompetence": _O,
    "sagsgang og sagstype": _O,
    "lovgrundlag": _O,
    "retsgrundlag": _O,
    "retsregler og andre forskrifter": _O,
    "personalemæssige konsekvenser": _O,
    "personale": _O,
    "kommunikation": _O,
    "høring": _O,
    "høringer": _O,
    "vurdering": _O,
    "administrationens vurdering": _O,
    "videre proces": _O,
    "tidligere behandling": _O,
    "sagens tidligere behandling": _O,
    "tidligere beslutninger": _O,
    "supplerende sagsfremstilling": _O,
    "miljøvurdering": _O,
    "borgerinddragelse": _O,
    "problemstilling": _O,
    "løsning": _O,
    "politisk behandling": _O,
    "tidsplan og videre proces": _O,
    "direktørpåtegning": _O,
    "effektvurdering": _O,
}
ATTACHMENT_HEADINGS = frozenset({"bilag", "bilagsfortegnelse", "bilag til punktet"})
LONGEST_HEADING = max(map(len, (*SECTION_HEADINGS, *ATTACHMENT_HEADINGS)))
