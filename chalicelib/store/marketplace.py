"""Marketplace items: openings, and the match index that finds candidates without reading every
agent.

The match index: an approved agent with a complete profile is listed once per language they
speak, under the hard filters that can be keys:

    pk = IDX#<currency>#<language>     (the currency they are paid in; the language)
    sk = <level rank>#<agent id>       (so a query starts at the level asked for)

Each index item carries the agent's matching card (languages, skills, products, tier, rate,
availability, reputation), so ranking an opening's candidates reads one partition from the
required level up: the agents who pass the currency and language filters, and no one else.
Skills are scored, not filtered, so they are not keys. Items read grow with the candidates,
not with all agents."""

from __future__ import annotations

from datetime import date

from pynamodb.attributes import (
    JSONAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.domain.matching import Candidate, Need
from chalicelib.domain.money import Money
from chalicelib.domain.reputation import Reputation, from_snapshot, snapshot
from chalicelib.domain.schedule import DAYS, WeeklySchedule, Window
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.domain.vocabulary import LEVELS
from chalicelib.store import keys
from chalicelib.store.attributes import (
    IntegerAttribute,
    OptionalDateTimeAttribute,
    OptionalIntegerAttribute,
    OptionalUnicodeAttribute,
    StringListAttribute,
)
from chalicelib.store.base import Entity, Versioned


class OpeningRecord(Versioned, discriminator="opening"):
    opening_id = UnicodeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    skills = StringListAttribute(default=list)
    products = StringListAttribute(default=list)
    languages = JSONAttribute(default=dict)  # {"en": "b2"}
    coverage = JSONAttribute()  # WeeklySchedule.to_json()
    minutes_per_week = OptionalIntegerAttribute()
    block_minutes = OptionalIntegerAttribute()
    rate_min_minor = IntegerAttribute()
    rate_max_minor = IntegerAttribute()
    currency = UnicodeAttribute()
    tier = IntegerAttribute(default=1)
    seats = IntegerAttribute(default=1)
    filled_seats = IntegerAttribute(default=0)  # accepted offers (contracts)
    start_date = UnicodeAttribute()  # ISO date
    status = UnicodeAttribute(default="draft")
    business_name = UnicodeAttribute()
    created_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()


class MatchIndexItem(Entity, discriminator="match_index"):
    agent_id = UnicodeAttribute()
    card = JSONAttribute()


def schedule_of(data: dict) -> WeeklySchedule:
    return WeeklySchedule.build(
        data["time_zone"],
        [
            Window.parse(w["day"], w["start"], w["end"], field=f"windows.{i}")
            for i, w in enumerate(data["windows"])
        ],
    )


def need_of(record: OpeningRecord) -> Need:
    return Need(
        opening_id=record.opening_id,
        title=record.title,
        languages={code: LEVELS.index(level) for code, level in record.languages.items()},
        skills=frozenset(record.skills),
        products=frozenset(record.products),
        tier=int(record.tier),
        rate_min=Money(int(record.rate_min_minor), record.currency),
        rate_max=Money(int(record.rate_max_minor), record.currency),
        minutes_per_week=int(record.minutes_per_week) if record.minutes_per_week is not None else None,
        coverage=schedule_of(record.coverage),
        start=date.fromisoformat(record.start_date),
    )


def card_of(agent) -> dict:
    return {
        "agent_id": agent.agent_id,
        "name": agent.name,
        "headline": agent.headline,
        "languages": dict(agent.languages),
        "skills": list(agent.skills),
        "products": list(agent.products),
        "tier": int(agent.tier or 1),
        "min_rate_minor": int(agent.min_rate_minor),
        "currency": agent.rate_currency,
        "availability": agent.availability,
        "rating_count": int(agent.rating_count),
        "rating_total": int(agent.rating_total),
        # the agent's reputation as their record holds it: ranking reads no other item
        "reputation": snapshot(reputation_of(agent)),
    }


def reputation_of(agent) -> Reputation:
    """The agent's reputation from their record: its snapshot, else their plain rating counts."""
    return from_snapshot(
        getattr(agent, "reputation", None),
        ratings=int(agent.rating_count or 0),
        total=int(agent.rating_total or 0),
    )


def candidate_of(card: dict) -> Candidate:
    return Candidate(
        agent_id=card["agent_id"],
        name=card["name"],
        headline=card["headline"],
        languages={code: LEVELS.index(level) for code, level in card["languages"].items()},
        skills=frozenset(card["skills"]),
        products=frozenset(card["products"]),
        tier=card["tier"],
        min_rate=Money(card["min_rate_minor"], card["currency"]),
        availability=schedule_of(card["availability"]),
        reputation=from_snapshot(
            card.get("reputation"), ratings=card["rating_count"], total=card["rating_total"]
        ),
    )


def index_items(agent) -> list[MatchIndexItem]:
    """The index items an approved agent with a complete profile is listed under."""
    card = card_of(agent)
    items = []
    for code, level in agent.languages.items():
        pk = keys.platform_pk("IDX", f"{agent.rate_currency}#{code}")
        sort = keys.sort_key(f"{LEVELS.index(level):02d}", agent.agent_id)
        items.append(MatchIndexItem(pk, sort, agent_id=agent.agent_id, card=card))
    return items


def candidates_for(need: Need) -> tuple[list[Candidate], int]:
    """Candidates from the index partition for `need`'s currency and first language, from the
    required level up; and the number of items read."""
    language = sorted(need.languages)[0]
    pk = keys.platform_pk("IDX", f"{need.rate_max.currency}#{language}")
    floor = f"{need.languages[language]:02d}"
    read = 0
    candidates = []
    # Every candidate is read (page after page): a capped read would rank an arbitrary subset.
    for item in MatchIndexItem.query(pk, MatchIndexItem.sk >= floor):
        read += 1
        candidates.append(candidate_of(item.card))
    return candidates, read


def weekdays_schedule_json(time_zone: str, start: str, end: str) -> dict:
    return {"time_zone": time_zone, "windows": [{"day": d, "start": start, "end": end} for d in DAYS[:5]]}


class ApplicationRecord(Versioned, discriminator="application"):
    """In the business's partition (`APP#<id>`), and on GSI1 under `A#<agent>#APPS` for the agent."""

    application_id = UnicodeAttribute()
    opening_id = UnicodeAttribute()
    opening_title = UnicodeAttribute()
    business_name = UnicodeAttribute()
    agent_id = UnicodeAttribute()
    agent_name = UnicodeAttribute()
    agent_email = UnicodeAttribute()
    cover_note = UnicodeAttribute(default="")
    proposed_rate_minor = IntegerAttribute()
    currency = UnicodeAttribute()
    earliest_start = UnicodeAttribute()
    status = UnicodeAttribute(default="submitted")
    decline_reason = OptionalUnicodeAttribute()
    business_unread = IntegerAttribute(default=0)
    agent_unread = IntegerAttribute(default=0)
    created_at = UTCDateTimeAttribute()


class InvitationRecord(Entity, discriminator="invitation"):
    """A business asking an agent to apply; on GSI1 under `A#<agent>#INVITATIONS`."""

    invitation_id = UnicodeAttribute()
    opening_id = UnicodeAttribute()
    opening_title = UnicodeAttribute()
    business_name = UnicodeAttribute()
    agent_id = UnicodeAttribute()
    note = UnicodeAttribute(default="")
    created_at = UTCDateTimeAttribute()


class MessageRecord(Entity, discriminator="message"):
    """A message in an application's thread: pk `T#<tenant>#THREAD#<application>`."""

    author_kind = UnicodeAttribute()
    author_id = UnicodeAttribute()
    author_name = UnicodeAttribute()
    body = UnicodeAttribute()
    at = UTCDateTimeAttribute()


class InterviewRecord(Entity, discriminator="interview"):
    """An interview in an application's thread partition (`INTERVIEW#<id>`)."""

    interview_id = UnicodeAttribute()
    application_id = UnicodeAttribute()
    slots = StringListAttribute()  # RFC 3339 UTC
    duration_minutes = IntegerAttribute()
    status = UnicodeAttribute(default="proposed")  # proposed, booked
    chosen = OptionalDateTimeAttribute()
    proposed_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    # what the action lists say of it without reading the application (issue 14, item 6); an
    # interview proposed before they were kept has none, nor the index keys, until the
    # `backfill-interviews` job gives it both (services/interviews.list_again)
    opening_title = OptionalUnicodeAttribute()
    agent_name = OptionalUnicodeAttribute()
    business_name = OptionalUnicodeAttribute()


def agent_interviews_index(agent: AgentId) -> str:
    """GSI1: an agent's interviews still to come, sorted by the moment they stop mattering (the
    last slot offered, or the slot booked)."""
    return keys.agent_pk(agent, "INTERVIEWS")


def business_interviews_index(tenant: TenantId) -> str:
    """GSI2: a business's interviews still to come, sorted the same way (tenant-prefixed, so that
    the tenant's session may query it)."""
    return keys.tenant_pk(tenant, "INTERVIEWS")
