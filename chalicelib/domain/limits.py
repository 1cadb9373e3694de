"""Abuse limits (PROMISES T5): how often a tenant, an API key, a session, a client address or an
email may do something, so that no one caller exhausts what everyone shares.

Each limit is a token bucket: `count` per `per`, up to `burst` at once. It is kept as the GCRA
("generic cell rate algorithm") form of a bucket: one number per subject, its theoretical arrival
time (TAT). A request at `now` is allowed when the TAT is at most `now + (burst - 1) x interval`,
and moves it to `max(TAT, now) + interval`. That is one conditional, atomic update in DynamoDB
with no read first (store/limits.py), so parallel requests cannot slip past the count.

The numbers below are production's and docs/identity.md lists them. `Limits.relaxed()` is for a
clock that does not run (a test's hand-moved clock, the local stage's DESKHIRE_FIXED_CLOCK): a
bucket refills only as time passes, so there the request rates are scaled up, while the limits
that protect mailboxes (resets, invitations) keep their numbers."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from datetime import timedelta

from chalicelib.domain.errors import TooManyRequests

MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)


@dataclass(frozen=True)
class Rate:
    count: int
    per: timedelta
    burst: int | None = None  # how many at once; `count` when left out

    @property
    def capacity(self) -> int:
        return self.burst or self.count

    @property
    def interval_ms(self) -> int:
        """Time for one token to come back."""
        return max(1, int(self.per.total_seconds() * 1000) // self.count)

    def latest_allowed(self, now_ms: int) -> int:
        """A request at `now_ms` is allowed when the TAT is at most this."""
        return now_ms + (self.capacity - 1) * self.interval_ms

    def wait_seconds(self, tat_ms: int, now_ms: int) -> int:
        """How long until a request would be allowed again (Retry-After), at least a second."""
        return max(1, math.ceil((tat_ms - self.latest_allowed(now_ms)) / 1000))

    def forgets_after_ms(self, now_ms: int) -> int:
        """When the bucket is full again at the latest, and its item may go (TTL)."""
        return self.latest_allowed(now_ms) + self.interval_ms

    def scaled(self, factor: int) -> Rate:
        return Rate(self.count * factor, self.per, self.capacity * factor)

    def __str__(self) -> str:
        minutes = int(self.per.total_seconds() // 60)
        unit = {MINUTE: "a minute", HOUR: "an hour", DAY: "a day"}.get(self.per, f"per {minutes} minutes")
        return f"{self.count} {unit}, {self.capacity} at once"


@dataclass(frozen=True)
class Limits:
    # Every authenticated API request spends from its credential's bucket and its tenant's.
    api_key: Rate = Rate(600, MINUTE, burst=50)  # 10 a second per integration key
    session: Rate = Rate(300, MINUTE, burst=30)  # 5 a second per signed-in session (API or portal)
    tenant: Rate = Rate(1200, MINUTE, burst=200)  # 20 a second for all of a business's callers
    # Public forms, per client address.
    signup_per_address: Rate = Rate(10, HOUR, burst=5)
    reset_per_address: Rate = Rate(20, HOUR, burst=10)
    # Mailboxes: one reset mail per address every 5 minutes (silently: the answer is the same).
    reset_per_email: Rate = Rate(1, timedelta(minutes=5))
    # Invitations: one outside address is invited at most 3 times a day, by anyone; a business in
    # its first week invites at most 10 people a day, later 100.
    invite_per_email: Rate = Rate(3, DAY)
    invites_new_tenant: Rate = Rate(10, DAY)
    invites_tenant: Rate = Rate(100, DAY, burst=50)
    new_tenant_for: timedelta = timedelta(days=7)
    # The public help centre (issue 15): pages per client address, searches per address on top,
    # and everything aimed at one business's help centre, from every address together.
    help_per_address: Rate = Rate(120, MINUTE, burst=40)
    help_search_per_address: Rate = Rate(30, MINUTE, burst=10)
    help_tenant: Rate = Rate(3000, MINUTE, burst=300)
    # Inquiries from outside (issue 15): the help centre's contact form per client address and per
    # customer address typed, and everything sent to one business; the inbound-mail webhook per
    # sender address and per business. A noisy sender is slowed down, the business's queue is not
    # flooded; a real customer writes a few times an hour at most.
    contact_per_address: Rate = Rate(10, HOUR, burst=5)
    contact_per_email: Rate = Rate(10, HOUR, burst=5)
    contact_tenant: Rate = Rate(600, HOUR, burst=100)
    inbound_per_sender: Rate = Rate(20, HOUR, burst=10)
    inbound_tenant: Rate = Rate(3000, HOUR, burst=300)
    # Helpdesk integrations (issue 15, slice 10): every ticket event one business's Zendesk or
    # Freshdesk sends, whichever of its keys it comes with (a macro that solves 500 tickets at
    # once is 500 events; the helpdesks retry a 429 after its Retry-After).
    helpdesk_tenant: Rate = Rate(6000, HOUR, burst=600)
    # Surveys (issue 15): NPS surveys a business sends a day, and the people they go to (a survey
    # spends a token per recipient, all or none), so that nobody mails a bought list through
    # deskhire; rating and survey answers per client address (the links are single use anyway).
    nps_surveys_tenant: Rate = Rate(10, DAY)
    nps_recipients_tenant: Rate = Rate(2000, DAY)
    answers_per_address: Rate = Rate(30, HOUR, burst=10)
    # Messages in a contract's thread (issue 14, item 7), per author: each one mails the other
    # side, so a person writes a few an hour and a burst of a conversation, never a flood.
    contract_messages_per_author: Rate = Rate(60, HOUR, burst=20)

    # The request rates, which a clock that does not move would never refill.
    REQUEST_RATES = (
        "api_key",
        "session",
        "tenant",
        "signup_per_address",
        "reset_per_address",
        "help_per_address",
        "help_search_per_address",
        "help_tenant",
        "contact_per_address",
        "contact_per_email",
        "contact_tenant",
        "inbound_per_sender",
        "inbound_tenant",
        "helpdesk_tenant",
        "answers_per_address",
    )

    @classmethod
    def relaxed(cls, factor: int = 1000) -> Limits:
        base = cls()
        return dataclasses.replace(
            base, **{name: getattr(base, name).scaled(factor) for name in cls.REQUEST_RATES}
        )


class RateLimited(TooManyRequests):
    code = "rate_limited"

    def __init__(self, retry_after_seconds: int, message: str | None = None):
        super().__init__(message or f"too many requests; try again in {retry_after_seconds} seconds")
        self.retry_after_seconds = retry_after_seconds
