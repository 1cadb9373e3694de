"""Openings a business posts: drafted, published to the board, paused, closed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chalicelib.composition import Deps
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.identity import Principal
from chalicelib.domain.money import Money
from chalicelib.domain.openings import OpeningStatus, OpeningTerms, hours_to_minutes, next_status
from chalicelib.domain.schedule import WeeklySchedule, Window
from chalicelib.domain.tenancy import TenantId
from chalicelib.domain.text import check_line
from chalicelib.domain.vocabulary import LEVELS, check_language, check_skills, level_rank, normalise_tags
from chalicelib.ids import new_id
from chalicelib.store import audit, keys, platform_metrics
from chalicelib.store.identity import Claim, TenantRecord
from chalicelib.store.marketplace import OpeningRecord
from chalicelib.store.transactions import transaction

BOARD = keys.platform_pk("BOARD", "open")


@dataclass(frozen=True)
class OpeningDraft:
    title: str
    description: str
    skills: list[str]
    products: list[str]
    languages: list[tuple[str, str]]
    coverage: list[tuple[str, str, str]] | None  # None: around the clock
    hours_per_week: float | None
    block_hours: float | None
    seats: int
    rate_min: Money
    rate_max: Money
    tier: int
    start_date: date


def _tenant(tenant: TenantId) -> TenantRecord:
    record = TenantRecord.find(keys.tenant_pk(tenant), "TENANT", consistent=True)
    if record is None:
        raise NotFound("no such business")
    return record


def terms_of(draft: OpeningDraft, *, time_zone: str, currency: str, today: date) -> OpeningTerms:
    """The one check of a whole opening, for posting and for revising alike: the business's own
    currency, zone and calendar, not only the fields' shapes."""
    if draft.rate_min.currency != currency:
        raise InvalidInput(f"this business pays in {currency}", field="rate_min.currency")
    # The portal's form reaches here without the API's models: the title is checked here too.
    check_line(draft.title, field="title")
    skills = check_skills(draft.skills)
    languages = {}
    for index, (code, level) in enumerate(draft.languages):
        check_language(code, field=f"languages.{index}.code")
        languages[code] = level_rank(level, field=f"languages.{index}.level")
    if draft.coverage is None:
        coverage = WeeklySchedule.around_the_clock(time_zone)
    else:
        windows = [Window.parse(d, s, e, field=f"coverage.{i}") for i, (d, s, e) in enumerate(draft.coverage)]
        coverage = WeeklySchedule.build(time_zone, windows, field="coverage")
    if draft.start_date < today:
        raise InvalidInput("the start date is in the past", field="start_date")
    return OpeningTerms(
        languages=languages,
        skills=skills,
        products=normalise_tags(draft.products),
        coverage=coverage,
        minutes_per_week=hours_to_minutes(draft.hours_per_week, field="hours_per_week")
        if draft.hours_per_week is not None
        else None,
        block_minutes=hours_to_minutes(draft.block_hours, field="block_hours") * 1
        if draft.block_hours is not None
        else None,
        rate_min=draft.rate_min,
        rate_max=draft.rate_max,
        tier=draft.tier,
        seats=draft.seats,
        start_date=draft.start_date,
    )


def _fill(record: OpeningRecord, draft: OpeningDraft, terms: OpeningTerms) -> None:
    record.title, record.description = draft.title, draft.description
    record.skills, record.products = sorted(terms.skills), sorted(terms.products)
    record.languages = {code: LEVELS[rank] for code, rank in terms.languages.items()}
    record.coverage = terms.coverage.to_json()
    record.minutes_per_week, record.block_minutes = terms.minutes_per_week, terms.block_minutes
    record.rate_min_minor, record.rate_max_minor = terms.rate_min.minor, terms.rate_max.minor
    record.currency = terms.rate_min.currency
    record.tier, record.seats, record.start_date = terms.tier, terms.seats, terms.start_date.isoformat()


def post(actor: Principal, draft: OpeningDraft, *, deps: Deps) -> OpeningRecord:
    tenant = actor.require_tenant()
    business = _tenant(tenant)
    terms = terms_of(draft, time_zone=business.time_zone, currency=business.currency, today=deps.now().date())
    now = deps.now()
    opening_id = new_id()
    record = OpeningRecord(
        keys.tenant_pk(tenant),
        keys.sort_key("OPENING", opening_id),
        opening_id=opening_id,
        status="draft",
        business_name=business.name,
        created_by=actor.id,
        created_at=now,
        coverage={},
        rate_min_minor=0,
        rate_max_minor=0,
        currency=business.currency,
        title="",
        start_date="",
    )
    _fill(record, draft, terms)
    claim_pk = keys.platform_pk("OPENING", opening_id)
    with transaction() as tx:
        tx.save(record, condition=OpeningRecord.pk.does_not_exist())
        # agents find an opening by its id alone (they do not know the business's tenant id)
        tx.save(Claim(claim_pk, claim_pk, owner_kind="opening", owner_id=opening_id, tenant_id=tenant.value))
        tx.save(
            audit.entry(
                tenant,
                actor,
                "opening.created",
                f"opening:{opening_id}",
                {"after": {"title": draft.title}},
                at=now,
            )
        )
        platform_metrics.opening_posted(tx, tenant, opening_id, at=now)
    return record


def get(actor: Principal, opening_id: str) -> OpeningRecord:
    tenant = actor.require_tenant()
    record = OpeningRecord.find(keys.tenant_pk(tenant), keys.sort_key("OPENING", opening_id), consistent=True)
    if record is None:
        raise NotFound("no such opening")
    return record


def listed(actor: Principal) -> list[OpeningRecord]:
    tenant = actor.require_tenant()
    return [
        item
        for item in OpeningRecord.query(
            keys.tenant_pk(tenant), OpeningRecord.sk.startswith("OPENING#"), scan_index_forward=False
        )
        if isinstance(item, OpeningRecord)
    ]


def revise(actor: Principal, opening_id: str, draft: OpeningDraft, *, deps: Deps) -> OpeningRecord:
    record = get(actor, opening_id)
    if record.status == OpeningStatus.CLOSED:
        raise InvalidInput("a closed opening cannot change", field="status")
    business = _tenant(actor.require_tenant())
    terms = terms_of(draft, time_zone=business.time_zone, currency=business.currency, today=deps.now().date())
    before = {"title": record.title, "rate_max": record.rate_max_minor}
    _fill(record, draft, terms)
    now = deps.now()
    with transaction() as tx:
        tx.save(record)
        tx.save(
            audit.entry(
                actor.require_tenant(),
                actor,
                "opening.revised",
                f"opening:{opening_id}",
                {"before": before, "after": {"title": record.title, "rate_max": record.rate_max_minor}},
                at=now,
            )
        )
    return record


def act(actor: Principal, opening_id: str, action: str, *, deps: Deps) -> OpeningRecord:
    """publish, pause or close; an open opening is on the board (GSI2 `BOARD#open`)."""
    record = get(actor, opening_id)
    before = OpeningStatus(record.status)
    after = next_status(before, action)
    record.status = str(after)
    if after is OpeningStatus.OPEN:
        record.gsi2pk, record.gsi2sk = BOARD, keys.sort_key(record.start_date, record.opening_id)
    else:
        record.gsi2pk = record.gsi2sk = None
    now = deps.now()
    with transaction() as tx:
        tx.save(record)
        tx.save(
            audit.entry(
                actor.require_tenant(),
                actor,
                f"opening.{action}",
                f"opening:{opening_id}",
                {"before": {"status": str(before)}, "after": {"status": str(after)}},
                at=now,
            )
        )
    return record


def board(*, limit: int = 200) -> list[OpeningRecord]:
    return [o for o in OpeningRecord.gsi2.query(BOARD, limit=limit) if isinstance(o, OpeningRecord)]


def find_for_agent(opening_id: str) -> OpeningRecord:
    """An opening as an agent may see it: open, by id alone; 404 otherwise (drafts stay private)."""
    pk = keys.platform_pk("OPENING", opening_id) if opening_id.isalnum() else None
    claim = Claim.find(pk, pk) if pk else None
    record = (
        OpeningRecord.find(
            keys.tenant_pk(TenantId(claim.require_tenant_id())),
            keys.sort_key("OPENING", opening_id),
            consistent=True,
        )
        if claim
        else None
    )
    if record is None or record.status != OpeningStatus.OPEN:
        raise NotFound("no such open opening")
    return record
