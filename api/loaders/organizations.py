"""Organizations: the municipality or region whose minutes a document is.

A document names its organization in its letterhead, a line of the name alone before
its header ("Høje-Taastrup Kommune", "REGION MIDTJYLLAND"); a mention in running text
("i Herning Kommune, Torvet 5") is not the document's organization. Which names there are
is data (KNOWN_ORGANIZATIONS), so a line of capitalised words that merely ends in
"Kommune" is not taken for one.
"""

from __future__ import annotations

from api.loaders.ids import slugify
from api.loaders.records import OrganizationKind

# The organizations a letterhead is known to name: Denmark's 98 municipalities and 5
# regions, as they name themselves. A letterhead line is one of these names alone, in any
# case or spacing, with or without hyphens or the genitive s (København Kommune), spelt
# with å or aa (Århus Kommune); a line such as "Direktionen Høje-Taastrup Kommune" is not.
MUNICIPALITIES = (
    # Region Hovedstaden
    "Albertslund", "Allerød", "Ballerup", "Brøndby", "Dragør", "Egedal", "Fredensborg",
    "Frederiksberg", "Frederikssund", "Furesø", "Gentofte", "Gladsaxe", "Glostrup",
    "Gribskov", "Halsnæs", "Helsingør", "Herlev", "Hillerød", "Hvidovre", "Høje-Taastrup",
    "Hørsholm", "Ishøj", "Københavns", "Lyngby-Taarbæk", "Rudersdal", "Rødovre", "Tårnby",
    "Vallensbæk",
    # Region Sjælland
    "Faxe", "Greve", "Guldborgsund", "Holbæk", "Kalundborg", "Køge", "Lejre", "Lolland",
    "Næstved", "Odsherred", "Ringsted", "Roskilde", "Slagelse", "Solrød", "Sorø", "Stevns",
    "Vordingborg",
    # Region Syddanmark
    "Assens", "Billund", "Esbjerg", "Fanø", "Fredericia", "Faaborg-Midtfyn", "Haderslev",
    "Kerteminde", "Kolding", "Langeland", "Middelfart", "Nordfyns", "Nyborg", "Odense",
    "Svendborg", "Sønderborg", "Tønder", "Varde", "Vejen", "Vejle", "Ærø", "Aabenraa",
    # Region Midtjylland
    "Favrskov", "Hedensted", "Herning", "Holstebro", "Horsens", "Ikast-Brande", "Lemvig",
    "Norddjurs", "Odder", "Randers", "Ringkøbing-Skjern", "Samsø", "Silkeborg",
    "Skanderborg", "Skive", "Struer", "Syddjurs", "Viborg", "Aarhus",
    # Region Nordjylland
    "Brønderslev", "Frederikshavn", "Hjørring", "Jammerbugt", "Læsø", "Mariagerfjord",
    "Morsø", "Rebild", "Thisted", "Vesthimmerlands", "Aalborg",
)  # fmt: skip
KNOWN_ORGANIZATIONS = (
    *(f"{name} Kommune" for name in MUNICIPALITIES),
    "Bornholms Regionskommune",
    *(f"Region {name}" for name in ("Hovedstaden", "Sjælland", "Syddanmark", "Midtjylland",
                                    "Nordjylland")),
)  # fmt: skip
_LONGEST_NAME = 4  # words


def _keys(name: str) -> set[str]:
    """The slugs a spelling of the name can have: as it is, and without a genitive s."""
    slug = slugify(name)
    place, dash, kind = slug.rpartition("-")
    if dash and kind in ("kommune", "regionskommune"):
        return {slug, f"{place.removesuffix('s')}-{kind}"}
    return {slug}


_BY_KEY = {key: name for name in KNOWN_ORGANIZATIONS for key in _keys(name)}


def letterhead_organization(line: str) -> str | None:
    """The organization's name if ``line`` is that name alone, else None."""
    words = line.split()
    if not words or len(words) > _LONGEST_NAME:
        return None
    return next((_BY_KEY[key] for key in _keys(" ".join(words)) if key in _BY_KEY), None)


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
