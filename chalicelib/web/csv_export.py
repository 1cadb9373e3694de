"""CSV exports of what a page shows (timesheets, invoices, earnings), for a spreadsheet or an
accountant. The rules every export keeps:

- proper CSV (the csv module: quoting, embedded commas and newlines), UTF-8 with a byte-order mark
  so that spreadsheet programs read accents right, one header row;
- money as a decimal string in the currency's major unit ("1250.00") with a currency column, never
  a float and never minor units;
- times as UTC ISO 8601 ("2026-11-25T15:10:00Z"), beside the same instant on the viewer's clock
  and the zone's name, so the file is unambiguous and readable;
- a text cell that a spreadsheet would run as a formula (=, +, -, @ first) starts with an
  apostrophe instead: a memo typed by someone else never becomes a formula on the reader's machine;
- `Content-Disposition: attachment` with a file name that says what and when.

    return csv_export.response("timesheets-2026-W48.csv", HEADER, rows)

Each export is scoped like its page: the route's principal reads its own things only."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from chalice.app import Response

_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def money(minor: int | None, currency: str) -> str:
    """2150 usd -> '21.50' (exact; the currency goes in its own column)."""
    from chalicelib.domain.money import format_amount

    return "" if minor is None else format_amount(int(minor), currency)


def utc(moment: datetime | None) -> str:
    """An instant as UTC ISO 8601 to the second: '2026-11-25T15:10:00Z'."""
    if moment is None:
        return ""
    from datetime import UTC

    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def local(moment: datetime | None, zone: str) -> str:
    """The same instant on the viewer's clock: '2026-11-25 10:10' (the zone in its own column)."""
    if moment is None:
        return ""
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def hours(minutes: int | None) -> str:
    """Minutes as decimal hours, exactly to the minute's 1/60 rounded to 4 places: 90 -> '1.5'."""
    if minutes is None:
        return ""
    whole, rest = divmod(int(minutes), 60)
    if not rest:
        return str(whole)
    return f"{int(minutes) / 60:.4f}".rstrip("0").rstrip(".")


def cell(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    if text.startswith(_FORMULA_START) and not _NUMBER.match(text):
        return "'" + text
    return text


def render(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180 line ends
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return "\ufeff" + out.getvalue()


def response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    name = _SAFE_NAME.sub("-", filename).strip("-") or "export.csv"
    return Response(
        body=render(header, rows),
        status_code=200,
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
