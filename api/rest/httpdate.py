"""HTTP-dates (RFC 9110, section 5.6.7): Last-Modified out, If-Modified-Since in."""

from __future__ import annotations

import datetime as dt
import re
from email.utils import format_datetime

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH = "(" + "|".join(_MONTHS) + ")"
_DAY = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_LONG_DAY = "(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_TIME = r"(\d\d):(\d\d):(\d\d)"

# Sun, 06 Nov 1994 08:49:37 GMT: the preferred form, the only one ever sent.
_IMF_FIXDATE = re.compile(rf"{_DAY}, (\d\d) {_MONTH} (\d{{4}}) {_TIME} GMT")
# Sunday, 06-Nov-94 08:49:37 GMT and Sun Nov  6 08:49:37 1994: obsolete, still accepted.
_RFC850_DATE = re.compile(rf"{_LONG_DAY}, (\d\d)-{_MONTH}-(\d\d) {_TIME} GMT")
_ASCTIME_DATE = re.compile(rf"{_DAY} {_MONTH} ( \d|\d\d) {_TIME} (\d{{4}})")


def format_http_date(moment: dt.datetime) -> str:
    return format_datetime(moment.astimezone(dt.UTC), usegmt=True)


def parse_http_date(value: str, *, now: dt.datetime | None = None) -> dt.datetime | None:
    """The moment an HTTP-date names, in UTC; None for anything else (a recipient
    ignores an If-Modified-Since it cannot read). All three forms are read, as RFC 9110
    asks of recipients; names of days and months are case-sensitive, as it says."""
    text = value.strip(" \t")
    if found := _IMF_FIXDATE.fullmatch(text):
        day, month, year, hour, minute, second = found.groups()
    elif found := _RFC850_DATE.fullmatch(text):
        day, month, short_year, hour, minute, second = found.groups()
        year = str(_full_year(int(short_year), now or dt.datetime.now(dt.UTC)))
    elif found := _ASCTIME_DATE.fullmatch(text):
        month, day, hour, minute, second, year = found.groups()
    else:
        return None
    try:
        return dt.datetime(
            int(year),
            _MONTHS.index(month) + 1,
            int(day),
            int(hour),
            int(minute),
            min(int(second), 59),  # 60 is a leap second
            tzinfo=dt.UTC,
        )
    except ValueError:  # 31 Feb, 25:00
        return None


def _full_year(short: int, now: dt.datetime) -> int:
    """A two-digit year: the one in this century, unless that is more than 50 years
    ahead; then the most recent past year with those digits (RFC 9110)."""
    year = now.year - now.year % 100 + short
    return year - 100 if year > now.year + 50 else year
