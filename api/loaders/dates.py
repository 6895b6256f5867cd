"""Danish dates and times as they are written in minutes."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

COPENHAGEN = ZoneInfo("Europe/Copenhagen")

WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("januar", "jan"),
            ("februar", "feb"),
            ("marts", "mar"),
            ("april", "apr"),
            ("maj",),
            ("juni", "jun"),
            ("juli", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("oktober", "okt"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))

# "tirsdag d. 23. maj 2023", "1. oktober 2018", "15-maj-2002", "04-06-2020", "23.5.2023"
_WRITTEN_DATE = re.compile(
    rf"(?:(?P<weekday>{'|'.join(WEEKDAYS)})\s*,?\s+)?(?:(?:d\.|den)\s*)?"
    rf"(?<!\d)(?:(?P<day>\d{{1,2}})\.?[\s-]*(?P<month>{_MONTH_NAMES})\.?[\s-]+(?P<year>\d{{4}})"
    rf"|(?P<nday>\d{{1,2}})[-./](?P<nmonth>\d{{1,2}})[-./](?P<nyear>\d{{4}}))(?!\d)",
    re.IGNORECASE,
)
_TIME = re.compile(r"\bkl\.?\s*(\d{1,2})(?:[:.](\d{2}))?(?!\d)", re.IGNORECASE)
# A time written without "kl.", as agenda systems print it after a date: "09:00:00".
_CLOCK = re.compile(r"(?<![\d.:])(\d{1,2}):(\d{2})(?::\d{2})?(?![\d:])")


def find_date(text: str) -> tuple[dt.date | None, re.Match[str] | None]:
    """The first date written in ``text`` (None if it names no real day) and its match."""
    match = _WRITTEN_DATE.search(text)
    if match is None:
        return None, None
    if match["month"]:
        return make_date(match["day"], str(MONTHS[match["month"].lower()]), match["year"]), match
    return make_date(match["nday"], match["nmonth"], match["nyear"]), match


def find_time(text: str) -> tuple[dt.time | None, re.Match[str] | None]:
    """The first time of day in ``text``: "kl. 9", "kl. 16.30", "09:00:00"."""
    match = _TIME.search(text) or _CLOCK.search(text)
    if match is None:
        return None, None
    hour, minute = int(match[1]), int(match[2] or 0)
    if hour < 24 and minute < 60:
        return dt.time(hour, minute), match
    return None, match


def make_date(day: str, month: str, year: str) -> dt.date | None:
    """A date from its parts, or None when they name no real day (31-02-2020)."""
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def parse_meeting_time(
    value: str, label: str = "Mødedato"
) -> tuple[dt.date | None, dt.time | None, list[str]]:
    """Read "Tirsdag d. 23. maj 2023 kl. 09:00" (or "kl. 9.00", or 23-05-2023).

    Returns the date, the start time and the reasons for any part it could not trust.
    """
    problems: list[str] = []
    date, match = find_date(value)
    if match is None:
        problems.append(f"no date in {label} {value!r}")
    elif date is None:
        problems.append(f"impossible date in {label} {value!r}")
    elif match["weekday"] and WEEKDAYS.index(match["weekday"].lower()) != date.weekday():
        problems.append(
            f"{label} says {match['weekday']} but {date.isoformat()} is a "
            f"{WEEKDAYS[date.weekday()]}"
        )
    time, time_match = find_time(value)
    if time_match is not None and time is None:
        problems.append(f"impossible time in {label} {value!r}")
    return date, time, problems


def local_datetime(date: dt.date, time: dt.time) -> dt.datetime:
    """A wall-clock time in Copenhagen, with the summer or winter offset of that day."""
    return dt.datetime.combine(date, time, tzinfo=COPENHAGEN)
