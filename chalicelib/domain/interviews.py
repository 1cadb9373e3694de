"""Interviews: the business proposes a few slots, the agent picks one, both get a calendar file.

Slots are UTC instants at minute precision; each side sees them in their own time zone. A booked
slot is a `CalendarEvent`; chalicelib/adapters/ics.py writes it as an RFC 5545 (iCalendar) file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.time import LAST_YEAR, to_minute

MAX_SLOTS = 5
DURATIONS = (15, 30, 45, 60, 90)


def check_slots(slots: list[datetime], *, now: datetime, duration: int) -> tuple[datetime, ...]:
    if duration not in DURATIONS:
        raise InvalidInput(
            f"an interview lasts {', '.join(map(str, DURATIONS))} minutes", field="duration_minutes"
        )
    if not 1 <= len(slots) <= MAX_SLOTS:
        raise InvalidInput(f"propose 1 to {MAX_SLOTS} slots", field="slots")
    cleaned: list[datetime] = []
    for index, slot in enumerate(slots):
        if slot.tzinfo is None:
            raise InvalidInput(
                "give the time with its offset, such as 2027-01-05T15:00:00Z", field=f"slots.{index}"
            )
        moment = to_minute(slot)
        if moment <= now:
            raise InvalidInput("this slot is in the past", field=f"slots.{index}")
        if moment.year > LAST_YEAR:
            raise InvalidInput(f"propose a slot before {LAST_YEAR + 1}", field=f"slots.{index}")
        if moment in cleaned:
            raise InvalidInput("this slot is proposed twice", field=f"slots.{index}")
        cleaned.append(moment)
    return tuple(sorted(cleaned))


def check_pick(slots: tuple[datetime, ...], chosen: datetime, *, status: str, now: datetime) -> datetime:
    if status != "proposed":
        raise Conflict(f"this interview is {status}", code="illegal_transition")
    moment = to_minute(chosen)
    if moment not in slots:
        raise InvalidInput("pick one of the proposed slots", field="slot")
    if moment <= now:
        raise Conflict("this slot has passed; ask for new ones", code="slot_passed")
    return moment


def local_label(moment: datetime, time_zone: str) -> str:
    local = moment.astimezone(ZoneInfo(time_zone))
    return f"{local:%a %d %b %Y, %H:%M} ({time_zone})"


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    start: datetime
    minutes: int
    summary: str
    description: str
    stamp: datetime
