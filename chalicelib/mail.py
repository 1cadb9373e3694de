"""Mail out: SES in deployed stages; in the local stage an outbox a person reads in the browser
(/dev/outbox). Both take the same message.

A subject is deskhire's own words, always (issue 12: a business named "deskhire Security: your
account is locked, verify at https://evil.example" sent invitations whose subject read as
deskhire's warning). So a `Mail` takes no text for a subject: it takes a member of `Subject`, the
catalogue of every subject deskhire sends, filled in with parameters that cannot carry anyone's
words (counts, ISO weeks, members of deskhire's own enumerations). Whatever a business, a member
or an agent chose (a name, a title, a note, a message) goes in the body, quoted as their words by
`their_words`: control characters and links removed, names on one line and capped. The sender is
the deployment's (settings.mail_sender), never a tenant's name."""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from chalicelib.domain.time import BillingWeek


class Subject(Enum):
    """Every subject deskhire's mail carries. `{name}` fields take only `SubjectLine`'s kinds."""

    # identity and teams
    TEAM_INVITATION = "You are invited to join a team on deskhire"
    PASSWORD_RESET = "Reset your deskhire password"
    PASSWORD_NO_ACCOUNT = "About your deskhire password"
    # hiring
    INVITED_TO_APPLY = "A business invites you to apply to an opening"
    APPLICATION_MESSAGE = "New message about an application"
    NEW_APPLICATION = "A new application to your opening"
    INTERVIEW_BOOKED = "Your interview is booked"
    INTERVIEW_BOOKED_BY_AGENT = "An agent booked an interview with you"
    OFFER_RECEIVED = "You have a contract offer on deskhire"
    OFFER_WITHDRAWN = "A contract offer to you was withdrawn"
    OFFER_ACCEPTED = "Your contract offer was accepted"
    OFFER_DECLINED = "Your contract offer was declined"
    OFFER_EXPIRED = "Your contract offer expired"
    # vetting (to the agent)
    AGENT_APPROVED = "Your deskhire agent account is approved"
    AGENT_NOT_APPROVED = "Your deskhire agent account was not approved"
    # contracts
    CONTRACT_PAUSED = "A contract was paused"
    CONTRACT_ENDED = "A contract was ended"
    CONTRACT_RESUMED = "A contract resumed"
    CONTRACT_MESSAGE = "New message about a contract"
    CHANGE_PROPOSED = "A change to a contract waits for your answer"
    CHANGE_SETTLED = "Your change to a contract was {status}"
    BLOCK_TOPPED_UP = "More hours on a block contract"
    BONUS_GRANTED = "You received a bonus"
    # disputes
    DISPUTE_FILED = "{minutes} minutes of your time are disputed"
    DISPUTE_FILED_BY_TEAM = "Your team disputed {minutes} minutes of an agent's time"
    DISPUTE_MESSAGE = "New message in a dispute"
    DISPUTE_CONTESTED = "A dispute goes to deskhire"
    DISPUTE_SETTLED = "A dispute was settled: {outcome}"
    # billing
    INVOICE_READY = "Your deskhire invoice for week {week}"
    PAYMENT_FAILED = "Payment failed for week {week}"
    CONFIRM_PAYMENT = "Confirm the payment for week {week}"
    INVOICE_OVERDUE = "Your deskhire invoice for week {week} is overdue"
    CONTRACTS_PAUSED_UNPAID = "Your deskhire contracts are paused"
    REFUND_FOR_WEEK = "Refund for week {week}"
    MINUTES_REFUNDED = "{minutes} minutes of week {week} were refunded"
    BANK_PAYOUT_FAILED = "Stripe could not pay your earnings into your bank"
    # support operations: to the customer, the business's reply (the business's name in the body);
    # to the business's owners and admins, what needs them
    INQUIRY_REPLY = "Your request #{number}"
    INQUIRY_ESCALATED = "Request #{number} needs your team"
    INQUIRY_BREACHED = "Request #{number} missed its first-response target"
    # to the customer after a resolution (CSAT) and in a business's survey (NPS); the business's
    # name in the body
    RATE_YOUR_REQUEST = "How did we do with your request #{number}?"
    NPS_SURVEY = "One question about a business you use"
    # metrics: to the business's owners and admins (the day and the reasons in the body)
    CONTACT_SPIKE = "Your customers are contacting you more than usual"

    def line(self, **params: int | BillingWeek | Enum) -> SubjectLine:
        """This subject with its fields filled in: counts, ISO weeks or members of deskhire's own
        enumerations only, never text (a str parameter is refused, whoever chose it)."""
        from chalicelib.domain.time import BillingWeek

        wanted = {field for _, field, _, _ in string.Formatter().parse(self.value) if field}
        if set(params) != wanted:
            raise TypeError(f"{self.name} takes {sorted(wanted)}, not {sorted(params)}")
        for name, value in params.items():
            safe = (isinstance(value, int) and not isinstance(value, bool)) or isinstance(
                value, BillingWeek | Enum
            )
            if not safe:
                raise TypeError(f"{self.name}: {name} must be a count, a week or a deskhire enum, not text")
        values = {name: value.value if isinstance(value, Enum) else value for name, value in params.items()}
        return SubjectLine(self.value.format(**values), _key=_KEY)


_KEY = object()


class SubjectLine(str):
    """A subject as sent: made only by `Subject.line`."""

    def __new__(cls, text: str, *, _key: object = None):
        if _key is not _KEY:
            raise TypeError("a subject is made by Subject.<NAME>.line(...), never from text")
        return super().__new__(cls, text)


@dataclass(frozen=True, init=False)
class Mail:
    """A message deskhire sends: `subject` a `Subject` (or its `.line(...)`), never text. It is
    kept as the SubjectLine sent (the constructor is written out so that it can take either)."""

    to: str
    subject: SubjectLine
    text: str
    # Where a reply goes (a support reply's signed address that threads the customer's answer
    # back); deskhire's own address, never one anyone typed.
    reply_to: str | None = None

    def __init__(
        self, to: str, subject: Subject | SubjectLine, text: str, *, reply_to: str | None = None
    ) -> None:
        line = subject.line() if isinstance(subject, Subject) else subject
        if type(line) is not SubjectLine:  # checked at run time too: callers are not all checked
            raise TypeError("a Mail's subject is a Subject (deskhire's own words), never text")
        object.__setattr__(self, "to", to)
        object.__setattr__(self, "subject", line)
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "reply_to", reply_to)


def their_words(
    whose: str,
    names: Mapping[str, str] = {},
    *,
    note: str | None = "",
    note_label: str = "",
    limit: int = 1000,
) -> str:
    """A block quoting what someone chose, as theirs and not deskhire's: each name or title on its
    own line (one line, no link, capped), then a longer text (a note, a message) quoted line by
    line with its links removed.

        In the business's own words (not deskhire's):
            Business: “Acme”
            Note:
            > Welcome aboard"""
    from chalicelib.domain.text import quoted_name, quoted_text

    lines = [f"In {whose} own words (not deskhire's):"]
    lines += [f"    {label}: \u201c{quoted_name(value)}\u201d" for label, value in names.items()]
    quoted = quoted_text(note or "", limit=limit)
    if quoted:
        if note_label:
            lines.append(f"    {note_label}:")
        lines += [f"    > {line}".rstrip() for line in quoted.split("\n")]
    return "\n".join(lines)


class Mailer(Protocol):
    def send(self, mail: Mail, *, now: datetime) -> None: ...


class OutboxMailer:
    def send(self, mail: Mail, *, now: datetime) -> None:
        from chalicelib.store import outbox

        outbox.keep(mail, now=now)


class SesMailer:
    def __init__(self, sender: str, client: Any = None):
        self.sender = sender
        self._client = client  # boto3's SES client (untyped: boto3-stubs are not installed)

    def send(self, mail: Mail, *, now: datetime) -> None:
        if self._client is None:
            import boto3

            self._client = boto3.client("ses")
        extra = {"ReplyToAddresses": [mail.reply_to]} if mail.reply_to else {}
        self._client.send_email(
            Source=self.sender,
            Destination={"ToAddresses": [mail.to]},
            Message={"Subject": {"Data": mail.subject}, "Body": {"Text": {"Data": mail.text}}},
            **extra,
        )
