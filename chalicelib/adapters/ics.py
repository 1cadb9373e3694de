"""Calendar files (RFC 5545, iCalendar) for the domain's `CalendarEvent`s, written by the
icalendar library."""

from __future__ import annotations

from datetime import UTC, timedelta

from chalicelib.domain.interviews import CalendarEvent


def write(event: CalendarEvent) -> str:
    """The event as an RFC 5545 file: the library escapes text (a CR or a newline in a title stays
    inside the SUMMARY, never a line of its own), folds long lines at 75 octets and ends each with
    CRLF."""
    # imported on first use: only a calendar download pays for it, never a cold start
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//deskhire//interviews//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    item = Event()
    item.add("uid", event.uid)
    item.add("dtstamp", event.stamp.astimezone(UTC))
    item.add("dtstart", event.start.astimezone(UTC))
    item.add("dtend", (event.start + timedelta(minutes=event.minutes)).astimezone(UTC))
    item.add("summary", event.summary)
    item.add("description", event.description)
    calendar.add_component(item)
    return calendar.to_ical().decode()
