"""Reputation items (issue 15): each agent's evidence, its weekly history, the events already
counted, and the peer reviews of their replies. Keys are built here with store.keys only (keys.py's
table lists them):

| item                          | pk                     | sk                       | indexes |
|-------------------------------|------------------------|--------------------------|---------|
| an agent's evidence           | `A#<agent>`            | `REPUTATION`             | GSI2 `REPUTATIONS`, `<score:05>#<agent>` (the operators' tier list reads it from the top) |
| its history, a row per week   | `A#<agent>#REP`        | `WEEK#<yyyy-Www>`        | |
| an event already counted      | `A#<agent>#REP`        | `EVENT#<kind>#<id>`      | |
| a peer review                 | `T#<t>#PEER#<week>`    | `<review id>`            | GSI1 `A#<reviewer>#REVIEWS` while to do, `A#<reviewer>#REVIEWED_BY` once scored (sk the review id); GSI2 `A#<agent>#REVIEWED` once scored (`<scored at>#<t>#<id>`) |

The evidence is one item per agent, updated under its version in the transaction that records the
rating, review, breach or upheld dispute behind it; the agent's record and their matching cards get
the new snapshot in the same transaction (services/reputation.py), so matching and routing read no
other item. A breach or a dispute is counted once: its event item is written under
`attribute_not_exists` in that transaction (a rating is once by its inquiry, a review by its item).
A peer review's id is the reviewed reply's work id, so the weekly job creates each one once however
often it runs."""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.domain.reputation import Evidence
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.domain.time import BillingWeek
from chalicelib.store import keys
from chalicelib.store.attributes import (
    IntegerAttribute,
    OptionalDateTimeAttribute,
    OptionalIntegerAttribute,
    OptionalUnicodeAttribute,
)
from chalicelib.store.base import Entity, Versioned


class ReputationRecord(Versioned, discriminator="reputation"):
    """An agent's decayed sums as of their last event (domain.reputation.Evidence) and the plain
    counts shown beside the score."""

    agent_id = UnicodeAttribute()
    as_of = OptionalDateTimeAttribute()
    weight = NumberAttribute(default=0)
    weighted = NumberAttribute(default=0)
    ratings = IntegerAttribute(default=0)
    good_ratings = IntegerAttribute(default=0)
    rating_total = IntegerAttribute(default=0)
    reviews = IntegerAttribute(default=0)
    breaches = IntegerAttribute(default=0)
    upheld = IntegerAttribute(default=0)
    last_upheld_at = OptionalDateTimeAttribute()
    score = IntegerAttribute(default=0)  # 1..5 x 10,000, as of `as_of`

    def evidence(self) -> Evidence:
        return Evidence(
            as_of=self.as_of,
            weight=float(self.weight or 0),
            weighted=float(self.weighted or 0),
            ratings=int(self.ratings or 0),
            good_ratings=int(self.good_ratings or 0),
            rating_total=int(self.rating_total or 0),
            reviews=int(self.reviews or 0),
            breaches=int(self.breaches or 0),
            upheld=int(self.upheld or 0),
        )


class ReputationWeekRecord(Entity, discriminator="reputation_week"):
    """The agent's standing at the end of a week's last event, and what that week added."""

    week = UnicodeAttribute()
    score = IntegerAttribute(default=0)  # 1..5 x 10,000
    ratings = IntegerAttribute(default=0)  # all customer ratings so far
    reviews = IntegerAttribute(default=0)
    breaches = IntegerAttribute(default=0)
    upheld = IntegerAttribute(default=0)
    week_ratings = IntegerAttribute(default=0)  # this week's
    week_good = IntegerAttribute(default=0)
    week_reviews = IntegerAttribute(default=0)
    week_breaches = IntegerAttribute(default=0)
    week_upheld = IntegerAttribute(default=0)
    updated_at = UTCDateTimeAttribute()


class ReputationEvent(Entity, discriminator="reputation_event"):
    """A breach or an upheld dispute already counted (written once, under attribute_not_exists)."""

    at = UTCDateTimeAttribute()


class PeerReviewRecord(Entity, discriminator="peer_review"):
    """One sampled reply of an agent, assigned to another agent of the same business to score."""

    review_id = UnicodeAttribute()  # the reply's work id
    tenant_id = UnicodeAttribute()
    business_name = UnicodeAttribute(default="")
    week = UnicodeAttribute()
    agent_id = UnicodeAttribute()  # whose reply
    agent_name = UnicodeAttribute(default="")
    reviewer_id = UnicodeAttribute()
    reviewer_name = UnicodeAttribute(default="")
    inquiry_id = UnicodeAttribute()
    number = IntegerAttribute()
    message_sk = OptionalUnicodeAttribute()
    replied_at = UTCDateTimeAttribute()
    excerpt = UnicodeAttribute(default="")
    assigned_at = UTCDateTimeAttribute()
    status = UnicodeAttribute(default="to_do")  # to_do, done
    correct = OptionalIntegerAttribute()
    complete = OptionalIntegerAttribute()
    tone = OptionalIntegerAttribute()
    comment = OptionalUnicodeAttribute()
    mean = OptionalIntegerAttribute()  # 1..5 x 10,000
    scored_at = OptionalDateTimeAttribute()


# -- keys -----------------------------------------------------------------------------------------


def reputation_key(agent: AgentId) -> tuple[str, str]:
    return keys.agent_pk(agent), "REPUTATION"


REPUTATIONS = keys.platform_pk("REPUTATIONS", "all")


def reputation_sk(score: int, agent: AgentId) -> str:
    return keys.sort_key(f"{max(0, score):05d}", agent.value)


def history_pk(agent: AgentId) -> str:
    return keys.agent_pk(agent, "REP")


def week_key(agent: AgentId, week: BillingWeek) -> tuple[str, str]:
    return history_pk(agent), keys.sort_key("WEEK", str(week))


def event_key(agent: AgentId, kind: str, event_id: str) -> tuple[str, str]:
    return history_pk(agent), keys.sort_key("EVENT", kind, event_id)


def review_pk(tenant: TenantId, week: BillingWeek | str) -> str:
    return keys.tenant_pk(tenant, "PEER", str(week))


def review_key(tenant: TenantId, week: BillingWeek | str, review_id: str) -> tuple[str, str]:
    return review_pk(tenant, week), review_id


def reviews_to_do_index(reviewer: AgentId) -> str:
    return keys.agent_pk(reviewer, "REVIEWS")


def reviews_done_index(reviewer: AgentId) -> str:
    return keys.agent_pk(reviewer, "REVIEWED_BY")


def feedback_index(agent: AgentId) -> str:
    return keys.agent_pk(agent, "REVIEWED")


def feedback_sk(at: datetime, tenant: TenantId, review_id: str) -> str:
    return keys.sort_key(at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), tenant.value, review_id)
