"""Organizations: the municipality or region whose minutes a document is.

A document names its organization in its letterhead, a line of the name alone before
its header ("Høje-Taastrup Kommune", "REGION MIDTJYLLAND"); a mention in running text
("i Herning Kommune, Torvet 5") is not the document's organization.
"""

from __future__ import annotations

import re

from api.loaders.records import OrganizationKind

# One to three capitalised words before "Kommune"/"Regionskommune", or "Region" and one
# capitalised word: Københavns Kommune, Ringkøbing-Skjern Kommune, Bornholms
# Regionskommune, Region Hovedstaden. Case-insensitive, for letterheads in capitals.
_WORD = r"[A-ZÆØÅ][\wæøåÆØÅ]*(?:-[A-ZÆØÅ][\wæøåÆØÅ]*)*"
_LETTERHEAD = re.compile(
    rf"^(?:(?:{_WORD}\s+){{1,3}}(?:Regions)?Kommune|Region\s+{_WORD})$", re.IGNORECASE
)
_CAPITALISED = re.compile(rf"^{_WORD}$")


def letterhead_organization(line: str) -> str | None:
    """The organization's name if ``line`` is that name alone, else None."""
    candidate = " ".join(line.split())
    if _LETTERHEAD.match(candidate) is None:
        return None
    if candidate.isupper():
        candidate = candidate.title()
    # Each word capitalised as names are: "i Herning Kommune" is a phrase, not a name.
    if not all(_CAPITALISED.match(word) for word in candidate.split()):
        return None
    return candidate


def normalise_name(name: str) -> str:
    """A name as given on the command line or in the environment: spaces collapsed."""
    return " ".join(name.split())


def organization_kind(name: str) -> OrganizationKind:
    words = name.casefold().split()
    if words and words[-1].endswith("kommune"):
        return OrganizationKind.MUNICIPALITY
    if "region" in words:
        return OrganizationKind.REGION
    return OrganizationKind.OTHER
