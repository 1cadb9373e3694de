"""Interviews: the business proposes a few slots, the agent picks one, both get a calendar file.

Slots are UTC instants at minute precision; each side sees them in their own time zone. The
calendar file is RFC 5545 (iCalendar): CRLF line ends, lines folded at 75 octets, text escaped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.time import to_minute

MAX_SLOTS = 5
DURATIONS = (15, 30, 45, 60, 90)


def check_slots(slots: list[datetime], *, now: datetime, duration: int) -> tuple[datetime, ...]:
    if duration not in DURATIONS:
        raise InvalidInput(
            f"an interview lasts {', '.join(map(str, DURATIONS))} minutes", field="duration_minutes"
        )
    if not 1 <= len(slots) <= MAX_SLOTS:
        raise InvalidInput(f"propose 1 to {MAX_SLOTS} slots", field="slots")
    cleaned = []
    for index, slot in enumerate(slots):
        if slot.tzinfo is None:
            raise InvalidInput(
                "give the time with its offset, such as 2027-01-05T15:00:00Z", field=f"slots.{index}"
            )
        moment = to_minute(slot)
        if moment <= now:
            raise InvalidInput("this slot is in the past", field=f"slots.{index}")
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


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """RFC 5545 3.1: lines longer than 75 octets continue on the next line after a space."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += encoded
    parts.append(current.decode())
    return "\r\n ".join(parts)


def ics(event: CalendarEvent) -> str:
    def utc(moment: datetime) -> str:
        return moment.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")

    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//deskhire//interviews//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{utc(event.stamp)}",
        f"DTSTART:{utc(event.start)}",
        f"DTEND:{utc(event.start + timedelta(minutes=event.minutes))}",
        f"SUMMARY:{_escape(event.summary)}",
        f"DESCRIPTION:{_escape(event.description)}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
