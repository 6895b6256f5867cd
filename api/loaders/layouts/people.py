"""Participants and absentees: names with a party, a role, or both."""

from __future__ import annotations

import re

from api.loaders.records import Participant

# Titles printed before a name: "Formand Erik Nielsen (A)", "Borgmester Mia Nyegaard (B)".
ROLE_TITLES = (
    "overborgmester", "borgmester", "viceborgmester", "rådmand", "regionsrådsformand",
    "formand", "næstformand", "sekretær", "referent", "mødeleder",
)  # fmt: skip
_TITLE = re.compile(rf"^({'|'.join(ROLE_TITLES)})\s+(?=[A-ZÆØÅ])", re.IGNORECASE)
# A party's list letter(s), or a member outside the parties.
_PARTY = re.compile(r"^[A-ZÆØÅ]{1,3}$")
_UNAFFILIATED = frozenset({"løsgænger", "uden for parti", "ufg"})
# Roles after a comma: "Birgitte Glifberg (A), Suppleant for Brian Møller (A)".
_ROLE_AFTER = re.compile(
    rf"^(?:suppleant|stedfortræder|afløser|{'|'.join(ROLE_TITLES)})(?![\wæøå])", re.IGNORECASE
)
_DASH_ROLE = re.compile(r"\s+[-–]\s+(?P<role>[\wæøå][\wæøå ]*)$")
# Items a person missed: "Britt Jensen (A), sag 129-138".
_ITEM_RANGE = re.compile(r"^(?:sag|sager|pkt|punkt|punkterne)\.?\s*\d+(?:\s*[-–]\s*\d+)?$", re.I)
_NUMBERING = re.compile(r"^\d{1,3}[.)]\s+")
_PAREN = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*(.*)$")
NOBODY = frozenset({"ingen", "ingen.", "-", "–", "ingen afbud", "ingen afbud."})


def people(value: str, *, one_per_line: bool = False) -> tuple[Participant, ...]:
    """Names separated by commas (or a final "og"), or one a line as a list prints them."""
    if value.strip().casefold() in NOBODY:
        return ()
    parts = value.split("\n") if one_per_line else _split_names(value.replace("\n", " "))
    found: list[Participant] = []
    for part in parts:
        text = _NUMBERING.sub("", part.strip()).strip().rstrip(".").strip()
        if not text or text.casefold() in NOBODY:
            continue
        if found and _ITEM_RANGE.match(text) and not one_per_line:
            continue  # the items a person missed: the person is absent all the same
        if found and _ROLE_AFTER.match(text) and not one_per_line:
            last = found[-1]
            found[-1] = Participant(last.name, text, last.party)
            continue
        found.append(person(text))
    return tuple(found)


def person(text: str) -> Participant:
    """ "Formand Erik Nielsen (A)", "Kathrine Seier Skastrup (sekretær)", "Britt Jensen (A),
    sag 129-138", "Birgitte Glifberg (A), Suppleant for Brian Møller (A)"."""
    role = party = None
    if dash := _DASH_ROLE.search(text):  # "Tina Holm (F) - formand"
        role, text = dash["role"].strip(), text[: dash.start()]
    name, _, after = text.partition(",")
    after = after.strip()
    if after and not _ITEM_RANGE.match(after):
        role = after
    if title := _TITLE.match(name):
        role = role or title[1]
        name = name[title.end() :]
    while (paren := _PAREN.match(name)) and paren[1]:  # "Ib Duedahl (V) (formand)"
        inside = paren[2].strip()
        name = f"{paren[1]} {paren[3]}".strip()
        if (_PARTY.match(inside) or inside.casefold() in _UNAFFILIATED) and party is None:
            party = inside
        elif inside:
            role = role or inside
    return Participant(name.strip(), role, party)


def _split_names(value: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for char in value:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        if char in ",;" and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    if parts and " og " in parts[-1]:
        if "(" not in parts[-1]:
            parts[-1:] = parts[-1].split(" og ")
        else:  # "Jakob Næsager (C) og Ulrik Kohl (C)"
            parts[-1:] = re.split(r"(?<=\))\s+og\s+", parts[-1])
    return parts
