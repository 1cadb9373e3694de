"""What customers answer (issue 15): CSAT ratings of resolved inquiries, the weekly CSAT counters the
performance bonus reads, and NPS surveys with their recipients and answers. Keys are built here
with store.keys only (keys.py's table lists them):

| item                                 | pk                           | sk                          | indexes |
|--------------------------------------|------------------------------|-----------------------------|---------|
| a CSAT rating (the inquiry's head    | `T#<t>#RATINGS#<yyyy-mm>`    | `<at>#<inquiry>`            | GSI1 `A#<agent>#RATINGS`, `<at>#<t>#<inquiry>` |
|   holds it too, set once)            |                              |                             | |
| CSAT of an agent at a business, week | `T#<t>#CSAT#<yyyy-Www>`      | `A#<agent>`                 | |
| a business's NPS surveys, its tally  | `T#<t>#NPS`                  | `SURVEY#<id>`, `TALLY`      | |
| a survey's recipients and answers    | `T#<t>#NPS#<survey>`         | `TO#<sha256(email)>`, `ANS#<at>#<sha256(email)>` | |

A rating is recorded once: the inquiry head's `rating` is set under `attribute_not_exists`, in the
transaction that also writes the rating item, adds to the week's counter and moves the agent's
reputation. An NPS answer is recorded once per recipient: the recipient's `answered_at`, set under
`attribute_not_exists` with the answer item and the survey's and business's tallies. The weekly
counter is what the billing run reads for a contract's performance bonus: one Query gives every
agent's CSAT at the business for the week, whatever the number of ratings."""

from __future__ import annotations

import hashlib
from datetime import datetime

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.domain.time import BillingWeek
from chalicelib.store import keys
from chalicelib.store.attributes import (
    IntegerAttribute,
    OptionalDateTimeAttribute,
    OptionalIntegerAttribute,
    OptionalUnicodeAttribute,
)
from chalicelib.store.base import Entity


def _moment(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class RatingRecord(Entity, discriminator="csat_rating"):
    inquiry_id = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    number = IntegerAttribute()
    score = IntegerAttribute()
    comment = UnicodeAttribute(default="")
    agent_id = OptionalUnicodeAttribute()
    agent_name = OptionalUnicodeAttribute()
    business_name = UnicodeAttribute(default="")
    at = UTCDateTimeAttribute()


class CsatWeekRecord(Entity, discriminator="csat_week"):
    """An agent's ratings at one business in one billing week (ADD in each rating's transaction)."""

    agent_id = UnicodeAttribute()
    ratings = IntegerAttribute(default=0)
    good = IntegerAttribute(default=0)  # 4 or 5


class NpsSurveyRecord(Entity, discriminator="nps_survey"):
    survey_id = UnicodeAttribute()
    name = UnicodeAttribute(default="")
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    links_until = UTCDateTimeAttribute()
    recipients = IntegerAttribute(default=0)
    mailed = IntegerAttribute(default=0)
    promoters = IntegerAttribute(default=0)
    passives = IntegerAttribute(default=0)
    detractors = IntegerAttribute(default=0)


class NpsTallyRecord(Entity, discriminator="nps_tally"):
    """Every answer to every survey of the business: its NPS on one item."""

    promoters = IntegerAttribute(default=0)
    passives = IntegerAttribute(default=0)
    detractors = IntegerAttribute(default=0)


class NpsRecipientRecord(Entity, discriminator="nps_recipient"):
    email = UnicodeAttribute()
    answered_at = OptionalDateTimeAttribute()
    score = OptionalIntegerAttribute()


class NpsAnswerRecord(Entity, discriminator="nps_answer"):
    email = UnicodeAttribute()
    score = IntegerAttribute()
    comment = UnicodeAttribute(default="")
    at = UTCDateTimeAttribute()


# -- keys -----------------------------------------------------------------------------------------


def rating_pk(tenant: TenantId, at: datetime) -> str:
    return keys.tenant_pk(tenant, "RATINGS", at.strftime("%Y-%m"))


def rating_key(tenant: TenantId, at: datetime, inquiry_id: str) -> tuple[str, str]:
    return rating_pk(tenant, at), keys.sort_key(_moment(at), inquiry_id)


def agent_ratings_index(agent: AgentId) -> str:
    return keys.agent_pk(agent, "RATINGS")


def agent_ratings_sk(at: datetime, tenant: TenantId, inquiry_id: str) -> str:
    return keys.sort_key(_moment(at), tenant.value, inquiry_id)


def csat_week_pk(tenant: TenantId, week: BillingWeek) -> str:
    return keys.tenant_pk(tenant, "CSAT", str(week))


def csat_week_key(tenant: TenantId, week: BillingWeek, agent: AgentId) -> tuple[str, str]:
    return csat_week_pk(tenant, week), keys.sort_key("A", agent.value)


def surveys_pk(tenant: TenantId) -> str:
    return keys.tenant_pk(tenant, "NPS")


def survey_key(tenant: TenantId, survey_id: str) -> tuple[str, str]:
    return surveys_pk(tenant), keys.sort_key("SURVEY", survey_id)


def tally_key(tenant: TenantId) -> tuple[str, str]:
    return surveys_pk(tenant), "TALLY"


def survey_pk(tenant: TenantId, survey_id: str) -> str:
    return keys.tenant_pk(tenant, "NPS", survey_id)


def email_digest(email: str) -> str:
    return hashlib.sha256(email.lower().encode()).hexdigest()


def recipient_key(tenant: TenantId, survey_id: str, digest: str) -> tuple[str, str]:
    return survey_pk(tenant, survey_id), keys.sort_key("TO", digest)


def answer_key(tenant: TenantId, survey_id: str, at: datetime, digest: str) -> tuple[str, str]:
    return survey_pk(tenant, survey_id), keys.sort_key("ANS", _moment(at), digest)
