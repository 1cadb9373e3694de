"""Billing run benchmark: the `bill-week` job for 100 and for 200 businesses, 5 contracts each.

Goal (issue): a billing run for 200 businesses x 5 contracts with a full week of entries reports
its wall time, its Stripe calls and its DynamoDB requests per invoice, and both per-invoice counts
stay the same when the number of businesses doubles.

Each scale gets a DynamoDB Local of its own and a fresh in-process Stripe emulator.
Every business is a tenant with its owner, five approved agents (profile, match index), an
opening with five seats, five applications, five hourly contracts (25.00 USD an hour, 40 h/week
cap) offered and accepted on Monday 16 November 2026 (2026-W47), a card on file (pm_card_visa),
and one full week of entries in 2026-W48: each agent logs Monday to Friday 09:00-13:00 and
13:30-17:00 UTC (37.5 h), on Sunday 29 November 22:00. Then, as production's schedule does, the
`lock-week` job runs at Monday 30 November 12:00 and `bill-week` at 12:05; only `bill-week` is
measured: planned from the week markers, one task per business, each task
`invoicing.planning.bill_week` (lock check, plan, Stripe customer, draft, one invoice item per line,
finalize, pay, ledger), through the real job runner, the real StripeGateway and the emulator.

How the businesses are made:

- The first THROUGH_SERVICES of each scale go through the services alone: `sign_up_business`,
  `sign_up_agent`, `update_profile`, `vetting.approve`, `openings.post`/`act`, `applications.apply`,
  `offers.make_offer`/`accept`, `diary.log_time` for every entry, and the card through
  `billing_accounts.start_card_setup`, the SetupIntent confirmed at the emulator with pm_card_visa,
  and `finish_card_setup`. That costs about 4.5 s a business (argon2 for six accounts, 50 diary
  writes at ~35 ms each), which for 300 businesses would be over 20 minutes.
- The others are written directly, item for item what those services write, with the services'
  own record classes, key functions and builders (`accounts._email_claim`, `openings.terms_of`
  and `_fill`, `marketplace.index_items`, `transitions.audit_entry`, `diary._new_entries`,
  `domain.diary.days_with`, `audit.entry`, one real argon2 hash of the same password), by
  BatchWriteItem; each timesheet gets the diary commits' update expression (one UpdateItem with
  the week's sums); the card goes through the same billing-account service and emulator as above.
- Checks before measuring: a sample of written businesses (the first, one in the middle, the last
  and two more) is read back, and its items, with ids, hashes, shard numbers and Stripe ids
  replaced by placeholders, must be exactly the multiset of items of a service-made business
  (the two service-made ones must match each other too); and the whole table must hold, kind by
  kind, n times a service-made business's items (a scan of the `kind` attribute). After the run,
  every business has one invoice, paid, whose total is the one `domain.billing.plan_invoice`
  gives for the seeded minutes, paid at Stripe too, and whose ledger balances.

Per invoice counts come from the runner's progress callback: after each task the DynamoDB
requests (by operation, counted where every PynamoDB request passes, as bench/diary.py does) and
the emulator's request log (method and path, ids replaced) are split off, so the figures are
those of one `bill_week` call; the plan (one GSI2 query per week-index shard) is a fixed cost of
the run, reported apart."""

from __future__ import annotations

import contextvars
import json
import os
import re
import statistics
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bench import seeding

SCALES = tuple(int(n) for n in os.environ.get("BENCH_BILLING_SCALES", "100,200").split(","))
CONTRACTS = 5
THROUGH_SERVICES = 2
WRITERS = 4  # threads writing businesses
SAMPLE = 5  # written businesses checked item for item against a service-made one, per scale
# Kinds only the service-made businesses leave outside their own partitions, which the billing run
# never reads: the operators' name search and marketplace health's platform counters. The written
# businesses do not make them, so the table's census leaves them out.
PLATFORM_ONLY = ("business_name", "platform_day", "cohort_stage", "platform_activity")
API_KEY = "sk_test_deskhire_billing_bench"
PASSWORD = "violet-harbor-92-lantern"
HIRED = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # Monday of 2026-W47: hires, offers, acceptances
LOGGED = datetime(2026, 11, 29, 22, 0, tzinfo=UTC)  # Sunday 22:00 of 2026-W48: the week is logged
BUSINESS_ZONE = "America/New_York"
AGENT_ZONE = "Europe/Lisbon"
CURRENCY = "usd"
RATE = 2500
WEEKLY_CAP = 40 * 60
# Monday to Friday of the billed week, two entries a day (hours and minutes, UTC): 37.5 h a week
DAY_SLOTS = (((9, 0), (13, 0)), ((13, 30), (17, 0)))
WORKDAYS = 5
MEMO = "Answered tickets"
TICKETS = ("ZD-1",)
SKILLS = ["zendesk", "email"]
PRODUCTS = ["Shopify"]
LANGUAGES = [("en", "c2")]
AVAILABILITY = [(d, "06:00", "14:00") for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")]
HEADLINE = "Email support"
OPENING_TITLE = "Email support, weekdays"
OFFER_TITLE = "Email support"


def _week():
    from chalicelib.domain.time import BillingWeek

    return BillingWeek(2026, 48)


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Silent:
    def send(self, mail, *, now):
        pass


@dataclass
class World:
    """One scale's table binding, Stripe emulator, dependencies and operator."""

    deps: object
    clock: Clock
    emulator: object
    stripe: object  # a raw stripe.StripeClient at the emulator (the card page's part)
    ops: object
    password_hash: str


@dataclass
class Business:
    tag: str
    via: str  # "services" or "written"
    tenant: object
    owner: object
    agents: list = field(default_factory=list)  # Principals
    contract_ids: list[str] = field(default_factory=list)
    opening_id: str = ""


# -- what both ways share ---------------------------------------------------------------------------


def _names(tag: str) -> dict:
    return {
        "company": f"Billing Bench {tag}",
        "slug": f"billing-bench-{tag}",
        "owner": f"Owner {tag}",
        "email": f"owner-{tag}@billing-bench.example",
    }


def _agent_names(tag: str, index: int) -> tuple[str, str]:
    return f"Agent {tag}-{index}", f"agent-{tag}-{index}@billing-bench.example"


def _spans():
    """The billed week's entries of one agent, in the order they are logged."""
    from chalicelib.domain import diary as rules

    monday = _week().starts_at
    spans = []
    for day in range(WORKDAYS):
        for (h1, m1), (h2, m2) in DAY_SLOTS:
            base = monday + timedelta(days=day)
            spans.append(
                rules.Span(base + timedelta(hours=h1, minutes=m1), base + timedelta(hours=h2, minutes=m2))
            )
    return spans


def _profile():
    from chalicelib.domain.money import Money
    from chalicelib.services import profiles

    return profiles.ProfileUpdate(
        headline=HEADLINE,
        bio="",
        skills=list(SKILLS),
        products=list(PRODUCTS),
        languages=list(LANGUAGES),
        availability=list(AVAILABILITY),
        min_rate=Money(2000, CURRENCY),
    )


def _opening_draft():
    from chalicelib.domain.money import Money
    from chalicelib.services import openings

    return openings.OpeningDraft(
        title=OPENING_TITLE,
        description="",
        skills=list(SKILLS),
        products=[p.lower() for p in PRODUCTS],
        languages=[("en", "c1")],
        coverage=None,
        hours_per_week=40,
        block_hours=None,
        seats=CONTRACTS,
        rate_min=Money(2000, CURRENCY),
        rate_max=Money(3000, CURRENCY),
        tier=1,
        start_date=HIRED.date(),
    )


def _proposal():
    from chalicelib.domain.money import Money
    from chalicelib.services import applications

    return applications.Proposal(
        cover_note="", proposed_rate=Money(RATE, CURRENCY), earliest_start=HIRED.date()
    )


def _offer_draft(application_id: str | None):
    from chalicelib.domain import contracts as terms
    from chalicelib.domain.money import Money
    from chalicelib.services.contracts import offers

    return offers.OfferDraft(
        title=OFFER_TITLE,
        kind=terms.Kind.HOURLY,
        rate=Money(RATE, CURRENCY),
        weekly_cap_minutes=WEEKLY_CAP,
        block_minutes=None,
        start_date=HIRED.date(),
        end_date=None,
        tier=1,
        coverage=None,
        application_id=application_id,
    )


def _add_card(world: World, owner) -> None:
    """The card page, done the way billing_helpers.add_card does it (without the HTTP layer)."""
    from chalicelib.services import billing_accounts

    setup = billing_accounts.start_card_setup(owner, deps=world.deps)
    world.stripe.v1.setup_intents.confirm(setup.setup_intent_id, params={"payment_method": "pm_card_visa"})
    result = billing_accounts.finish_card_setup(owner, setup.setup_intent_id, deps=world.deps)
    if not result.ok:
        raise AssertionError(f"card setup failed: {result.message}")


# -- a business through the services ---------------------------------------------------------------


def _through_services(tag: str, world: World) -> Business:
    from chalicelib.services import accounts, applications, openings, profiles, vetting
    from chalicelib.services.contracts import offers
    from chalicelib.services.diary import entries
    from chalicelib.store import principals

    deps, clock = world.deps, world.clock
    clock.now = HIRED
    names = _names(tag)
    _, owner_record = accounts.sign_up_business(
        accounts.BusinessSignup(
            company_name=names["company"],
            slug=names["slug"],
            owner_name=names["owner"],
            email=names["email"],
            password=PASSWORD,
            time_zone=BUSINESS_ZONE,
            currency=CURRENCY,
        ),
        deps=deps,
    )
    owner = principals.principal_of(owner_record)
    business = Business(tag, "services", owner.tenant, owner)
    for index in range(CONTRACTS):
        name, email = _agent_names(tag, index)
        agent = principals.principal_of(
            accounts.sign_up_agent(
                accounts.AgentSignup(name=name, email=email, password=PASSWORD, time_zone=AGENT_ZONE),
                deps=deps,
            )
        )
        profiles.update_profile(agent, _profile(), deps=deps)
        vetting.approve(world.ops, agent.id, tier=1, deps=deps)
        business.agents.append(agent)
    opening = openings.post(owner, _opening_draft(), deps=deps)
    openings.act(owner, opening.opening_id, "publish", deps=deps)
    business.opening_id = opening.opening_id
    for agent in business.agents:
        application = applications.apply(agent, opening.opening_id, _proposal(), deps=deps)
        offer = offers.make_offer(owner, _offer_draft(application.application_id), deps=deps)
        offers.accept(agent, offer.contract_id, deps=deps)
        business.contract_ids.append(offer.contract_id)
    clock.now = LOGGED
    for agent, contract_id in zip(business.agents, business.contract_ids, strict=True):
        for span in _spans():
            entries.log_time(
                agent,
                contract_id,
                entries.EntryDraft(span.start, span.end, memo=MEMO, tickets=TICKETS),
                deps=deps,
            )
    _add_card(world, owner)
    return business


# -- a business written directly --------------------------------------------------------------------


def _written(tag: str, world: World, batch) -> tuple[Business, list]:
    """The items the services write for one business, saved into `batch`; returns the business and
    the timesheet updates still to make (item updates, not puts: see `_update_timesheets`)."""
    from chalicelib.domain import contracts as terms
    from chalicelib.domain import diary as rules
    from chalicelib.domain import marketplace_health as health_rules
    from chalicelib.domain.identity import Principal, PrincipalKind, Role, normalise_email
    from chalicelib.domain.schedule import WeeklySchedule, Window
    from chalicelib.domain.tenancy import AgentId, TenantId
    from chalicelib.domain.vocabulary import check_skills, normalise_tags
    from chalicelib.ids import new_id
    from chalicelib.services import accounts, applications, openings
    from chalicelib.services.contracts import transitions
    from chalicelib.store import audit, keys
    from chalicelib.store.contracts import (
        ContractLink,
        ContractRecord,
        WeekMarker,
        agent_contracts_index,
        contract_key,
        idle_index,
        link_key,
        marker_key,
        shard_of,
        stamp,
        weeks_index,
    )
    from chalicelib.store.identity import AgentRecord, Claim, MemberRecord, TenantRecord
    from chalicelib.store.marketplace import ApplicationRecord, OpeningRecord, index_items
    from chalicelib.store.platform_metrics import FunnelMarker

    week = _week()
    names = _names(tag)
    # sign_up_business
    tenant, member_id = TenantId(new_id()), new_id()
    email, slug = normalise_email(names["email"]), names["slug"]
    owner = Principal(
        PrincipalKind.MEMBER, member_id, names["owner"], tenant=tenant, role=Role.OWNER, email=email
    )
    business = Business(tag, "written", tenant, owner)
    tenant_pk = keys.tenant_pk(tenant)
    business_record = TenantRecord(
        tenant_pk,
        "TENANT",
        name=names["company"],
        slug=slug,
        time_zone=BUSINESS_ZONE,
        currency=CURRENCY,
        status="active",
        owner_count=1,
        created_at=HIRED,
        version=1,
    )
    slug_pk = keys.platform_pk("SLUG", slug)
    batch.save(Claim(slug_pk, slug_pk, owner_kind="tenant", owner_id=tenant.value, tenant_id=tenant.value))
    batch.save(accounts._email_claim(email, PrincipalKind.MEMBER, member_id, tenant.value))
    batch.save(business_record)
    # the marketplace-health funnel marker (store/platform_metrics.py): signed up, card saved,
    # opening posted, hired, in the signup month's cohort. The platform's day and cohort counters
    # (SYS#...) are not written: the billing run does not read them.
    batch.save(
        FunnelMarker(
            tenant_pk,
            "FUNNEL",
            cohort=health_rules.month_of(HIRED.date()),
            stages={"signup", "card", "opening", "hire"},
        )
    )
    batch.save(
        MemberRecord(
            tenant_pk,
            keys.sort_key("MEMBER", member_id),
            member_id=member_id,
            name=names["owner"],
            email=email,
            role=str(Role.OWNER),
            password_hash=world.password_hash,
            status="active",
            created_at=HIRED,
            version=1,
        )
    )
    batch.save(
        audit.entry(
            tenant,
            owner,
            "business.signed_up",
            f"tenant:{tenant.value}",
            {
                "after": {
                    "name": names["company"],
                    "slug": slug,
                    "time_zone": BUSINESS_ZONE,
                    "currency": CURRENCY,
                }
            },
            at=HIRED,
        )
    )
    # sign_up_agent, update_profile, vetting.approve
    profile = _profile()
    agent_records = []
    for index in range(CONTRACTS):
        name, agent_email = _agent_names(tag, index)
        agent_email = normalise_email(agent_email)
        agent_id = AgentId(new_id())
        windows = [
            Window.parse(d, s, e, field=f"availability.{i}")
            for i, (d, s, e) in enumerate(profile.availability)
        ]
        record = AgentRecord(
            keys.agent_pk(agent_id),
            "AGENT",
            agent_id=agent_id.value,
            name=name,
            email=agent_email,
            password_hash=world.password_hash,
            time_zone=AGENT_ZONE,
            status="approved",
            tier=1,
            created_at=HIRED,
            headline=profile.headline,
            bio=profile.bio,
            skills=sorted(check_skills(profile.skills)),
            products=sorted(normalise_tags(profile.products)),
            languages=dict(profile.languages),
            availability=WeeklySchedule.build(AGENT_ZONE, windows, field="availability").to_json(),
            min_rate_minor=profile.min_rate.minor,
            rate_currency=profile.min_rate.currency,
            version=3,  # signed up, profile, approved
        )
        listed = index_items(record)
        record.index_keys = sorted(f"{i.pk}|{i.sk}" for i in listed)
        batch.save(accounts._email_claim(agent_email, PrincipalKind.AGENT, agent_id.value))
        batch.save(record)
        for item in listed:
            batch.save(item)
        # signed up, approved, under contract (the bench's agents set up no payouts)
        batch.save(
            FunnelMarker(
                keys.agent_pk(agent_id),
                "FUNNEL",
                cohort=health_rules.month_of(HIRED.date()),
                stages={"signup", "approved", "contract"},
            )
        )
        agent_records.append(record)
        business.agents.append(
            Principal(PrincipalKind.AGENT, agent_id.value, name, email=agent_email, status="approved")
        )
    # openings.post and act("publish"); filled by the five acceptances
    draft = _opening_draft()
    opening_terms = openings.terms_of(draft, time_zone=BUSINESS_ZONE, currency=CURRENCY, today=HIRED.date())
    opening_id = new_id()
    business.opening_id = opening_id
    opening = OpeningRecord(
        tenant_pk,
        keys.sort_key("OPENING", opening_id),
        opening_id=opening_id,
        status="filled",
        business_name=names["company"],
        created_by=owner.id,
        created_at=HIRED,
        coverage={},
        rate_min_minor=0,
        rate_max_minor=0,
        currency=CURRENCY,
        title="",
        start_date="",
    )
    openings._fill(opening, draft, opening_terms)
    opening.filled_seats = CONTRACTS
    opening.version = 2 + CONTRACTS  # posted, published, a seat per acceptance
    claim_pk = keys.platform_pk("OPENING", opening_id)
    batch.save(opening)
    batch.save(Claim(claim_pk, claim_pk, owner_kind="opening", owner_id=opening_id, tenant_id=tenant.value))
    batch.save(
        audit.entry(
            tenant,
            owner,
            "opening.created",
            f"opening:{opening_id}",
            {"after": {"title": draft.title}},
            at=HIRED,
        )
    )
    batch.save(
        audit.entry(
            tenant,
            owner,
            "opening.publish",
            f"opening:{opening_id}",
            {"before": {"status": "draft"}, "after": {"status": "open"}},
            at=HIRED,
        )
    )
    # per agent: applications.apply, offers.make_offer, offers.accept, then the week's entries
    proposal = _proposal()
    offer = _offer_draft(None)
    offered = terms.OfferTerms(
        kind=offer.kind,
        rate=offer.rate,
        weekly_cap_minutes=offer.weekly_cap_minutes,
        block_minutes=offer.block_minutes,
        start_date=offer.start_date,
        end_date=offer.end_date,
        tier=offer.tier,
        bonus=offer.bonus,
    ).check(today=HIRED.date(), currency=CURRENCY, agent_tier=1)
    updates = []
    memo, tickets = rules.check_memo(MEMO, TICKETS)
    for agent, record in zip(business.agents, agent_records, strict=True):
        application_id = new_id()
        batch.save(
            Claim(
                keys.tenant_pk(tenant, "APPLIED", opening_id),
                agent.id,
                owner_kind="application",
                owner_id=application_id,
                tenant_id=tenant.value,
            )
        )
        batch.save(
            ApplicationRecord(
                tenant_pk,
                keys.sort_key("APP", application_id),
                application_id=application_id,
                opening_id=opening_id,
                opening_title=opening.title,
                business_name=names["company"],
                agent_id=agent.id,
                agent_name=record.name,
                agent_email=record.email,
                cover_note=proposal.cover_note.strip(),
                proposed_rate_minor=proposal.proposed_rate.minor,
                currency=CURRENCY,
                earliest_start=proposal.earliest_start.isoformat(),
                status="hired",
                created_at=HIRED,
                gsi1pk=applications._agent_index(agent.id, "APPS"),
                gsi1sk=application_id,
                version=3,  # submitted, offered, hired
            )
        )
        batch.save(
            audit.entry(
                tenant,
                agent,
                "application.submitted",
                f"application:{application_id}",
                {"after": {"opening": opening_id, "rate": proposal.proposed_rate.minor}},
                at=HIRED,
            )
        )
        contract_id = new_id()
        business.contract_ids.append(contract_id)
        start = terms.first_period_start(offered.start_date, BUSINESS_ZONE, HIRED)
        spans = _spans()
        latest = max(span.end for span in spans)
        contract = ContractRecord(
            *contract_key(tenant, contract_id),
            contract_id=contract_id,
            tenant_id=tenant.value,
            business_name=names["company"],
            business_time_zone=BUSINESS_ZONE,
            title=offer.title.strip() or opening.title,
            note=offer.note.strip()[:2000],
            opening_id=opening_id,
            application_id=application_id,
            agent_id=agent.id,
            agent_name=record.name,
            agent_email=record.email,
            agent_time_zone=AGENT_ZONE,
            contract_kind=str(offered.kind),
            currency=CURRENCY,
            rate_minor=offered.rate.minor,
            weekly_cap_minutes=offered.weekly_cap_minutes,
            terms=[terms.TermsChange(HIRED, offered.rate.minor, offered.weekly_cap_minutes).to_json()],
            block_minutes=offered.block_minutes,
            used_minutes=0,
            start_date=offered.start_date.isoformat(),
            end_date=None,
            coverage=opening.coverage,
            tier=offered.tier,
            bonus=None,
            status=str(terms.next_status(terms.Status.OFFERED, "accept", side=terms.Side.AGENT)),
            periods=[terms.Period(start).to_json()],
            offered_by=owner.id,
            offered_by_name=owner.name,
            offered_at=HIRED,
            expires_at=terms.offer_expires_at(HIRED),
            decided_at=HIRED,
            # the diary's commits move the last activity (and the idle index) to the latest entry
            last_activity_at=latest,
            gsi1pk=agent_contracts_index(AgentId(agent.id)),
            gsi1sk=contract_id,
            gsi2pk=idle_index(shard_of(contract_id)),
            gsi2sk=f"{stamp(latest)}#{contract_id}",
            version=2 + len(spans),  # offered, accepted, one update per entry
        )
        batch.save(contract)
        batch.save(ContractLink(*link_key(AgentId(agent.id), contract_id), tenant_id=tenant.value))
        batch.save(
            audit.entry(
                tenant,
                owner,
                "offer.sent",
                f"contract:{contract_id}",
                {"after": {"agent": agent.id, "kind": str(offered.kind), "rate": offered.rate.minor}},
                at=HIRED,
            )
        )
        batch.save(
            transitions.audit_entry(
                contract, agent, "offer.accepted", terms.Status.OFFERED, terms.Status.ACTIVE, HIRED
            )
        )
        entries = seeding.write_entries(
            batch, contract, agent, spans, logged_at=lambda _span: LOGGED, memo=memo, tickets=tickets
        )
        updates.append((contract, entries))
    batch.save(
        WeekMarker(
            *marker_key(tenant, week),
            contract_ids=set(business.contract_ids),
            gsi2pk=weeks_index(week, shard_of(tenant.value)),
            gsi2sk=tenant.value,
        )
    )
    return business, updates


def _update_timesheets(updates: list) -> None:
    """The diary commits' timesheet update, once per contract with the week's sums."""
    week = _week()
    for contract, entries in updates:
        seeding.add_to_timesheet(contract, week, entries)


def _write_businesses(world: World, tags: list[str]) -> list[Business]:
    """The written businesses, WRITERS at a time (DynamoDB Local serves concurrent requests; the
    seeding is not what is measured). Each thread runs in a copy of this context, which holds the
    table binding."""
    from chalicelib.store.base import Entity

    world.clock.now = LOGGED

    def one(tag: str) -> Business:
        with Entity.batch_write() as batch:
            business, updates = _written(tag, world, batch)
        _update_timesheets(updates)
        _add_card(world, business.owner)
        return business

    with ThreadPoolExecutor(WRITERS) as pool:
        futures = [pool.submit(contextvars.copy_context().run, one, tag) for tag in tags]
        return [future.result() for future in futures]


# -- checking what was written ----------------------------------------------------------------------

_ULID = re.compile(r"[0-9A-HJKMNP-TV-Z]{26}")
_HASH = re.compile(r"\$argon2id\$[^\"]+")
_SHARD = re.compile(r"((?:WEEKS#[0-9]{4}-W[0-9]{2}|IDLE|OFFERS|CLOCKS)#)[0-9]+")
_STRIPE_ID = re.compile(r"\b(acct|ba|ch|cus|evt|ii|il|in|inpay|pi|pm|py|seti|tr|trr|txn)_[A-Za-z0-9]+")


def _business_items(business: Business) -> list:
    """Every item of one business: its partitions, its agents', and the platform items it owns."""
    from chalicelib.domain.tenancy import AgentId
    from chalicelib.store import audit, keys
    from chalicelib.store.base import Entity, query_kinds
    from chalicelib.store.contracts import contract_partition
    from chalicelib.store.identity import AgentRecord

    tenant = business.tenant
    items = []
    for pk in (
        keys.tenant_pk(tenant),
        audit.audit_pk(tenant),
        keys.tenant_pk(tenant, "APPLIED", business.opening_id),
        *(contract_partition(tenant, cid) for cid in business.contract_ids),
        *(keys.agent_pk(AgentId(a.id)) for a in business.agents),
        *(keys.agent_pk(AgentId(a.id), "DIARY") for a in business.agents),
    ):
        items += list(query_kinds((Entity,), pk, consistent=True))
    names = _names(business.tag)
    platform = [keys.platform_pk("SLUG", names["slug"]), keys.platform_pk("OPENING", business.opening_id)]
    platform += [keys.platform_pk("EMAIL", names["email"])]
    platform += [keys.platform_pk("EMAIL", _agent_names(business.tag, i)[1]) for i in range(CONTRACTS)]
    wanted = [(pk, pk) for pk in platform]
    for item in items:
        if isinstance(item, AgentRecord):
            wanted += [tuple(key.split("|", 1)) for key in item.index_keys]
    items += list(Entity.batch_get(wanted, consistent_read=True))
    return items


def _canonical(item, tag: str) -> str:
    text = json.dumps({"class": type(item).__name__, **item.serialize()}, sort_keys=True)
    text = _HASH.sub("<hash>", text)
    text = _ULID.sub("<id>", text)
    text = _SHARD.sub(r"\1<n>", text)
    text = _STRIPE_ID.sub(r"\1_<id>", text)
    return text.replace(tag, "<tag>")


def _shape(business: Business) -> Counter:
    return Counter(_canonical(item, business.tag) for item in _business_items(business))


def _check_written(businesses: list[Business]) -> dict:
    """The written businesses of a sample against a service-made one, item for item."""
    made = [b for b in businesses if b.via == "services"]
    written = [b for b in businesses if b.via == "written"]
    reference = _shape(made[0])
    for other in made[1:]:
        if _shape(other) != reference:
            raise AssertionError("two service-made businesses differ: the comparison is not sound")
    picks = sorted({0, len(written) // 2, len(written) - 1, len(written) // 4, 3 * len(written) // 4})
    sample = [written[i] for i in picks if 0 <= i < len(written)][:SAMPLE]
    for business in sample:
        shape = _shape(business)
        if shape != reference:
            missing, extra = reference - shape, shape - reference
            raise AssertionError(
                f"written business {business.tag} differs from the service-made one:\n"
                f"  only in the service-made: {list(missing)[:3]}\n  only in the written: {list(extra)[:3]}"
            )
    return {"items": sum(reference.values()), "kinds": _kinds_of(reference), "sampled": len(sample)}


def _kinds_of(shape: Counter) -> Counter:
    kinds: Counter = Counter()
    for text, count in shape.items():
        kinds[json.loads(text)["kind"]["S"]] += count
    return kinds


def _table_kinds(client, table: str) -> Counter:
    kinds: Counter = Counter()
    for page in client.get_paginator("scan").paginate(
        TableName=table, ProjectionExpression="#k", ExpressionAttributeNames={"#k": "kind"}
    ):
        for item in page["Items"]:
            kinds[item.get("kind", {}).get("S", "?")] += 1
    return kinds


# -- the measurement --------------------------------------------------------------------------------

# the emulator's object ids: `<prefix>_<24 letters and digits>` (local/stripe_emulator/store.py)
_ID_SEGMENT = re.compile(r"^(acct|ba|ch|cus|evt|ii|il|in|inpay|pi|pm|py|seti|tr|trr|txn)_[A-Za-z0-9]+$")


def _endpoint(request: dict) -> str:
    path = "/".join("{id}" if _ID_SEGMENT.match(part) else part for part in request["path"].split("/"))
    return f"{request['method']} {path}"


def _expected_total() -> int:
    """What plan_invoice makes of one business's seeded week (5 contracts, every span billed)."""
    from chalicelib.domain import billing as rules
    from chalicelib.services.invoicing import planning

    minutes = sum(span.minutes for span in _spans())
    weeks = [
        rules.WorkedWeek(f"c{i}", f"a{i}", OFFER_TITLE, f"Agent {i}", RATE, minutes) for i in range(CONTRACTS)
    ]
    plan = rules.plan_invoice(weeks, [], currency=CURRENCY, fees=planning.fees(), week_label=str(_week()))
    return plan.total


class Meter:
    """DynamoDB requests by operation, counted and timed where every PynamoDB request passes (as
    bench/diary.py counts them), and the time spent in Stripe calls (the gateway's `observer`, on this
    gateway object only)."""

    def __init__(self, gateway):
        from pynamodb.connection.base import Connection

        self.calls: Counter[str] = Counter()
        self.db_seconds = self.stripe_seconds = 0.0
        self.stripe_by_action: Counter[str] = Counter()  # seconds, by the gateway's action name
        self._cls, self._original = Connection, Connection._make_api_call
        self._gateway = gateway

    def __enter__(self):
        original = self._original

        def counting(connection, operation_name, operation_kwargs):
            self.calls[operation_name] += 1
            begun = time.perf_counter()
            try:
                return original(connection, operation_name, operation_kwargs)
            finally:
                self.db_seconds += time.perf_counter() - begun

        def timed(action: str, seconds: float) -> None:
            self.stripe_seconds += seconds
            self.stripe_by_action[action] += seconds

        self._cls._make_api_call = counting
        self._gateway.observer = timed
        return self

    def __exit__(self, *exc):
        self._cls._make_api_call = self._original
        self._gateway.observer = None


def _mean(values) -> float:
    values = list(values)
    return round(sum(values) / len(values), 1) if values else 0.0


def _bill(world: World, businesses: list[Business]) -> dict:
    from chalicelib.jobs import runner

    week = _week()
    deps, emulator = world.deps, world.emulator
    # Monday 12:00: the lock (its own job, as scheduled); 12:05: the billing run, measured
    locked = runner.run("lock-week", deps=deps, at=week.locks_at, week=week)
    if locked.failures or locked.changed != len(businesses):
        raise AssertionError(f"lock-week: {locked}")
    emulator.clear_requests()
    marks: list[tuple[float, float, Counter, float, float]] = []
    with Meter(deps.payments) as meter:

        def progress(done: int, total: int) -> None:
            marks.append(
                (
                    time.perf_counter(),
                    time.time(),
                    Counter(meter.calls),
                    meter.db_seconds,
                    meter.stripe_seconds,
                )
            )

        begun_wall, begun = time.time(), time.perf_counter()
        report = runner.run(
            "bill-week", deps=deps, at=week.locks_at + timedelta(minutes=5), week=week, progress=progress
        )
        seconds = time.perf_counter() - begun
    if report.failures or report.planned != len(businesses) or report.changed != len(businesses):
        raise AssertionError(f"bill-week: {report.failures[:3]} {report}")
    requests = emulator.requests()

    # split the run into its tasks at the progress marks
    db_tasks, stripe_tasks, task_ms, db_ms, stripe_ms = [], [], [], [], []
    previous_calls, previous_at, previous_perf, previous_db, previous_stripe = (
        Counter(),
        begun_wall,
        begun,
        0,
        0,
    )
    cursor = 0
    for perf, wall, calls, db_seconds, stripe_seconds in marks:
        db_tasks.append(calls - previous_calls)
        db_ms.append((db_seconds - previous_db) * 1000)
        stripe_ms.append((stripe_seconds - previous_stripe) * 1000)
        previous_db, previous_stripe = db_seconds, stripe_seconds
        stripe: Counter = Counter()
        while cursor < len(requests) and requests[cursor]["time"] <= wall:
            if requests[cursor]["time"] >= previous_at:
                stripe[_endpoint(requests[cursor])] += 1
            cursor += 1
        stripe_tasks.append(stripe)
        task_ms.append((perf - previous_perf) * 1000)
        previous_calls, previous_at, previous_perf = calls, wall, perf
    if cursor != len(requests):
        raise AssertionError("Stripe requests after the last task")
    # every task but the first is one bill_week call; the first also carries the plan
    per_invoice_db = Counter(
        dict(statistics.mode(tuple(sorted(c.items())) for c in db_tasks[1:] or db_tasks))
    )
    per_invoice_stripe = Counter(dict(statistics.mode(tuple(sorted(c.items())) for c in stripe_tasks)))
    plan_db = db_tasks[0] - per_invoice_db
    same_db = all(c == per_invoice_db for c in db_tasks[1:]) and db_tasks[0] == per_invoice_db + plan_db
    same_stripe = all(c == per_invoice_stripe for c in stripe_tasks)
    total_db = sum(marks[-1][2].values())
    total_stripe = len(requests)
    tenth = max(1, len(task_ms) // 10)
    return {
        "businesses": len(businesses),
        "invoices": report.changed,
        "seconds": round(seconds, 1),
        "ms_per_invoice_p50": round(statistics.median(task_ms[1:] or task_ms), 1),
        "ms_per_invoice_p95": round(
            sorted(task_ms)[min(len(task_ms) - 1, round(0.95 * (len(task_ms) - 1)))], 1
        ),
        "ms_per_invoice_mean": round(seconds * 1000 / len(businesses), 1),
        # where a task's time goes (means over the tasks after the first), and how it moves
        # from the run's first tenth of invoices to its last
        "db_ms_per_invoice": _mean(db_ms[1:]),
        "stripe_ms_per_invoice": _mean(stripe_ms[1:]),
        "ms_first_tenth": _mean(task_ms[1 : tenth + 1]),
        "ms_last_tenth": _mean(task_ms[-tenth:]),
        "stripe_ms_first_tenth": _mean(stripe_ms[1 : tenth + 1]),
        "stripe_ms_last_tenth": _mean(stripe_ms[-tenth:]),
        "db_ms_first_tenth": _mean(db_ms[1 : tenth + 1]),
        "db_ms_last_tenth": _mean(db_ms[-tenth:]),
        "stripe_ms_by_call": {
            action: round(spent * 1000 / len(businesses), 1)
            for action, spent in sorted(meter.stripe_by_action.items(), key=lambda kv: -kv[1])
        },
        "db_per_invoice": dict(sorted(per_invoice_db.items())),
        "db_per_invoice_total": sum(per_invoice_db.values()),
        "db_plan": dict(sorted(plan_db.items())),
        "db_total": total_db,
        "stripe_per_invoice": dict(sorted(per_invoice_stripe.items(), key=lambda kv: kv[0])),
        "stripe_per_invoice_total": sum(per_invoice_stripe.values()),
        "stripe_total": total_stripe,
        "every_task_same": same_db and same_stripe,
    }


def _verify(world: World, businesses: list[Business]) -> dict:
    """One invoice per business, paid here and at Stripe, for the seeded time, ledger balanced."""
    from chalicelib.domain.ledger import balance
    from chalicelib.store import ledger as ledger_store
    from chalicelib.store.billing import InvoiceRecord, invoice_key

    week = _week()
    expected = _expected_total()
    paid = balanced = right_total = 0
    stripe_ids = set()
    for business in businesses:
        record = InvoiceRecord.find(*invoice_key(business.tenant, week), consistent=True)
        if record is None:
            continue
        paid += record.status == "paid" and int(record.amount_paid) == int(record.total)
        right_total += int(record.total) == expected and len(record.lines) == CONTRACTS + 1
        stripe_ids.add(record.stripe_invoice_id)
        postings = ledger_store.postings(business.tenant, record.invoice_id)
        total = int(record.total)
        balanced += (
            sum(p.amount for p in postings) == 0
            and balance(postings, f"receivable:{business.tenant.value}", CURRENCY) == 0
            and balance(postings, "stripe", CURRENCY) == total
            and balance(postings, f"held:{record.invoice_id}", CURRENCY) == -total
        )
    at_stripe = [
        i
        for i in world.stripe.v1.invoices.list(params={"limit": 100, "status": "paid"}).auto_paging_iter()
        if i.id in stripe_ids and i.amount_paid == expected
    ]
    return {
        "paid": paid,
        "paid_at_stripe": len(at_stripe),
        "balanced": balanced,
        "expected_total": expected,
        "right_total": right_total,
    }


# -- one scale --------------------------------------------------------------------------------------


def _world(deps_settings, password_hash: str, emulator) -> World:
    import stripe

    from chalicelib import composition
    from chalicelib.payments.gateway import StripeGateway
    from chalicelib.services import accounts
    from chalicelib.store import principals

    clock = Clock(HIRED)
    deps = composition.Deps(
        settings=deps_settings,
        mailer=Silent(),
        clock=clock,
        payments=StripeGateway(API_KEY, api_base=emulator.url, max_network_retries=0),
    )
    ops = principals.principal_of(
        accounts.create_operator(
            name="Olga Ops", email="ops@billing-bench.example", password=PASSWORD, deps=deps
        )
    )
    raw = stripe.StripeClient(
        API_KEY,
        base_addresses={"api": emulator.url, "connect": emulator.url, "files": emulator.url},
        max_network_retries=0,
    )
    return World(deps, clock, emulator, raw, ops, password_hash)


def run_scale(n: int, *, password_hash: str) -> dict:
    """One size, with a DynamoDB Local of its own: a second table in the same DynamoDB Local
    process is served about 40 times slower than the first (measured: the same BatchWriteItems
    took 2.4 s, then 93 s per 20 businesses), which would make the sizes incomparable."""
    import dataclasses

    from chalicelib import composition
    from chalicelib.settings import Settings
    from chalicelib.store import binding
    from local import dynamodb
    from local.stage import emulator_options
    from local.stripe_emulator import Emulator
    from local.table import ensure_table

    table = f"bench-billing-{n}"
    os.environ["DESKHIRE_TABLE"] = table
    os.environ.setdefault("DESKHIRE_STAGE", "local")
    port = dynamodb.free_port()
    process = dynamodb.start(port=port)
    # configured as `make run` configures it, from the app's settings (local/stage.py): the
    # platform's country and settlement currencies, card funds pending 2 days (bill-week charges
    # the cards and moves no money after that, so the pending funds change no figure); webhooks
    # off (they are other invocations)
    emulator = Emulator(**emulator_options(os.environ), webhook_url=None)
    try:
        dynamodb.apply_environ(port)
        client = dynamodb.client(port)
        ensure_table(client, table)
        emulator.start(port=0)
        settings = dataclasses.replace(
            Settings.from_environ(), stripe_api_key=API_KEY, stripe_api_base=emulator.url
        )
        with binding.bound(binding.TableBinding(table, "us-east-1", f"http://127.0.0.1:{port}")):
            world = _world(settings, password_hash, emulator)
            composition.override_deps(world.deps)
            try:
                started = time.perf_counter()
                businesses = [
                    _through_services(f"s{n}x{i:03d}", world) for i in range(min(THROUGH_SERVICES, n))
                ]
                service_seconds = time.perf_counter() - started
                started = time.perf_counter()
                businesses += _write_businesses(world, [f"w{n}x{i:03d}" for i in range(len(businesses), n)])
                written_seconds = time.perf_counter() - started
                checked = _check_written(businesses)
                kinds = _table_kinds(client, table)
                for kind in PLATFORM_ONLY:
                    kinds.pop(kind, None)
                expected = Counter({k: v * n for k, v in checked["kinds"].items()})
                expected.update({"operator": 1, "claim": 1})  # the operator and its email claim
                if kinds != expected:
                    raise AssertionError(f"table kinds {dict(kinds)} != {dict(expected)}")
                measured = _bill(world, businesses)
                measured |= _verify(world, businesses)
            finally:
                composition.override_deps(None)
    finally:
        emulator.stop()
        dynamodb.stop(process)
    return measured | {
        "service_made": min(THROUGH_SERVICES, n),
        "service_seconds": round(service_seconds, 1),
        "written_seconds": round(written_seconds, 1),
        "items_per_business": checked["items"],
        "sampled": checked["sampled"],
    }


def run() -> dict:
    """Every size, each in a DynamoDB Local and a Stripe emulator of its own."""
    from chalicelib.security.passwords import hash_password

    password_hash = hash_password(PASSWORD)  # one real argon2 hash of the one password
    rows = [run_scale(n, password_hash=password_hash) for n in SCALES]
    first, *rest = rows
    constant_db = all(r["db_per_invoice"] == first["db_per_invoice"] for r in rest)
    constant_stripe = all(r["stripe_per_invoice"] == first["stripe_per_invoice"] for r in rest)
    every_task = all(r["every_task_same"] for r in rows)
    ok = all(
        r["paid"]
        == r["paid_at_stripe"]
        == r["balanced"]
        == r["right_total"]
        == r["invoices"]
        == r["businesses"]
        for r in rows
    )
    return {
        "rows": rows,
        "constant_db": constant_db and every_task,
        "constant_stripe": constant_stripe and every_task,
        "all_paid_and_balanced": ok,
        "contracts": CONTRACTS,
        "entries_per_contract": len(_spans()),
        "hours_per_contract": sum(s.minutes for s in _spans()) / 60,
        "emulator": _emulator_platform(),
    }


def _emulator_platform() -> str:
    """What the benchmark's emulators are configured as (local/stage.py, from the app's settings)."""
    from local.stage import emulator_options

    chosen = emulator_options(os.environ)
    return (
        f"platform {chosen['platform_country']}, settling in "
        f"{', '.join(chosen['settlement_currencies']).upper()}, card funds pending "
        f"{chosen['funds_delay'] // 3600} h"
    )
