"""Forms in the portal: what a form says when it is refused, in the user's words, and reading
the marketplace's richer forms (money, weekly windows, languages) from plain HTML form fields, so
that the pages work without JavaScript. Each reader raises InvalidInput naming the form field at
fault.

Every message a person reads beside a field passes through `plain` (a rule of the domain) or
`pydantic_message` (a form that did not fit its model), here and nowhere else: the words of a model
("String should have at least 1 character") or of storage ("basis points", "hours_per_week") never
reach a page. A field or rule that needs its own words gets a line in FIELD_MESSAGES or REWORDED."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, DecimalException
from typing import TypeVar

from chalicelib.domain.currencies import CURRENCY_EXPONENTS
from chalicelib.domain.errors import DomainError, InvalidInput
from chalicelib.domain.money import Money
from chalicelib.domain.schedule import DAYS, WeeklySchedule, Window

_T = TypeVar("_T")

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
    amount = _number(text.strip().replace(",", ""), "enter an amount such as 25 or 25.50", field=field)
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
    return float(_number(text, "enter hours such as 12.5", field=field))


WINDOW_ROWS = 7  # a row a day to start with
SPARE_WINDOW_ROWS = 2  # blank rows under the filled ones, for another window
MAX_WINDOW_ROWS = 28  # what the API takes (schemas: WindowIn lists)


def _row_filled(values: dict[str, str], row: int) -> bool:
    return bool(values.get(f"window_{row}_start", "").strip() or values.get(f"window_{row}_end", "").strip())


def window_rows(values: dict[str, str]) -> range:
    """The rows of weekly windows a form shows: a row a day, or the filled ones and two blank."""
    filled = [row for row in range(MAX_WINDOW_ROWS) if _row_filled(values, row)]
    return range(
        min(MAX_WINDOW_ROWS, max(WINDOW_ROWS, (filled[-1] + 1 if filled else 0) + SPARE_WINDOW_ROWS))
    )


# A window's refusal (domain/schedule.py) in the form's words; others keep the rule's words.
_WINDOW_PROBLEMS = {
    "times are written HH:MM, from 00:00 to 24:00": "write the time as HH:MM, such as 09:00",
    "a window must end after it starts": "it ends when it starts: a night shift ends at the next "
    "morning's time, such as 22:00 to 06:00",
}


def _apart(a: Window, b: Window) -> bool:
    try:
        WeeklySchedule.build("UTC", [a, b])
    except InvalidInput:
        return False
    return True


def _window_label(window: Window) -> str:
    """'Mon 22:00–Tue 06:00' (schedule.Window.label, as a page writes it)."""
    return window.label().title().replace("-", "–")


def weekly_windows(values: dict[str, str]) -> list[tuple[str, str, str]]:
    """The weekly windows of a form's rows (`window_<n>_day`, `_start`, `_end`), as many a day as
    given; an end at or before the start runs past midnight (22:00 to 06:00). A row left blank
    is skipped. Each row is checked by the schedule's own rules, and the windows together (an
    overlap names the later row), so that the service never refuses what passed here; every
    row's problem is reported at once (FormProblems), each under the row's field."""
    problems: dict[str, str] = {}
    rows: list[int] = []
    windows: list[tuple[str, str, str]] = []
    parsed: list[Window] = []
    for row in range(MAX_WINDOW_ROWS):
        if not _row_filled(values, row):
            continue
        day = values.get(f"window_{row}_day", "").strip().lower()
        start = values.get(f"window_{row}_start", "").strip()[:5]
        end = values.get(f"window_{row}_end", "").strip()[:5]
        if not (start and end):
            problems[f"window_{row}_{'end' if start else 'start'}"] = (
                f"window {row + 1}: give both a start and an end"
            )
            continue
        try:
            window = Window.parse(day, start, end, field=f"window_{row}")
        except InvalidInput as error:
            part = (error.field or "").rpartition(".")[2]
            field = f"window_{row}_{part if part in ('day', 'end') else 'start'}"
            said = "pick a day" if part == "day" else _WINDOW_PROBLEMS.get(error.message, error.message)
            problems[field] = f"window {row + 1}: {said}"
            continue
        rows.append(row)
        windows.append((day, start, end))
        parsed.append(window)
    if not problems:
        for index, window in enumerate(parsed):
            other = next((o for o in parsed[:index] if not _apart(o, window)), None)
            if other is not None:
                problems[f"window_{rows[index]}_start"] = (
                    f"window {rows[index] + 1} ({_window_label(window)}) overlaps window "
                    f"{rows[parsed.index(other)] + 1} ({_window_label(other)})"
                )
    if problems:
        raise FormProblems(problems)
    return windows


def languages(values: dict[str, str]) -> list[tuple[str, str]]:
    """The languages picked in a form's rows (`language_<n>`: a code of the list, shown by its
    name; `level_<n>`), a row left blank skipped. A value that is not on the list is refused
    under its row, never read as something close ("English" is not "eng"); every row's problem
    at once (FormProblems)."""
    from chalicelib.domain.vocabulary import LANGUAGE_NAMES, LEVELS

    rows: list[tuple[str, str]] = []
    problems: dict[str, str] = {}
    for index in range(LANGUAGE_ROWS):
        code = values.get(f"language_{index}", "").strip()
        if not code:
            continue
        level = values.get(f"level_{index}", "b2").strip()
        if code not in LANGUAGE_NAMES:
            problems[f"language_{index}"] = (
                f"language {index + 1}: “{code[:40]}” is not on the list; pick a language from the list"
            )
        elif level not in LEVELS:
            problems[f"language_{index}"] = f"language {index + 1}: pick a level from the list"
        elif any(code == seen for seen, _ in rows):
            problems[f"language_{index}"] = (
                f"language {index + 1}: {LANGUAGE_NAMES[code]} is already chosen above"
            )
        else:
            rows.append((code, level))
    if problems:
        raise FormProblems(problems)
    return rows


def tags(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def window_fields(schedule_json: dict | None) -> dict[str, str]:
    """The form rows of a stored schedule, a window a row in the week's order. An end of 24:00
    is written 00:00, which a time input can show (and which reads back as the day's end)."""
    fields: dict[str, str] = {}
    stored = (schedule_json or {}).get("windows", [])
    ordered = sorted(stored, key=lambda w: (DAYS.index(w["day"]), w["start"]))
    for row, window in enumerate(ordered[:MAX_WINDOW_ROWS]):
        fields[f"window_{row}_day"] = window["day"]
        fields[f"window_{row}_start"] = window["start"]
        fields[f"window_{row}_end"] = "00:00" if window["end"] == "24:00" else window["end"]
    return fields


def language_fields(languages_map: dict) -> dict[str, str]:
    fields = {}
    for index, (code, level) in enumerate(sorted(languages_map.items())[:LANGUAGE_ROWS]):
        fields[f"language_{index}"], fields[f"level_{index}"] = code, level
    return fields


class FormProblems(InvalidInput):
    """Every problem of a form at once ({form field: message}), so that the page lists them all
    in its error summary instead of the first one only."""

    def __init__(self, problems: dict[str, str]):
        field, message = next(iter(problems.items()))
        super().__init__(message, field=field)
        self.problems = dict(problems)


class Collector:
    """Reads a form's fields one by one and keeps every refusal:

        found = forms.Collector()
        rate = found.read("rate", lambda: forms.money(values["rate"], currency, field="rate"))
        start = found.read("start_date", lambda: date.fromisoformat(values["start_date"]), "pick a start date")
        found.done()  # FormProblems with every field's message, or nothing

    A reader's InvalidInput lands under the field it names (else `field`); a ValueError under
    `field` with `message`."""

    def __init__(self) -> None:
        self.problems: dict[str, str] = {}

    def read(self, field: str, reader: Callable[[], _T], message: str | None = None) -> _T | None:
        try:
            return reader()
        except FormProblems as error:  # a reader of many fields (a week's windows): each of them
            for name, message_of_field in error.problems.items():
                self.problems.setdefault(name, message_of_field)
        except InvalidInput as error:
            # the readers here name the form field at fault (window_2_start of a week's windows)
            self.problems.setdefault(error.field or field, error.message)
        except ValueError:
            if message is None:
                raise
            self.problems.setdefault(field, message)
        return None

    def add(self, field: str, message: str) -> None:
        self.problems.setdefault(field, message)

    def done(self) -> None:
        if self.problems:
            raise FormProblems(self.problems)


def errors_of(error: DomainError, *, collapse: tuple[str, ...] = ()) -> dict[str, str]:
    """The messages to show for a refusal: every field's (FormProblems), or the one field's."""
    if isinstance(error, FormProblems):
        return dict(error.problems)
    return {field_of(error, collapse=collapse): error.message}


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
            raise InvalidInput("enter the time as HH:MM", field=name) from None
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
    value = _number(text, "enter hours such as 12.5", field=field) * 60
    if value != value.to_integral_value() or value < 0:
        raise InvalidInput("hours must come to whole minutes", field=field)
    return int(value)


def basis_points(text: str, *, field: str) -> int | None:
    """A percentage as typed ('10', '12.5') in basis points (1000, 1250), exactly."""
    text = text.strip().rstrip("%").strip()
    if not text:
        return None
    value = _number(text, "enter a percentage such as 10", field=field) * 100
    if value != value.to_integral_value():
        raise InvalidInput("at most two decimals", field=field)
    return int(value)


# -- what a refused form says --------------------------------------------------------------------

# The field as a person names it, after "Enter" or "Pick" ("Enter your company's name").
LABELS: dict[str, str] = {
    "company_name": "your company's name",
    "slug": "your deskhire address",
    "owner_name": "your name",
    "name": "a name",
    "email": "an email address",
    "password": "a password",
    "time_zone": "a time zone",
    "currency": "a currency",
    "role": "a role",
    "reason": "a reason",
    "body": "a message",
    "note": "a note",
    "title": "a title",
    "rate": "a rate",
    "rate_min": "the lowest rate",
    "rate_max": "the highest rate",
    "min_rate": "your lowest hourly rate",
    "hours_per_week": "the hours a week",
    "block_hours": "the hours of the block",
    "weekly_hours": "the weekly cap in hours",
    "start_date": "a start date",
    "end_date": "an end date",
    "earliest_start": "the earliest day you can start",
    "languages": "a language",
    "skills": "a skill",
    "tier": "a tier",
    "seats": "the number of agents wanted",
    "keep_minutes": "the minutes to keep",
    "upheld_minutes": "the minutes upheld",
    "outcome": "a decision",
    "days_until_due": "the net terms in days",
    "hours": "the hours",
    "country": "a country",
    "language": "a language",
    "min_hours": "the fewest hours a week",
    "max_hours": "the most hours a week",
    "min_overlap_hours": "the overlap in hours",
    "skill": "a skill",
}

# A field whose rule reads better in words of its own: (field, kind of problem) -> message.
FIELD_MESSAGES: dict[tuple[str, str], str] = {
    ("languages", "too_short"): "Pick at least one language",
    ("languages", "missing"): "Pick at least one language",
    ("skills", "too_short"): "Pick at least one skill",
    ("rate", "too_low"): "Enter a rate of at least 1.00",
    ("min_rate", "too_low"): "Enter a rate of at least 1.00",
    ("role", "choice"): "Pick a role: owner, admin or manager",
    ("time_zone", "choice"): "Pick a time zone from the list",
    ("currency", "choice"): "Pick a currency from the list",
    ("email", "too_short"): "Enter an email address like name@example.com",
    ("email", "missing"): "Enter an email address like name@example.com",
    ("slug", "too_short"): "Enter your deskhire address: lowercase letters, digits and hyphens",
    ("slug", "missing"): "Enter your deskhire address: lowercase letters, digits and hyphens",
}

# Domain messages whose words are the storage's, not the reader's: the whole text -> the reader's.
REWORDED: dict[str, str] = {
    "give either hours_per_week or block_hours": "Give either the hours a week or a block of hours",
    "list at least one language": "Pick at least one language",
    "ask for at least one language": "Pick at least one language",
    "propose a rate above zero": "Enter a rate of at least 1.00",
    "minutes must be a non-negative integer": "Enter a whole number of minutes",
    "enter an amount such as 25 or 25.50": "Enter an amount such as 25 or 25.50",
}

# pydantic's kinds of problem, grouped into the few a message is written for.
_KINDS = {
    "missing": "missing",
    "string_too_short": "too_short",
    "too_short": "too_short",
    "string_too_long": "too_long",
    "too_long": "too_long",
    "literal_error": "choice",
    "enum": "choice",
    "greater_than": "too_low",
    "greater_than_equal": "too_low",
    "less_than": "too_high",
    "less_than_equal": "too_high",
    "int_parsing": "number",
    "int_type": "number",
    "float_parsing": "number",
    "float_type": "number",
    "decimal_parsing": "number",
    "bool_parsing": "choice",
    "date_parsing": "date",
    "date_from_datetime_parsing": "date",
    "extra_forbidden": "unknown",
}

_BASIS_POINTS = re.compile(r"(\d+) to (\d+) basis points \((\d+)%\)")


def sentence(text: str) -> str:
    """'give both a start and an end' -> 'Give both a start and an end.'"""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def plain(message: str, *, field: str | None = None, code: str | None = None) -> str:
    """A rule's refusal (a DomainError's message) as the person reads it beside the field."""
    text = REWORDED.get(message.strip(), message)
    # fees are typed in percent: '0 to 2000 basis points (20%)' -> '0% to 20%'
    text = _BASIS_POINTS.sub(lambda m: f"{int(m[1]) // 100}% to {m[3]}%", text)
    return sentence(text)


def _label(field: str) -> str:
    return LABELS.get(field, field.replace("_", " "))


def pydantic_message(field: str, kind: str, ctx: dict | None = None, raw: str = "") -> str:
    """What a form field that did not fit its model says, in the user's words:
    ('company_name', 'string_too_short', {'min_length': 1}) -> "Enter your company's name."."""
    ctx = ctx or {}
    group = _KINDS.get(kind, "value_error" if kind in ("value_error", "assertion_error") else "other")
    name = field.split(".")[0]
    if (name, group) in FIELD_MESSAGES:
        return sentence(FIELD_MESSAGES[(name, group)])
    label = _label(name)
    if group == "missing" or (group == "too_short" and int(ctx.get("min_length", 1) or 1) <= 1):
        return sentence(f"Enter {label}")
    if group == "too_short":
        return sentence(f"{_capital(label)} must be at least {ctx.get('min_length')} characters")
    if group == "too_long":
        return sentence(f"{_capital(label)} must be {ctx.get('max_length')} characters or fewer")
    if group == "choice":
        return sentence(f"Pick {label} from the list")
    if group == "number":
        return sentence(f"Enter {label} as a number")
    if group == "date":
        return sentence(f"Enter {label} as a date")
    if group in ("too_low", "too_high"):
        bound = ctx.get("ge", ctx.get("gt")) if group == "too_low" else ctx.get("le", ctx.get("lt"))
        word = "at least" if group == "too_low" else "at most"
        return sentence(f"Enter {label} of {word} {bound}" if bound is not None else f"Check {label}")
    if group == "value_error" and raw:
        # a validator of ours wrote the reason: pydantic prefixes it with 'Value error, '
        return plain(
            raw.split(", ", 1)[1] if raw.startswith(("Value error, ", "Assertion failed, ")) else raw
        )
    if group == "unknown":
        return "This form has a field deskhire does not know. Reload the page and try again."
    return sentence(f"Check {label}")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def validation_messages(error) -> dict[str, str]:
    """A pydantic ValidationError as one message per form field (the first problem of each)."""
    from chalicelib.web.errors import field_path

    messages: dict[str, str] = {}
    for item in error.errors(include_url=False, include_input=False):
        field = field_path(item["loc"]) or "form"
        name = field.split(".")[0]
        messages.setdefault(name, pydantic_message(name, item["type"], item.get("ctx"), item.get("msg", "")))
    return messages
