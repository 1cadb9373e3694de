"""What customers are asked and how their answers add up.

- **CSAT**: after an inquiry is resolved, the customer rates it 1 to 5; CSAT is the share of
  ratings that are 4 or 5 (domain/reputation.csat).
- **NPS**: "How likely are you to recommend ...?" 0 to 10; promoters answer 9-10, detractors 0-6;
  NPS = % promoters - % detractors, from -100 to 100.
A link that carries an answer is signed, single use and expires after LINK_DAYS (PROMISES R1)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from chalicelib.domain.errors import InvalidInput

LINK_DAYS = 14
MAX_COMMENT = 2_000


def check_rating(score: int) -> int:
    if type(score) is not int or not 1 <= score <= 5:
        raise InvalidInput("choose from 1 (very poor) to 5 (excellent)", field="score")
    return score


def check_nps_answer(score: int) -> int:
    if type(score) is not int or not 0 <= score <= 10:
        raise InvalidInput("choose from 0 (not at all likely) to 10 (extremely likely)", field="score")
    return score


def check_comment(comment: str | None, *, plain: Callable[[str], str]) -> str:
    """An optional comment (a customer's, a peer reviewer's), kept as plain text: markup removed
    by `plain` (adapters/markdown.plain_text: a sanitiser is a library, kept out of the domain),
    hidden and control characters dropped (lines and tabs kept, CRLF as LF), trimmed; at most
    MAX_COMMENT characters. Pages escape it again when they show it."""
    raw = comment or ""
    if len(raw) > 4 * MAX_COMMENT:  # no parser runs on a body that long
        raise InvalidInput(f"a comment is at most {MAX_COMMENT:,} characters", field="comment")
    text = plain(raw).strip()
    if len(text) > MAX_COMMENT:
        raise InvalidInput(f"a comment is at most {MAX_COMMENT:,} characters", field="comment")
    return text


@dataclass(frozen=True)
class NpsTally:
    promoters: int = 0
    passives: int = 0
    detractors: int = 0

    def add(self, score: int) -> NpsTally:
        check_nps_answer(score)
        if score >= 9:
            return NpsTally(self.promoters + 1, self.passives, self.detractors)
        if score >= 7:
            return NpsTally(self.promoters, self.passives + 1, self.detractors)
        return NpsTally(self.promoters, self.passives, self.detractors + 1)

    @property
    def responses(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def score(self) -> Fraction | None:
        """NPS from -100 to 100 (None before any answer)."""
        if not self.responses:
            return None
        return Fraction(100 * (self.promoters - self.detractors), self.responses)


# -- NPS surveys: who is asked ----------------------------------------------------------------------

MAX_RECIPIENTS = 500  # per survey: the mail goes out in the request that sends it
MAX_SURVEY_NAME = 120
MAX_CSV_CHARS = 200_000


def check_survey_name(name: str | None) -> str:
    text = " ".join((name or "").split())
    if len(text) > MAX_SURVEY_NAME:
        raise InvalidInput(f"a name is at most {MAX_SURVEY_NAME} characters", field="name")
    return text


def parse_recipients(csv_text: str, *, field: str = "recipients") -> list[str]:
    """The addresses of a CSV export (a column headed `email`, whatever else it has) or of a plain
    list (one address a line, or the first column). Every address is checked strictly, as a
    customer's address is (one plain address, nothing that can reach a header); one that is not is
    refused with its line, never skipped. Repeats count once. At most MAX_RECIPIENTS."""
    import csv
    import io

    if len(csv_text) > MAX_CSV_CHARS:
        raise InvalidInput(f"the list is at most {MAX_CSV_CHARS:,} characters", field=field)
    try:
        rows = [
            row
            for row in csv.reader(io.StringIO(csv_text.replace("\r\n", "\n")))
            if any(c.strip() for c in row)
        ]
    except csv.Error as error:
        raise InvalidInput(f"that is not a CSV file: {error}", field=field) from None
    if not rows:
        raise InvalidInput("add at least one email address", field=field)
    header = [cell.strip().lower() for cell in rows[0]]
    column, first_line = 0, 1
    for name in ("email", "e-mail", "email address", "email_address"):
        if name in header:
            column, first_line = header.index(name), 2
            rows = rows[1:]
            break
    return addresses(
        [row[column] if column < len(row) else "" for row in rows], field=field, first_line=first_line
    )


def addresses(values: list[str], *, field: str = "recipients", first_line: int = 1) -> list[str]:
    """Each value one plain address (strictly), lowercased, repeats once; refused with its line."""
    from chalicelib.domain.inquiries import check_customer_email

    seen: dict[str, None] = {}
    for index, value in enumerate(values):
        try:
            seen.setdefault(check_customer_email(value, field=field), None)
        except InvalidInput:
            raise InvalidInput(
                f"line {first_line + index} is not one email address such as name@example.com", field=field
            ) from None
        if len(seen) > MAX_RECIPIENTS:
            raise InvalidInput(
                f"a survey goes to at most {MAX_RECIPIENTS} people; split the list", field=field
            )
    if not seen:
        raise InvalidInput("add at least one email address", field=field)
    return list(seen)
