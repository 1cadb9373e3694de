"""An agent as a business sees them before hiring (issue 14, item 7): the profile in words
(languages and levels by name, skills by name), their weekly availability on the viewer's clock,
the hours they have worked on deskhire, their tier and reputation.

Who may see it: every **approved** agent's profile is open to every business. An approved agent is
one deskhire has vetted and lists in the marketplace, and any business already sees them ranked in
the matches for its openings, so the profile tells a business nothing the marketplace does not
offer it; hiring needs it before any application or invitation exists (that is when a business
decides whom to invite). An agent who is not approved (waiting for vetting, rejected, suspended)
or who does not exist is "not found" (404) to every business, including those they once worked
for: their contracts keep their name. docs/marketplace.md says the same."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from chalicelib.domain.schedule import WeeklySchedule, seen_from
from chalicelib.domain.tenancy import AgentId
from chalicelib.domain.vocabulary import skill_names, spoken
from chalicelib.services import profiles
from chalicelib.store.identity import AgentRecord
from chalicelib.store.marketplace import schedule_of

# deskhire's first day: the agent's days across businesses are read from here (one Query)
FIRST_DAY = date(2020, 1, 1)


@dataclass(frozen=True)
class AgentView:
    agent: AgentRecord
    languages: list[tuple[str, str]]  # (language name, level name), strongest first
    skills: list[str]  # names, helpdesk tools then channels as the vocabulary lists them
    availability: WeeklySchedule | None  # on the viewer's clock, this week
    minutes_worked: int  # minutes approved (by businesses or at the review window's close)


def minutes_worked(agent_id: str, *, today: date) -> int:
    from chalicelib.store import metrics

    return sum(d.minutes_approved for d in metrics.agent_own_days(AgentId(agent_id), FIRST_DAY, today))


def for_business(agent_id: str, *, zone: str, now: datetime) -> AgentView:
    """The profile a business sees (approved agents only: anyone else is NotFound)."""
    record = profiles.public_profile(agent_id)
    availability = (
        seen_from(schedule_of(record.availability), zone, week_of=now.date()) if record.availability else None
    )
    return AgentView(
        agent=record,
        languages=spoken(dict(record.languages or {})),
        skills=skill_names(list(record.skills or [])),
        availability=availability,
        minutes_worked=minutes_worked(agent_id, today=now.date()),
    )
