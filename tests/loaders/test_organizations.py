"""Which organization a letterhead names, and what kind it is."""

from __future__ import annotations

import pytest

from api.loaders.organizations import (
    KNOWN_ORGANIZATIONS,
    _keys,
    letterhead_organization,
    normalise_name,
    organization_kind,
)
from api.loaders.records import OrganizationKind


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("Høje-Taastrup Kommune", "Høje-Taastrup Kommune"),
        ("HØJE-TAASTRUP KOMMUNE", "Høje-Taastrup Kommune"),
        ("Københavns  Kommune", "Københavns Kommune"),
        ("Ringkøbing-Skjern Kommune", "Ringkøbing-Skjern Kommune"),
        ("Bornholms Regionskommune", "Bornholms Regionskommune"),
        ("Region Midtjylland", "Region Midtjylland"),
        ("REGION HOVEDSTADEN", "Region Hovedstaden"),
        ("Høje Taastrup Kommune", "Høje-Taastrup Kommune"),
        ("København Kommune", "Københavns Kommune"),
        ("Århus Kommune", "Aarhus Kommune"),
        ("Åbenrå Kommune", "Aabenraa Kommune"),
        ("Bornholm Regionskommune", "Bornholms Regionskommune"),
    ],
)
def test_a_letterhead_line_names_its_organization(line: str, name: str) -> None:
    assert letterhead_organization(line) == name


@pytest.mark.parametrize(
    "line",
    [
        "i Herning Kommune, Torvet 5, 7400 Herning",  # a place, not the document's author
        "i Herning Kommune",
        "Direktionen i Høje-Taastrup Kommune",
        "DIREKTIONEN HØJE-TAASTRUP KOMMUNE",
        "Velkommen Til Roskilde Kommune",
        "Borgerservice Roskilde Kommune",
        "Herning",
        "IT-strategi for Høje-Taastrup Kommune",
        "Kommune",
        "Region",
        "Regionens sygehuse",
        "Kommunalbestyrelsen",
        "Vi bruger cookies til statistik",
    ],
)
def test_a_mention_of_an_organization_is_not_a_letterhead(line: str) -> None:
    assert letterhead_organization(line) is None


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Høje-Taastrup Kommune", OrganizationKind.MUNICIPALITY),
        ("Bornholms Regionskommune", OrganizationKind.MUNICIPALITY),
        ("Region Midtjylland", OrganizationKind.REGION),
        ("Danske Regioner", OrganizationKind.OTHER),
        ("KL", OrganizationKind.OTHER),
    ],
)
def test_the_kind_follows_from_the_name(name: str, kind: OrganizationKind) -> None:
    assert organization_kind(name) is kind


def test_names_given_by_hand_have_their_spaces_collapsed() -> None:
    assert normalise_name("  Høje-Taastrup \t Kommune ") == "Høje-Taastrup Kommune"


def test_the_known_organizations_are_denmarks_municipalities_and_regions() -> None:
    kinds = [organization_kind(name) for name in KNOWN_ORGANIZATIONS]
    assert kinds.count(OrganizationKind.MUNICIPALITY) == 98
    assert kinds.count(OrganizationKind.REGION) == 5
    keys = [key for name in KNOWN_ORGANIZATIONS for key in _keys(name)]
    assert len(keys) == len(set(keys))  # no spelling names two of them
