"""Ranked, explained matches: agents for an opening, openings for an agent."""

from __future__ import annotations

from dataclasses import dataclass, field

from chalicelib.domain.errors import Conflict
from chalicelib.domain.identity import Principal
from chalicelib.domain.matching import Match, Relaxation, rank_agents, rank_openings, relaxations
from chalicelib.services import openings, profiles
from chalicelib.store.marketplace import OpeningRecord, candidate_of, candidates_for, card_of, need_of

TOP = 50


@dataclass(frozen=True)
class Ranked:
    matches: list[Match]
    ranks: str  # "agents" (for an opening) or "openings" (for an agent)
    names: dict[str, str]  # agent or opening id -> what to show
    items_read: int
    # an opening with no match: each requirement that, eased alone, would add agents (and how many)
    relax: list[Relaxation] = field(default_factory=list)
    # agents for an opening: the languages each speaks (code -> level rank), shown by name
    languages: dict[str, dict[str, int]] = field(default_factory=dict)

    def subject_of(self, match: Match) -> str:
        return match.agent_id if self.ranks == "agents" else match.opening_id


def agents_for_opening(actor: Principal, opening_id: str) -> Ranked:
    record = openings.get(actor, opening_id)
    need = need_of(record)
    candidates, read = candidates_for(need)
    ranked = rank_agents(need, candidates)[:TOP]
    names = {c.agent_id: c.name for c in candidates}
    relax: list[Relaxation] = []
    if not ranked:
        # which requirement to ease: counted over the agents of every language asked, any level
        from chalicelib.store.match_pool import pool_for

        pool, more = pool_for(need)
        relax, read = relaxations(need, pool), read + more
    spoken = {c.agent_id: c.languages for c in candidates}
    return Ranked(matches=ranked, ranks="agents", names=names, items_read=read, relax=relax, languages=spoken)


def openings_for_agent(actor: Principal) -> Ranked:
    agent = profiles.my_profile(actor)
    if agent.status != "approved" or not profiles.is_complete(agent):
        raise Conflict(
            "your feed opens once your profile is complete and approved", code="profile_incomplete"
        )
    candidate = candidate_of(card_of(agent))
    posted = openings.board()
    needs = [need_of(o) for o in posted]
    ranked = rank_openings(candidate, needs)[:TOP]
    return Ranked(
        matches=ranked,
        ranks="openings",
        names={o.opening_id: f"{o.title} · {o.business_name}" for o in posted},
        items_read=len(posted),
    )


@dataclass(frozen=True)
class BoardFilter:
    skill: str | None = None
    language: str | None = None
    min_hours: float | None = None
    max_hours: float | None = None
    min_rate_minor: int | None = None  # the opening's top rate is at least this
    min_overlap_hours: float | None = None  # with the agent's own availability
    # None: only openings the agent can be paid for (in a settlement currency); "all": every
    # currency; else one currency
    currency: str | None = None


ALL_CURRENCIES = "all"


def payable(record: OpeningRecord, settlement_currencies: tuple[str, ...]) -> bool:
    """Whether deskhire can pay an agent for the opening's hours: its transfers are made in the
    invoice's currency from the charge's balance, which holds only the platform's settlement
    currencies (docs/billing.md, Currencies)."""
    return record.currency in settlement_currencies


def board(
    actor: Principal, wanted: BoardFilter, *, settlement_currencies: tuple[str, ...]
) -> list[tuple[OpeningRecord, float | None]]:
    """Open openings for a vetted agent, filtered (by default those they can be paid for); each
    with its weekly overlap with the agent's availability (hours), newest start first."""
    from chalicelib.domain.errors import NotFound
    from chalicelib.domain.schedule import weekly_overlap_hours

    agent = profiles.my_profile(actor)
    if agent.status != "approved":
        raise NotFound("the board opens to you once an operator approves your account")
    mine = candidate_of(card_of(agent)).availability if profiles.is_complete(agent) else None
    shown = []
    for record in openings.board():
        if wanted.currency is None and not payable(record, settlement_currencies):
            continue
        if wanted.currency not in (None, ALL_CURRENCIES) and record.currency != wanted.currency:
            continue
        hours = (record.minutes_per_week or record.block_minutes or 0) / 60
        if wanted.skill and wanted.skill not in record.skills:
            continue
        if wanted.language and wanted.language not in record.languages:
            continue
        if wanted.min_hours is not None and hours < wanted.min_hours:
            continue
        if wanted.max_hours is not None and hours > wanted.max_hours:
            continue
        if wanted.min_rate_minor is not None and record.rate_max_minor < wanted.min_rate_minor:
            continue
        overlap = None
        if mine is not None:
            need = need_of(record)
            overlap = weekly_overlap_hours(mine, need.coverage, start=need.start, weeks=4)
        if wanted.min_overlap_hours is not None and (overlap is None or overlap < wanted.min_overlap_hours):
            continue
        shown.append((record, overlap))
    return shown
