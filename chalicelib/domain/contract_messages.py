"""A contract's message thread (issue 14, item 7): after hiring, the business and the agent write
to each other about the work, beside the contract.

- Either party writes while the contract runs (active or paused, started or not); an offer still
  has its application's thread, and a contract that ended (or never began) keeps its messages to
  read but takes no new one.
- A message is plain text, 1 to 4,000 characters after trimming; pages escape it (templates
  autoescape) and mails quote it as the author's words, never in a subject.
- Each message mails the other side; posting is limited per author (domain/limits.py,
  `contract_messages_per_author`)."""

from __future__ import annotations

from chalicelib.domain.contracts import Status
from chalicelib.domain.errors import Conflict, InvalidInput

MAX_MESSAGE = 4000
OPEN = frozenset({Status.ACTIVE, Status.PAUSED})


def check_message(text: str) -> str:
    body = text.strip()
    if not body:
        raise InvalidInput("write a message", field="body")
    if len(body) > MAX_MESSAGE:
        raise InvalidInput(f"write at most {MAX_MESSAGE:,} characters (this has {len(body):,})", field="body")
    return body


def may_post(status: Status) -> bool:
    return status in OPEN


def check_may_post(status: Status) -> None:
    if not may_post(status):
        if status is Status.OFFERED:
            raise Conflict(
                "the thread opens once the offer is accepted; until then write in the application's thread",
                code="contract_not_running",
                field="body",
            )
        raise Conflict(
            f"this contract is {status}: its messages stay to read, and it takes no new one",
            code="contract_not_running",
            field="body",
        )
