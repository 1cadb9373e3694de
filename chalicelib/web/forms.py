"""Reading the marketplace's richer forms (money, weekly windows, languages) from plain HTML
form fields, so that the pages work without JavaScript. Each reader raises InvalidInput naming
the form field at fault."""

from __future__ import annotations

from decimal import Decimal, DecimalException

from chalicelib.domain.currencies import CURRENCY_EXPONENTS
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.money import Money
from chalicelib.domain.schedule import DAYS

LANGUAGE_ROWS = 3
# Longer than any amount, hours or percentage a person types: '1e999999999' never reaches Decimal
# arithmetic (whose overflow is not an input error), and 'Infinity' or 'NaN' are refused too.
MAX_NUMBER_LENGTH = 32


def _number(text: str, message: str, *, field: str) -> Decimal:
    """A finite decimal number as typed, or InvalidInput naming the field."""
    try:
        value = Decimal(text) if len(text) <= MAX_NUMBER_LENGTH else None
    except DecimalException:
        value = None
    if value is None or not value.is_finite() or abs(value.adjusted()) > 12:
        raise InvalidInput(message, field=field)
    return value


def money(text: str, currency: str, *, field: str) -> Money:
    """'20' or '20.50' in the currency's major unit, to exact minor units (never via a float)."""
    amount = _number(text.strip().replace(",", ""), "write an amount such as 25 or 25.50", field=field)
    exponent = CURRENCY_EXPONENTS.get(currency)
    if exponent is None:
        raise InvalidInput("unsupported currency", field=field)
    minor = amount.scaleb(exponent)
    if minor != minor.to_integral_value() or minor < 0:
        raise InvalidInput(f"at most {exponent} decimals, not negative", field=field)
    return Money(int(minor), currency)


def hours(text: str, *, field: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    # quarter hours are exact in binary; the domain checks them
    return float(_number(text, "write hours such as 12.5", field=field))


def weekly_windows(values: dict[str, str]) -> list[tuple[str, str, str]]:
    """One window a day from `<day>_start` / `<day>_end` fields; a day left blank is off."""
    windows = []
    for day in DAYS:
        start, end = values.get(f"{day}_start", "").strip(), values.get(f"{day}_end", "").strip()
        if start or end:
            if not (start and end):
                raise InvalidInput("give both a start and an end", field=f"{day}_start")
            windows.append((day, start, end))
    return windows


def languages(values: dict[str, str]) -> list[tuple[str, str]]:
    rows = []
    for index in range(LANGUAGE_ROWS):
        code = values.get(f"language_{index}", "").strip().lower()
        if code:
            rows.append((code, values.get(f"level_{index}", "b2")))
    return rows


def tags(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def window_fields(schedule_json: dict | None) -> dict[str, str]:
    """The form fields of a stored schedule (its first window each day)."""
    fields: dict[str, str] = {}
    for window in (schedule_json or {}).get("windows", []):
        fields.setdefault(f"{window['day']}_start", window["start"])
        fields.setdefault(f"{window['day']}_end", window["end"])
    return fields


def language_fields(languages_map: dict) -> dict[str, str]:
    fields = {}
    for index, (code, level) in enumerate(sorted(languages_map.items())[:LANGUAGE_ROWS]):
        fields[f"language_{index}"], fields[f"level_{index}"] = code, level
    return fields


def field_of(error, *, collapse: tuple[str, ...] = ()) -> str:
    """The form field to show a domain error beside: `languages.1.code` -> `language_1`,
    `rate_min.amount` -> `rate_min`, and fields listed in `collapse` (whole schedules) -> the
    form's own message."""
    name = error.field or "form"
    if name.startswith(collapse):
        return "form"
    if name.startswith("languages."):
        return "language_" + name.split(".")[1]
    return name.split(".")[0]


def local_span(day: str, start: str, end: str, zone: str, *, field: str = "date"):
    """A span typed on a person's own clock (a date, a start and an end time) as UTC instants.
    An end at or before the start means the next day (a shift past midnight)."""
    from datetime import UTC, date, datetime, time, timedelta
    from zoneinfo import ZoneInfo

    try:
        on = date.fromisoformat(day.strip())
    except ValueError:
        raise InvalidInput("pick the day", field=field) from None
    times = []
    for name, text in (("start", start), ("end", end)):
        try:
            hours, minutes = text.strip().split(":")[:2]
            times.append(time(int(hours), int(minutes)))
        except (ValueError, TypeError):
            raise InvalidInput("write the time as HH:MM", field=name) from None
    tz = ZoneInfo(zone)
    begin = datetime.combine(on, times[0], tzinfo=tz)
    finish = datetime.combine(on, times[1], tzinfo=tz)
    if finish <= begin and times[1] != times[0]:
        finish += timedelta(days=1)
    return begin.astimezone(UTC), finish.astimezone(UTC)


def minutes_from_hours(text: str, *, field: str) -> int | None:
    """'12.5' hours as 750 minutes (exact: via Decimal, whole minutes only)."""
    text = text.strip()
    if not text:
        return None
    value = _number(text, "write hours such as 12.5", field=field) * 60
    if value != value.to_integral_value() or value < 0:
        raise InvalidInput("hours must come to whole minutes", field=field)
    return int(value)


def basis_points(text: str, *, field: str) -> int | None:
    """A percentage as typed ('10', '12.5') in basis points (1000, 1250), exactly."""
    text = text.strip().rstrip("%").strip()
    if not text:
        return None
    value = _number(text, "write a percentage such as 10", field=field) * 100
    if value != value.to_integral_value():
        raise InvalidInput("at most two decimals", field=field)
    return int(value)
