"""Time as deskhire keeps it: UTC, minute precision, and the ISO billing week; and time as a
person reads it: on their own clock, with the zone named.

The billing week runs Monday 00:00 UTC to the next Monday 00:00 UTC. Week W locks (and is
invoiced) at Monday 12:00 UTC of W+1; the business may review until Friday 23:59 UTC of W+1.

Every time a person reads (a page, a mail, a refusal) is written by `when`, `span`, `clock` or
`day` in that person's zone (issue 14, item 8), so that a mail and the page it links to agree:

    when(moment, "America/New_York")           Wed 25 Nov 10:10 EST
    span(start, end, "America/New_York")       Wed 25 Nov 10:10–11:30 EST
    clock(moment, "America/New_York")          10:10 EST
    day(moment, "America/New_York")            Wed 25 Nov 2026
    when(moment, "America/Sao_Paulo")          Wed 25 Nov 12:10 America/Sao_Paulo

A zone whose abbreviation is only an offset ("-03") is named by its IANA name. The portal's
filters (web/pages.py) pass the viewer's zone; services pass the recipient's (services/zones.py).
A billing week stays on UTC, by rule, and says so (`week_words`)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from chalicelib.domain.errors import InvalidInput

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
# The weeks deskhire can mean. An ISO week as such runs from 0001-W01 to 9999-W52, but the pages
# and calendars step a week back and forth from the one asked for, which overflows a date at
# either end (a 500); no contract, invoice or calendar lies outside these years.
FIRST_YEAR = 1990
LAST_YEAR = 2199


def to_minute(moment: datetime) -> datetime:
    """Normalise an aware datetime to UTC at minute precision (seconds dropped, not rounded)."""
    if moment.tzinfo is None:
        raise InvalidInput("times must carry a UTC offset", field="time")
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


@dataclass(frozen=True, order=True)
class BillingWeek:
    year: int
    week: int

    def __post_init__(self):
        if not FIRST_YEAR <= self.year <= LAST_YEAR:
            raise InvalidInput(
                f"a week between {FIRST_YEAR}-W01 and {LAST_YEAR}-W52, like 2026-W48", field="week"
            )
        try:
            date.fromisocalendar(self.year, self.week, 1)
        except ValueError:
            raise InvalidInput(f"{self.year}-W{self.week:02d} is not an ISO week", field="week") from None

    @classmethod
    def parse(cls, text: str) -> BillingWeek:
        match = _WEEK.match(text)
        if not match:
            raise InvalidInput("a week is written like 2026-W48", field="week")
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def containing(cls, moment: datetime) -> BillingWeek:
        iso = to_minute(moment).isocalendar()
        return cls(iso.year, iso.week)

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(date.fromisocalendar(self.year, self.week, 1), datetime.min.time(), UTC)

    @property
    def ends_at(self) -> datetime:
        """The first minute that is no longer in this week (next Monday 00:00 UTC)."""
        return self.starts_at + timedelta(days=7)

    def next(self) -> BillingWeek:
        return BillingWeek.containing(self.ends_at)

    @property
    def locks_at(self) -> datetime:
        """Monday 12:00 UTC of the following week: the agent's grace half-day ends, billing runs."""
        return self.ends_at + timedelta(hours=12)

    @property
    def review_closes_at(self) -> datetime:
        """The first minute after Friday 23:59 UTC of the following week."""
        return self.ends_at + timedelta(days=5)


def week_words(week: BillingWeek) -> str:
    """A billing week as a person reads it: its label and its bounds, on UTC by rule, said so
    ("week 2026-W48 (a billing week, on UTC: Mon 23 Nov 00:00 to Mon 30 Nov 00:00 UTC)")."""
    start, end = week.starts_at, week.ends_at
    return f"week {week} (a billing week, on UTC: {start:%a %d %b %H:%M} to {end:%a %d %b %H:%M} UTC)"


# -- on a person's clock -----------------------------------------------------------------------

UTC_ZONE = "UTC"


@functools.lru_cache(maxsize=512)
def _zone(name: str) -> tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def on_clock(moment: datetime | str, zone: str) -> datetime:
    """An instant (or one kept as RFC 3339 text, as a dispute's messages are) on `zone`'s clock."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    return moment.astimezone(_zone(zone or UTC_ZONE))


def zone_label(local: datetime) -> str:
    """How a zone is named after a time: its abbreviation when it has one (EST, GMT, BST, CET,
    UTC), else its IANA name (America/Sao_Paulo, whose abbreviation is only "-03")."""
    abbreviation = local.tzname() or ""
    if abbreviation.isalpha():
        return abbreviation
    return str(getattr(local.tzinfo, "key", None) or abbreviation or UTC_ZONE)


def when(moment: datetime | str, zone: str) -> str:
    """An instant on `zone`'s clock with the zone named: 'Wed 25 Nov 10:10 EST'."""
    local = on_clock(moment, zone)
    return f"{local:%a %d %b %H:%M} {zone_label(local)}"


def span(start: datetime | str, end: datetime | str, zone: str) -> str:
    """From one instant to another: 'Wed 25 Nov 10:10–11:30 EST', or with both days named when
    the span crosses midnight on that clock: 'Wed 25 Nov 23:00 – Thu 26 Nov 01:00 EST'."""
    begin, finish = on_clock(start, zone), on_clock(end, zone)
    if begin.date() == finish.date():
        text = f"{begin:%a %d %b %H:%M}–{finish:%H:%M}"
    else:
        text = f"{begin:%a %d %b %H:%M} – {finish:%a %d %b %H:%M}"
    label, other = zone_label(begin), zone_label(finish)
    # a span across a change of clocks names both (01:30 EDT – 01:10 EST)
    return f"{text} {label}" if label == other else f"{text} ({label} to {other})"


def clock(moment: datetime | str, zone: str) -> str:
    """The time of day only: '10:10 EST' (where the day is plain from the text around it)."""
    local = on_clock(moment, zone)
    return f"{local:%H:%M} {zone_label(local)}"


def day(moment: datetime | str, zone: str) -> str:
    """The date an instant falls on, on `zone`'s clock: 'Wed 25 Nov 2026'."""
    return f"{on_clock(moment, zone):%a %d %b %Y}"
