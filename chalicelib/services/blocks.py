"""More hours for a block contract: a further block the business buys ("Buy more hours"), or one
bought for it when an entry leaves the balance under the threshold of its automatic top-up.

Each further block is an invoice of its own, `INVOICE#BLOCK#<contract>#<nnn>` numbered from 002
(the first block keeps `INVOICE#BLOCK#<contract>`). It is created under `attribute_not_exists` in
one transaction with the contract's counter (`blocks_bought`) and pending mark (`block_pending`),
the contract under its version: two requests or two entries racing for the same block make one
invoice, and a request naming its block (the portal's form does) answers that block when it comes
again. It is carried to Stripe and collected as the first block is (`invoicing.drafting.advance`, the
Stripe keys made from the invoice's id).

Its minutes may be logged only once it is paid: `invoicing.collection.mark_paid` adds them to the contract's
`block_minutes` in the transaction that marks the invoice paid, keeping on the invoice the minutes
bought before it (`block_offset`), so it happens once; a void or unpaid block adds nothing.
Settlement draws a contract's blocks in that order (`domain.billing.draw_block`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.composition import Deps
from chalicelib.domain import billing as billing_rules
from chalicelib.domain import blocks as rules
from chalicelib.domain.contracts import LIVE, Kind
from chalicelib.domain.errors import Conflict, Forbidden
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.tenancy import TenantId
from chalicelib.domain.time import BillingWeek
from chalicelib.ids import new_id
from chalicelib.mail import Mail, Subject
from chalicelib.services.contracts import notices, records
from chalicelib.store import audit
from chalicelib.store.billing import SETTLE_SHARDS, InvoiceRecord, block_invoice_key
from chalicelib.store.contracts import ContractRecord, contract_key, shard_of, stamp
from chalicelib.store.identity import AuditRecord
from chalicelib.store.transactions import transaction

ATTEMPTS = 3
SYSTEM = Principal(PrincipalKind.OPERATOR, "system", "deskhire")


@dataclass(frozen=True)
class Balance:
    """A block contract's hours: what may be logged, what was, and the blocks bought."""

    contract: ContractRecord
    blocks: list[InvoiceRecord]  # the first block first

    @property
    def block_minutes(self) -> int:
        return int(self.contract.block_minutes or 0)

    @property
    def used_minutes(self) -> int:
        return int(self.contract.used_minutes or 0)

    @property
    def remaining_minutes(self) -> int:
        return max(0, self.block_minutes - self.used_minutes)

    @property
    def top_up(self) -> rules.TopUp | None:
        return rules.TopUp.from_json(self.contract.top_up)

    @property
    def pending(self) -> InvoiceRecord | None:
        number = self.contract.block_pending
        return next((b for b in self.blocks if number is not None and number_of(b) == int(number)), None)


def number_of(record: InvoiceRecord) -> int:
    return int(record.block_number or 1)


def minutes_of(record: InvoiceRecord) -> int:
    return sum(int(line["minutes"] or 0) for line in record.lines if line["kind"] == "block")


def _tenant(contract: ContractRecord) -> TenantId:
    return TenantId(contract.tenant_id)


def _business_contract(actor: Principal, contract_id: str) -> ContractRecord:
    if actor.kind is not PrincipalKind.MEMBER:
        raise Forbidden("the business buys hours for its contracts")
    return records.find(actor, contract_id)


def blocks_of(contract: ContractRecord) -> list[InvoiceRecord]:
    pk, first = block_invoice_key(_tenant(contract), contract.contract_id)
    found = InvoiceRecord.query(pk, InvoiceRecord.sk.startswith(first), consistent_read=True)
    # the prefix would also match a longer contract id that starts with this one: keep its own
    mine = (r for r in found if isinstance(r, InvoiceRecord) and r.contract_id == contract.contract_id)
    return sorted(mine, key=number_of)


def balance(actor: Principal, contract_id: str) -> Balance:
    contract = _business_contract(actor, contract_id)
    rules.check_block_kind(Kind(contract.contract_kind))
    return Balance(contract, blocks_of(contract))


# -- buying a block ----------------------------------------------------------------------------


def new_block(
    contract: ContractRecord,
    *,
    number: int,
    minutes: int,
    now: datetime,
    collection: str = "charge_automatically",
) -> InvoiceRecord:
    """A further block's invoice, planned (nothing at Stripe yet), listed for `advance-invoices`."""
    from chalicelib.services.invoicing import planning

    schedule = planning.fees()
    plan = billing_rules.plan_further_block(
        number=number,
        contract_id=contract.contract_id,
        agent_id=contract.agent_id,
        title=contract.title,
        agent_name=contract.agent_name,
        minutes=minutes,
        rate_minor=int(contract.rate_minor),
        currency=contract.currency,
        fees=schedule,
    )
    tenant = _tenant(contract)
    return InvoiceRecord(
        *block_invoice_key(tenant, contract.contract_id, number),
        invoice_id=new_id(),
        invoice_kind="block",
        contract_id=contract.contract_id,
        block_number=number,
        week=str(BillingWeek.containing(now)),
        business_name=contract.business_name,
        status=str(billing_rules.InvoiceStatus.PLANNED),
        currency=plan.currency,
        lines=[line.to_json() for line in plan.lines],
        subtotal=plan.subtotal,
        client_fee=plan.client_fee,
        total=plan.total,
        # the draft adopts Stripe's collection method (from the business's account) in any case
        collection=collection,
        fee_schedule=schedule.to_json(),
        created_at=now,
        gsi2pk=planning.unbilled_index(shard_of(tenant.value) % SETTLE_SHARDS),
        gsi2sk=stamp(now),
    )


def _ordered(number: int) -> list:
    """The contract's side of ordering block `number`: counted, and pending until paid."""
    return [ContractRecord.blocks_bought.set(number), ContractRecord.block_pending.set(number)]


def _next_number(contract: ContractRecord) -> int:
    return int(contract.blocks_bought or 1) + 1


def _audit(
    contract: ContractRecord, actor: Principal, action: str, summary: dict, now: datetime
) -> AuditRecord:
    return audit.entry(
        _tenant(contract), actor, action, f"contract:{contract.contract_id}", {"after": summary}, at=now
    )


def _pending_minutes(contract: ContractRecord) -> int | None:
    if contract.block_pending is None:
        return None
    pending = InvoiceRecord.find(
        *block_invoice_key(_tenant(contract), contract.contract_id, int(contract.block_pending)),
        consistent=True,
    )
    return minutes_of(pending) if pending else None


def buy(
    actor: Principal, contract_id: str, *, minutes: int | None, number: int | None = None, deps: Deps
) -> Balance:
    """The business buys another block: its invoice is created once and collected now, as the
    first block is when the agent accepts. Its minutes may be logged when it is paid.

    `number` names the block the buyer means (the portal's form sends the one it showed): sent
    again, the request answers that block rather than buying another, however late it comes."""
    from chalicelib.payments.gateway import PaymentsUnavailable
    from chalicelib.services.billing_accounts import account_of
    from chalicelib.services.invoicing import drafting

    contract = _business_contract(actor, contract_id)
    tenant = _tenant(contract)
    rules.check_block_kind(Kind(contract.contract_kind))
    size = rules.check_block_size(minutes)
    for _attempt in range(ATTEMPTS):
        now = deps.now()
        target = rules.block_to_buy(number, bought=int(contract.blocks_bought or 1))
        if target is None:  # bought already: answer it
            bought = InvoiceRecord.find(*block_invoice_key(tenant, contract_id, number), consistent=True)
            rules.check_same_block(number, asked=size, bought=minutes_of(bought) if bought else 0)
            return Balance(contract, blocks_of(contract))
        rules.check_can_buy(
            Kind(contract.contract_kind),
            records.status_of(contract, now),
            pending=contract.block_pending,
            pending_minutes=_pending_minutes(contract),
        )
        record = new_block(
            contract, number=target, minutes=size, now=now, collection=account_of(tenant).collection
        )
        try:
            with transaction(conflict_message="the contract changed meanwhile") as tx:
                tx.save(record, condition=InvoiceRecord.pk.does_not_exist())
                tx.update(contract, actions=_ordered(target))
                tx.save(_audit(contract, actor, "block.bought", {"block": target, "minutes": size}, now))
        except Conflict:
            # a second click, or time logged meanwhile: read again (a block now pending says so)
            contract = records.find_for_system(tenant, contract_id)
            continue
        break
    else:
        raise Conflict("the contract kept changing; try again", code="contended")
    try:
        drafting.advance(record, deps=deps)
    except PaymentsUnavailable:
        # the invoice is there (planned or part way): advance-invoices carries it on within the hour
        from chalicelib.web.observability import logger

        logger.warning("block invoice left for advance-invoices: Stripe unavailable")
    current = records.find_for_system(tenant, contract_id)
    return Balance(current, blocks_of(current))


def set_top_up(
    actor: Principal,
    contract_id: str,
    *,
    enabled: bool,
    threshold_minutes: int | None,
    block_minutes: int | None,
    deps: Deps,
) -> Balance:
    """Turn the automatic top-up on (the threshold and the block's size) or off."""
    contract = _business_contract(actor, contract_id)
    setting = None
    for _attempt in range(ATTEMPTS):
        now = deps.now()
        rules.check_block_contract(
            Kind(contract.contract_kind), records.status_of(contract, now), field="threshold_minutes"
        )
        setting = setting or rules.top_up(threshold_minutes, block_minutes, enabled=enabled)
        action = ContractRecord.top_up.set(setting.to_json()) if setting else ContractRecord.top_up.remove()
        try:
            with transaction(conflict_message="the contract changed meanwhile") as tx:
                tx.update(contract, actions=[action])
                tx.save(
                    _audit(
                        contract,
                        actor,
                        "block.top_up_set",
                        setting.to_json() if setting else {"top_up": "off"},
                        now,
                    )
                )
        except Conflict:
            contract = records.find_for_system(_tenant(contract), contract_id)
            continue
        break
    else:
        raise Conflict("the contract kept changing; try again", code="contended")
    current = records.find_for_system(_tenant(contract), contract_id)
    return Balance(current, blocks_of(current))


# -- withdrawing a block waiting for its payment -------------------------------------------------


def cancel(actor: Principal, contract_id: str, number: str, *, deps: Deps) -> Balance:
    """The business withdraws a further block that is not paid (a card that keeps failing, hours
    no longer needed): void at Stripe if its invoice is open, void here alone while it is only
    planned. It is then no longer pending, so another may be bought. Sent again, nothing more."""
    contract = _business_contract(actor, contract_id)
    rules.check_block_kind(Kind(contract.contract_kind))
    withdraw(contract, rules.block_number(number), actor=actor, deps=deps)
    current = records.find_for_system(_tenant(contract), contract_id)
    return Balance(current, blocks_of(current))


def withdraw(contract: ContractRecord, number: int, *, actor: Principal, deps: Deps) -> InvoiceRecord | None:
    """Void block `number` of `contract` unless it is paid (see `cancel`); also used when the
    contract ends, so a block bought for hours that can no longer be logged is never charged."""
    from chalicelib.payments.gateway import PaymentsError, PaymentsUnavailable
    from chalicelib.services.invoicing import collection

    tenant = _tenant(contract)
    found = (
        InvoiceRecord.find(*block_invoice_key(tenant, contract.contract_id, number), consistent=True)
        if number >= 2
        else None
    )
    if number >= 2 and found is None:
        from chalicelib.domain.errors import NotFound

        raise NotFound("no such block")
    record = found
    for _attempt in range(ATTEMPTS):
        how = rules.how_to_cancel(number, record.status if record else "")
        if how is None:
            release_pending(record)  # a crash may have come between the void and the release
            return record
        now = deps.now()
        if how == "here":
            record.status = str(billing_rules.InvoiceStatus.VOID)
            record.gsi2pk = record.gsi2sk = None  # off the list advance-invoices carries on
            try:
                with transaction(conflict_message="the block changed meanwhile") as tx:
                    tx.save(record)  # under its version: a run drafting it meanwhile loses, or we do
                    tx.save(_audit(contract, actor, "block.cancelled", {"block": number}, now))
            except Conflict:
                record = InvoiceRecord.find(record.pk, record.sk, consistent=True)
                continue
            release_pending(record)
            return record
        try:
            voided = deps.payments.void_invoice(record.invoice_id, record.stripe_invoice_id)
        except PaymentsUnavailable:
            raise
        except PaymentsError:
            # Stripe refuses to void a paid invoice: paid meanwhile (its webhook may be late)
            current = deps.payments.retrieve_invoice(record.stripe_invoice_id)
            if current.get("status") != "paid":
                raise
            collection.mark_paid(record, current, deps=deps)
            record = InvoiceRecord.find(record.pk, record.sk, consistent=True)
            continue
        record = collection.mark_closed_unpaid(record, voided, deps=deps)
        _audit(contract, actor, "block.cancelled", {"block": number}, now).save()
        return record
    raise Conflict("the block kept changing; try again", code="contended")


def ended_unpaid(record: InvoiceRecord, *, deps: Deps) -> ContractRecord | None:
    """For a further block not paid yet: its contract, if it has ended (by an end date that came,
    rather than an explicit end, which withdraws the block at once). None otherwise, or for any
    other invoice (no read)."""
    if record.invoice_kind != "block" or number_of(record) < 2 or record.status == "paid":
        return None
    contract = ContractRecord.find(
        *contract_key(TenantId(record.pk.removeprefix("T#")), record.contract_id), consistent=True
    )
    if contract is None or records.status_of(contract, deps.now()) in LIVE:
        return None
    return contract


def withdraw_pending_at_end(contract: ContractRecord, *, deps: Deps) -> None:
    """The contract ended: the block still waiting for its payment is withdrawn (never charged
    for hours that can no longer be logged). One paid meanwhile is refunded by the payout run."""
    if contract.contract_kind != "block" or contract.block_pending is None:
        return
    try:
        withdraw(contract, int(contract.block_pending), actor=SYSTEM, deps=deps)
    except Conflict:
        pass  # paid meanwhile, or being issued: the payout run refunds it in full once paid
    except Exception:  # Stripe out of reach must not undo the end itself: logged, refunded if paid
        from chalicelib.web.observability import logger

        logger.exception("block left pending at the contract's end", extra={"contract": contract.contract_id})


# -- the automatic top-up, inside a diary write --------------------------------------------------


@dataclass(frozen=True)
class TopUpOrder:
    """What a diary write adds to its own transaction when it sets off a top-up."""

    invoice: InvoiceRecord
    contract_actions: list
    audit: AuditRecord


def top_up_order(contract: ContractRecord, *, adding: int, now: datetime) -> TopUpOrder | None:
    """The block an entry of `adding` minutes buys, if it leaves the balance under the threshold.
    No request of its own: the diary writes the invoice, the counter and the pending mark in the
    entry's transaction, under the contract's version, so two entries cannot both buy one."""
    setting = rules.TopUp.from_json(contract.top_up)
    remaining = int(contract.block_minutes or 0) - int(contract.used_minutes or 0) - adding
    if not rules.top_up_due(
        setting,
        status=records.status_of(contract, now),
        remaining_after=remaining,
        adding=adding,
        pending=contract.block_pending,
    ):
        return None
    number = _next_number(contract)
    # The Stripe part is left to `advance-invoices` (hourly; it carries every planned invoice on):
    # the agent's entry must not wait on, or fail with, the business's card. A block bought by
    # hand or on acceptance is collected at once, as the business is there to see the answer.
    return TopUpOrder(
        invoice=new_block(contract, number=number, minutes=setting.block_minutes, now=now),
        contract_actions=_ordered(number),
        audit=_audit(
            contract,
            SYSTEM,
            "block.top_up",
            {"block": number, "minutes": setting.block_minutes, "remaining": max(remaining, 0)},
            now,
        ),
    )


# -- payment -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grant:
    """A further block's minutes, added to its contract in the transaction that marks it paid."""

    contract: ContractRecord
    offset: int
    minutes: int
    actions: list
    condition: object


def grant_on_payment(record: InvoiceRecord) -> Grant | None:
    """For a further block about to be marked paid: the contract's update (its minutes added after
    every minute bought before, its pending mark cleared) and the offset to keep on the invoice.
    The condition is on the minutes read, not the version, so the agent's entries (which change
    the version) do not make the payment retry; the invoice's own version makes it happen once."""
    if record.invoice_kind != "block" or number_of(record) < 2 or record.block_offset is not None:
        return None
    tenant = TenantId(record.pk.removeprefix("T#"))
    contract = ContractRecord.find(*contract_key(tenant, record.contract_id), consistent=True)
    if contract is None:
        return None
    offset, minutes = int(contract.block_minutes or 0), minutes_of(record)
    actions = [ContractRecord.block_minutes.add(minutes), ContractRecord.added_minutes.add(minutes)]
    condition = ContractRecord.block_minutes == offset
    if contract.block_pending is not None and int(contract.block_pending) == number_of(record):
        actions.append(ContractRecord.block_pending.remove())
        condition &= ContractRecord.block_pending == number_of(record)
    return Grant(contract, offset, minutes, actions, condition)


def tell_agent(record: InvoiceRecord, grant: Grant, *, deps: Deps) -> None:
    from chalicelib.domain.diary import hours_and_minutes

    contract = grant.contract
    if records.status_of(contract, deps.now()) not in LIVE:
        return  # paid after the contract ended: refunded in full by the payout run, nothing to log
    left = grant.offset + grant.minutes - int(contract.used_minutes or 0)
    deps.mailer.send(
        Mail(
            to=contract.agent_email,
            subject=Subject.BLOCK_TOPPED_UP,
            text=f"The business bought {hours_and_minutes(grant.minutes)} more on a block contract: "
            f"{hours_and_minutes(max(left, 0))} left to log.\n\n"
            + notices.quoted(contract)
            + f"\n\n{deps.link('/agent/contracts/' + contract.contract_id)}\n",
        ),
        now=deps.now(),
    )


def release_pending(record: InvoiceRecord) -> None:
    """A further block voided (or written off) unpaid: it is no longer pending, so the business,
    or the top-up, may buy another. Its minutes were never added."""
    if record.invoice_kind != "block" or number_of(record) < 2:
        return
    from pynamodb.exceptions import UpdateError

    from chalicelib.store.base import is_condition_failure

    tenant = TenantId(record.pk.removeprefix("T#"))
    contract = ContractRecord.find(*contract_key(tenant, record.contract_id), consistent=True)
    if contract is None or contract.block_pending is None or int(contract.block_pending) != number_of(record):
        return
    try:
        contract.update(
            actions=[ContractRecord.block_pending.remove()],
            condition=ContractRecord.block_pending == number_of(record),
            add_version_condition=False,
        )
    except UpdateError as error:
        if not is_condition_failure(error):
            raise
        # released meanwhile (a second webhook): nothing left to do
