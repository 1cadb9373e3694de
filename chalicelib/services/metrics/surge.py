"""Surge requests (issue 16): extra hours for the rest of this week, offered as a short hourly
contract (through the ordinary offer flow, accepted like any offer) to agents who already worked
for the business and to the best matches for the hours still short (services/metrics/staffing.py's
plan says which).

A surge goes out under a private opening of the week (paused: never on the board) and each agent
is asked at most once a week: the offer's id is made from the business, the week and the agent,
and the offer is saved only if no contract has that id, so a retried request finds the offer it
made instead of sending a second one. At most MAX_SURGE_AGENTS agents a week."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from chalicelib.composition import Deps
from chalicelib.domain import contracts as contract_rules
from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.identity import Principal
from chalicelib.domain.money import Money, basis_points, line_amount
from chalicelib.domain.tenancy import TenantId
from chalicelib.services.metrics.staffing import Plan, _require_member, gap_windows, plan_for

MAX_SURGE_AGENTS = 10  # agents asked in one week, all requests together
TOP_MATCHES = 10
SURGE_TIER = 1
SURGE_TITLE = "Surge, week "


@dataclass(frozen=True)
class SurgeCandidate:
    agent_id: str
    name: str
    why: str  # "worked for you" or the match's score
    min_rate: Money | None
    tier: int
    score: int | None = None
    already_asked: bool = False


@dataclass(frozen=True)
class SurgeScope:
    """What a surge this week would ask for."""

    week: str
    monday: date
    start_date: date  # today, on the business's clock
    end_date: date  # the week's Sunday
    windows: list[tuple[str, str, str]]  # the remaining gap, a window a day
    missing_hours: int  # agent-hours missing in the week's remaining hours


def surge_scope(plan: Plan) -> SurgeScope:
    """The rest of this week's gap. A surge needs a day after today in the week (a contract ends
    after it starts) and some agent-hours missing."""
    today = plan.now.astimezone(ZoneInfo(plan.time_zone)).date()
    sunday = plan.monday + timedelta(days=6)
    remaining = plan.remaining()
    missing = sum(max(0, p.gap) for p in remaining)
    if today >= sunday:
        raise Conflict(
            "a surge runs for the rest of this week, and the week ends today: post an opening instead",
            code="week_ending",
        )
    if missing == 0:
        raise Conflict("no agent-hours are missing for the rest of this week", code="no_gap")
    return SurgeScope(
        week=plan.week,
        monday=plan.monday,
        start_date=today,
        end_date=sunday,
        windows=gap_windows(remaining),
        missing_hours=missing,
    )


def _surge_id(tenant: TenantId, week: str, monday: date, what: str) -> str:
    """A ULID whose time part is the week's Monday and whose other 80 bits come from the
    business, the week and `what`: the same surge, asked twice, has the same id."""
    from ulid import ULID

    stamp = int(datetime.combine(monday, time(0), tzinfo=UTC).timestamp() * 1000)
    digest = hashlib.sha256(f"{tenant.value}|{week}|{what}".encode()).digest()
    return str(ULID.from_bytes(stamp.to_bytes(6, "big") + digest[:10]))


def surge_opening_id(tenant: TenantId, scope: SurgeScope) -> str:
    return _surge_id(tenant, scope.week, scope.monday, "opening")


def surge_contract_id(tenant: TenantId, scope: SurgeScope, agent_id: str) -> str:
    return _surge_id(tenant, scope.week, scope.monday, "agent:" + agent_id)


def _asked(tenant: TenantId, opening_id: str) -> set[str]:
    """The agents this week's surge has asked (its invitations: one Query)."""
    from chalicelib.store import keys
    from chalicelib.store.marketplace import InvitationRecord

    prefix = keys.sort_key("INVITATION", opening_id) + keys.SEP
    return {
        i.agent_id
        for i in InvitationRecord.query(keys.tenant_pk(tenant), InvitationRecord.sk.startswith(prefix))
        if isinstance(i, InvitationRecord)
    }


def _need(actor: Principal, scope: SurgeScope, rate: Money | None, plan: Plan):
    """What the surge asks of an agent, for matching: the languages and skills of the business's
    latest opening (English and email when it has none), the remaining gap's windows."""
    from chalicelib.domain.matching import Need
    from chalicelib.domain.schedule import WeeklySchedule, Window
    from chalicelib.domain.vocabulary import LEVELS
    from chalicelib.services import openings

    # the latest opening the business posted itself (a surge's own opening is not one)
    latest = next(
        (o for o in openings.listed(actor) if o.status != "draft" and not o.title.startswith(SURGE_TITLE)),
        None,
    )
    languages = (
        {code: LEVELS.index(level) for code, level in latest.languages.items()}
        if latest
        else {"en": LEVELS.index("b2")}
    )
    skills = frozenset(latest.skills) if latest else frozenset({"email"})
    coverage = WeeklySchedule.build(
        plan.time_zone, [Window.parse(d, s, e, field="coverage") for d, s, e in scope.windows]
    )
    # matching's rate fit: the surge's own rate, else the latest opening's range, else any rate
    if rate is not None:
        low = top = rate
    elif latest is not None:
        low = Money(int(latest.rate_min_minor), latest.currency)
        top = Money(int(latest.rate_max_minor), latest.currency)
    else:
        low, top = Money(1, plan.currency), Money(contract_rules.MAX_RATE_MINOR, plan.currency)
    return Need(
        opening_id="surge",
        title="Surge",
        languages=languages,
        skills=skills,
        products=frozenset(),
        tier=SURGE_TIER,
        rate_min=low,
        rate_max=top,
        minutes_per_week=None,
        coverage=coverage,
        start=scope.start_date,
    )


def surge_candidates(actor: Principal, plan: Plan, scope: SurgeScope) -> list[SurgeCandidate]:
    """Who a surge may go to: agents who worked for the business (an active, paused or ended
    contract), then the best matches for the remaining gap; approved agents only, each once."""
    from chalicelib.services.contracts import records
    from chalicelib.store.marketplace import candidates_for

    tenant = _require_member(actor)
    asked = _asked(tenant, surge_opening_id(tenant, scope))
    worked = [
        c
        for c in records.listed(actor)
        if records.status_of(c, plan.now)
        in (contract_rules.Status.ACTIVE, contract_rules.Status.PAUSED, contract_rules.Status.ENDED)
    ]
    found: dict[str, SurgeCandidate] = {}
    for contract in worked:
        if contract.agent_id in found:
            continue
        agent = _approved(contract.agent_id)
        if agent is None or int(agent.tier or 0) < SURGE_TIER:
            continue
        found[agent.agent_id] = SurgeCandidate(
            agent_id=agent.agent_id,
            name=agent.name,
            why="worked for you",
            min_rate=Money(int(agent.min_rate_minor), agent.rate_currency)
            if agent.min_rate_minor and agent.rate_currency
            else None,
            tier=int(agent.tier or 0),
            already_asked=agent.agent_id in asked,
        )
    from chalicelib.domain.matching import rank_agents

    need = _need(actor, scope, None, plan)
    candidates, _ = candidates_for(need)
    by_id = {c.agent_id: c for c in candidates}
    matched = 0
    for match in rank_agents(need, candidates):
        if matched >= TOP_MATCHES:
            break
        if match.agent_id in found:
            continue
        candidate = by_id[match.agent_id]
        found[match.agent_id] = SurgeCandidate(
            agent_id=match.agent_id,
            name=candidate.name,
            why=f"matches {match.score}/100",
            min_rate=candidate.min_rate,
            tier=candidate.tier,
            score=match.score,
            already_asked=match.agent_id in asked,
        )
        matched += 1
    return list(found.values())


def _approved(agent_id: str):
    from chalicelib.domain.tenancy import AgentId
    from chalicelib.store import keys
    from chalicelib.store.identity import AgentRecord

    try:
        record = AgentRecord.find(keys.agent_pk(AgentId(agent_id)), "AGENT")
    except ValueError:
        return None
    return record if record is not None and record.status == "approved" else None


@dataclass(frozen=True)
class SurgeRequest:
    agent_ids: list[str]
    hours: float  # per agent, this week
    rate: Money  # per hour


@dataclass(frozen=True)
class Quote:
    """What a surge would cost at most: every agent accepting and working every hour offered."""

    agents: int
    minutes_each: int
    rate: Money
    hours_amount: Money
    client_fee: Money
    client_fee_bps: int

    @property
    def total(self) -> Money:
        return self.hours_amount + self.client_fee


def quote(request: SurgeRequest, agents: int) -> Quote:
    from chalicelib.services import fees

    minutes = round(request.hours * 60)
    each = line_amount(minutes, request.rate)
    hours_amount = Money(each.minor * agents, request.rate.currency)
    bps = fees.current().client_fee_bps
    return Quote(
        agents=agents,
        minutes_each=minutes,
        rate=request.rate,
        hours_amount=hours_amount,
        client_fee=basis_points(hours_amount, bps),
        client_fee_bps=bps,
    )


@dataclass(frozen=True)
class Checked:
    scope: SurgeScope
    request: SurgeRequest
    candidates: dict[str, SurgeCandidate]
    new: list[str]  # agents not asked yet this week
    quote: Quote


def check_surge(actor: Principal, request: SurgeRequest, *, plan: Plan) -> Checked:
    """Every rule a surge must pass, before its confirmation is shown: the rest of the week has a
    gap, the agents are eligible (worked for the business, or among the best matches), at most
    MAX_SURGE_AGENTS a week, whole quarter hours no more than the rest of the week holds, a rate in
    the business's currency."""
    scope = surge_scope(plan)
    if request.rate.currency != plan.currency:
        raise InvalidInput(f"this business pays in {plan.currency}", field="rate.currency")
    if not 0 < request.rate.minor <= contract_rules.MAX_RATE_MINOR:
        raise InvalidInput("the rate must be above zero", field="rate.amount")
    quarters = request.hours * 4
    if not request.hours > 0 or not float(quarters).is_integer() or quarters < 1:
        raise InvalidInput("hours come in quarter hours: 2, 4.5, 6.25...", field="hours")
    left = sum(1 for _ in plan.remaining())
    if request.hours > left:
        raise InvalidInput(f"this week has {left} hours left", field="hours")
    if not request.agent_ids:
        raise InvalidInput("pick at least one agent", field="agent_ids")
    if len(set(request.agent_ids)) != len(request.agent_ids):
        raise InvalidInput("each agent once", field="agent_ids")
    candidates = {c.agent_id: c for c in surge_candidates(actor, plan, scope)}
    for index, agent_id in enumerate(request.agent_ids):
        if agent_id not in candidates:
            raise InvalidInput(
                "a surge goes to agents who worked for you or to the best matches listed",
                field=f"agent_ids.{index}",
            )
    new = [a for a in request.agent_ids if not candidates[a].already_asked]
    asked = sum(1 for c in candidates.values() if c.already_asked)
    if asked + len(new) > MAX_SURGE_AGENTS:
        raise InvalidInput(
            f"a week's surge asks at most {MAX_SURGE_AGENTS} agents; {asked} are asked already",
            field="agent_ids",
        )
    return Checked(scope, request, candidates, new, quote(request, len(new)))


@dataclass(frozen=True)
class SurgeOffer:
    agent_id: str
    agent_name: str
    contract_id: str
    sent: bool  # False: this agent was asked earlier this week (the offer is that one)


@dataclass(frozen=True)
class SurgeResult:
    week: str
    opening_id: str
    offers: list[SurgeOffer] = field(default_factory=list)
    quote: Quote | None = None


def _surge_opening(actor: Principal, scope: SurgeScope, request: SurgeRequest, plan: Plan) -> str:
    """The week's private surge opening (paused: never on the board), made once."""
    from chalicelib.domain.vocabulary import LEVELS
    from chalicelib.services import openings
    from chalicelib.store import audit, keys
    from chalicelib.store.identity import Claim
    from chalicelib.store.marketplace import OpeningRecord
    from chalicelib.store.transactions import transaction

    tenant = actor.require_tenant()
    opening_id = surge_opening_id(tenant, scope)
    pk, sk = keys.tenant_pk(tenant), keys.sort_key("OPENING", opening_id)
    if OpeningRecord.find(pk, sk, consistent=True) is not None:
        return opening_id
    need = _need(actor, scope, request.rate, plan)
    business = openings._tenant(tenant)
    record = OpeningRecord(
        pk,
        sk,
        opening_id=opening_id,
        status="paused",
        business_name=business.name,
        created_by=actor.id,
        created_at=plan.now,
        title=f"{SURGE_TITLE}{scope.week}",
        description="Extra hours for the rest of the week, offered to a few agents (a surge request).",
        skills=sorted(need.skills),
        products=[],
        languages={code: LEVELS[rank] for code, rank in need.languages.items()},
        coverage=need.coverage.to_json(),
        minutes_per_week=round(request.hours * 60),
        rate_min_minor=request.rate.minor,
        rate_max_minor=request.rate.minor,
        currency=request.rate.currency,
        tier=SURGE_TIER,
        seats=MAX_SURGE_AGENTS,
        start_date=scope.start_date.isoformat(),
    )
    claim = keys.platform_pk("OPENING", opening_id)
    try:
        with transaction(conflict_message="the surge changed meanwhile; try again") as tx:
            tx.save(record, condition=OpeningRecord.pk.does_not_exist())
            tx.save(Claim(claim, claim, owner_kind="opening", owner_id=opening_id, tenant_id=tenant.value))
            tx.save(
                audit.entry(
                    tenant,
                    actor,
                    "opening.created",
                    f"opening:{opening_id}",
                    {"after": {"title": record.title}},
                    at=plan.now,
                )
            )
    except Conflict:
        if OpeningRecord.find(pk, sk, consistent=True) is None:
            raise  # not a second request making the same opening
    return opening_id


def _invite(actor: Principal, opening_id: str, scope: SurgeScope, agent_id: str, now: datetime) -> None:
    """The record that this agent was asked this week (the offer flow's invitation; no mail of its
    own: the offer is the mail), off the agent's invitation list."""
    from chalicelib.ids import new_id
    from chalicelib.services import openings
    from chalicelib.store import keys
    from chalicelib.store.marketplace import InvitationRecord

    tenant = actor.require_tenant()
    InvitationRecord(
        keys.tenant_pk(tenant),
        keys.sort_key("INVITATION", opening_id, agent_id),
        invitation_id=new_id(),
        opening_id=opening_id,
        opening_title=f"{SURGE_TITLE}{scope.week}",
        business_name=openings._tenant(tenant).name,
        agent_id=agent_id,
        note="surge",
        created_at=now,
    ).save()


def send_surge(
    actor: Principal, request: SurgeRequest, *, deps: Deps, plan: Plan | None = None
) -> SurgeResult:
    """Offer the extra hours to each agent asked: a short hourly contract from today to Sunday,
    capped at `hours`, over the remaining gap's windows. Idempotent per week and agent."""
    from chalicelib.services.contracts import offers, records

    plan = plan or plan_for(actor, deps=deps)
    checked = check_surge(actor, request, plan=plan)
    scope = checked.scope
    tenant = actor.require_tenant()
    opening_id = _surge_opening(actor, scope, request, plan)
    hours_text = f"{request.hours:g}"
    result: list[SurgeOffer] = []
    for agent_id in request.agent_ids:
        contract_id = surge_contract_id(tenant, scope, agent_id)
        name = checked.candidates[agent_id].name
        existing = records.find_for_system(tenant, contract_id)
        if existing is not None:
            result.append(SurgeOffer(agent_id, existing.agent_name, contract_id, sent=False))
            continue
        _invite(actor, opening_id, scope, agent_id, plan.now)
        draft = offers.OfferDraft(
            title=f"Extra hours this week ({scope.week})",
            kind=contract_rules.Kind.HOURLY,
            rate=request.rate,
            weekly_cap_minutes=round(request.hours * 60),
            block_minutes=None,
            start_date=scope.start_date,
            end_date=scope.end_date,
            tier=SURGE_TIER,
            coverage=scope.windows,
            note=f"A surge request: up to {hours_text} hours from today to Sunday, in the hours "
            "shown, at the rate offered. The contract ends on Sunday.",
            opening_id=opening_id,
            agent_id=agent_id,
            contract_id=contract_id,
        )
        try:
            offers.make_offer(actor, draft, deps=deps)
        except Conflict:
            # another request made this very offer a moment ago (the contract's id is taken)
            if records.find_for_system(tenant, contract_id) is None:
                raise
            result.append(SurgeOffer(agent_id, name, contract_id, sent=False))
            continue
        result.append(SurgeOffer(agent_id, name, contract_id, sent=True))
    return SurgeResult(week=scope.week, opening_id=opening_id, offers=result, quote=checked.quote)
