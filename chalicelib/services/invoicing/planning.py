"""Planning an invoice: one per business and billing week, built when the week locks from its locked
timesheets and bonuses, or one for a block contract's whole block when the agent accepts; and the
estimate of the week so far.

An invoice's item (`T#<tenant>`, `INVOICE#<week>`) is created under `attribute_not_exists`, so
there is one per business and week however often or concurrently the run fires (PROMISES P1); it
is planned (nothing at Stripe yet) and listed for `advance-invoices` until Stripe has it."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.composition import Deps
from chalicelib.domain import billing as rules
from chalicelib.domain.errors import Conflict, Forbidden
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.tenancy import TenantId
from chalicelib.domain.time import BillingWeek
from chalicelib.ids import new_id
from chalicelib.services import bonuses
from chalicelib.services.invoicing import drafting
from chalicelib.store import keys
from chalicelib.store.base import read_batch
from chalicelib.store.billing import SETTLE_SHARDS, InvoiceRecord, invoice_key
from chalicelib.store.contracts import ContractRecord, shard_of, stamp
from chalicelib.store.identity import TenantRecord


def fees() -> rules.FeeSchedule:
    """The schedule a new invoice is billed under (operators set it: services/fees.py)."""
    from chalicelib.services import fees as fee_schedule

    return fee_schedule.current()


def worked_weeks(tenant: TenantId, week: BillingWeek) -> list[rules.WorkedWeek]:
    """The hourly contracts' minutes of a business's week, from the locked timesheets."""
    from chalicelib.services import timesheets

    return [
        rules.WorkedWeek(
            contract_id=line.contract_id,
            agent_id=line.agent_id,
            title=line.title,
            agent_name=line.agent_name,
            rate_minor=line.rate_minor,
            billed=line.minutes.billed,
            payable=line.minutes.payable,
            disputed=line.minutes.disputed,
            upheld=line.minutes.upheld,
        )
        for line in timesheets.week_minutes(tenant, week)
        if line.kind == "hourly" and line.status in ("locked", "closed")
    ]


def bill_week(
    tenant: TenantId, week: BillingWeek, *, deps: Deps, schedule: rules.FeeSchedule | None = None
) -> InvoiceRecord | None:
    """The business's invoice for `week`, created if there is time to bill, and carried as far as
    it can go now. Safe to run any number of times. `schedule`: the fees to bill under (the
    billing run reads them once for all its businesses); None reads the current ones."""
    now = deps.now()
    if now < week.locks_at:
        raise Conflict(
            f"week {week} is billed when it locks, {week.locks_at:%a %d %b %H:%M} UTC", code="week_open"
        )
    record = InvoiceRecord.find(*invoice_key(tenant, week), consistent=True)
    if record is None:
        from chalicelib.services import timesheets

        contract_ids = timesheets.lock_week(tenant, week, now=now)
        business = TenantRecord.load(keys.tenant_pk(tenant), "TENANT")
        schedule = schedule or fees()
        contracts = _contracts(tenant, contract_ids)
        # each contract's performance bonus, from its agent's CSAT that week at this business
        performance = bonuses.performance(tenant, week, contracts)
        plan = rules.plan_invoice(
            worked_weeks(tenant, week),
            bonuses.for_week(tenant, contract_ids, week),
            currency=business.currency,
            fees=schedule,
            week_label=str(week),
            performance=performance,
        )
        if plan is None:
            return None
        from chalicelib.services.billing_accounts import account_of

        account = account_of(tenant)
        record = InvoiceRecord(
            *invoice_key(tenant, week),
            invoice_id=new_id(),
            week=str(week),
            business_name=business.name,
            status=str(rules.InvoiceStatus.PLANNED),
            currency=plan.currency,
            lines=[line.to_json() for line in plan.lines],
            subtotal=plan.subtotal,
            client_fee=plan.client_fee,
            total=plan.total,
            collection=account.collection,
            fee_schedule=schedule.to_json(),
            created_at=now,
            notes=bonuses.performance_notes(contracts, performance, plan, week),
            gsi2pk=unbilled_index(shard_of(tenant.value) % SETTLE_SHARDS),
            gsi2sk=stamp(now),
        )
        try:
            record.save_new()
        except Conflict:
            record = InvoiceRecord.load(*invoice_key(tenant, week))  # made by a run that raced this one
    return drafting.advance(record, deps=deps)


def _contracts(tenant: TenantId, contract_ids: list[str]) -> list[ContractRecord]:
    from chalicelib.store.contracts import contract_key

    return read_batch([contract_key(tenant, cid) for cid in contract_ids]).all(ContractRecord)


def unbilled_index(shard: int) -> str:
    """Invoices not yet finalized at Stripe (a run that stopped half-way): `advance-invoices`
    carries them on."""
    return keys.platform_pk("UNBILLED", str(shard))


def bill_block(tenant: TenantId, contract_id: str, *, deps: Deps) -> InvoiceRecord | None:
    """A block contract's invoice: the whole block, when the agent accepts (once, by key)."""
    from chalicelib.services.billing_accounts import account_of
    from chalicelib.services.contracts import records
    from chalicelib.store.billing import block_invoice_key

    record = InvoiceRecord.find(*block_invoice_key(tenant, contract_id), consistent=True)
    if record is None:
        contract = records.find_for_system(tenant, contract_id)
        if contract is None or contract.contract_kind != "block" or not contract.periods:
            return None
        now = deps.now()
        schedule = fees()
        plan = rules.plan_block(
            contract_id=contract_id,
            agent_id=contract.agent_id,
            title=contract.title,
            agent_name=contract.agent_name,
            # the first block: what the offer said (further blocks paid since add to block_minutes)
            minutes=contract.require_block_minutes() - int(contract.added_minutes or 0),
            rate_minor=int(contract.rate_minor),
            currency=contract.currency,
            fees=schedule,
        )
        record = InvoiceRecord(
            *block_invoice_key(tenant, contract_id),
            invoice_id=new_id(),
            invoice_kind="block",
            contract_id=contract_id,
            block_number=1,
            week=str(BillingWeek.containing(now)),
            business_name=contract.business_name,
            status=str(rules.InvoiceStatus.PLANNED),
            currency=plan.currency,
            lines=[line.to_json() for line in plan.lines],
            subtotal=plan.subtotal,
            client_fee=plan.client_fee,
            total=plan.total,
            collection=account_of(tenant).collection,
            fee_schedule=schedule.to_json(),
            created_at=now,
            gsi2pk=unbilled_index(shard_of(tenant.value) % SETTLE_SHARDS),
            gsi2sk=stamp(now),
        )
        try:
            record.save_new()
        except Conflict:
            record = InvoiceRecord.load(*block_invoice_key(tenant, contract_id))  # made meanwhile
    return drafting.advance(record, deps=deps)


@dataclass(frozen=True)
class Estimate:
    week: BillingWeek
    lines: tuple[rules.Line, ...]
    total: int
    currency: str


def estimate(actor: Principal, *, deps: Deps) -> Estimate:
    """What this week would be invoiced if it locked now: its minutes logged so far."""
    from chalicelib.services import timesheets
    from chalicelib.services.contracts import records

    if actor.kind is not PrincipalKind.MEMBER:
        raise Forbidden("the estimate is the business's")
    tenant = actor.require_tenant()
    now = deps.now()
    week = BillingWeek.containing(now)
    business = TenantRecord.load(keys.tenant_pk(tenant), "TENANT")
    weeks = []
    for row in timesheets.overview(actor, week, deps=deps):
        if row.contract.contract_kind != "hourly" or not row.logged:
            continue
        from chalicelib.domain.contracts import terms_in_week

        rate = terms_in_week(records.history_of(row.contract), week).rate_minor
        weeks.append(
            rules.WorkedWeek(
                row.contract.contract_id,
                row.contract.agent_id,
                row.contract.title,
                row.contract.agent_name,
                rate,
                row.logged,
            )
        )
    from chalicelib.store.contracts import WeekMarker, marker_key

    marker = WeekMarker.find(*marker_key(tenant, week), consistent=True)
    granted = bonuses.for_week(
        tenant, sorted(marker.contract_ids) if marker and marker.contract_ids else [], week
    )
    plan = rules.plan_invoice(weeks, granted, currency=business.currency, fees=fees(), week_label=str(week))
    if plan is None:
        return Estimate(week, (), 0, business.currency)
    return Estimate(week, plan.lines, plan.total, plan.currency)
