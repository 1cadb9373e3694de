"""Bonuses: a business pays an agent something extra on a contract. A one-off bonus is billed
with the week it is granted in (on that week's invoice, with the client fee) and paid out with the
week's hours, less the agent fee. A contract's performance-bonus rule is evaluated by the billing
run from the agent's CSAT that week at the business (the customers' ratings recorded that week):
earned, it is a bonus line of its own (its percent of the contract's line, rounded half-even once),
billed and paid out like the hours; either way the invoice's notes say what the week's CSAT was."""

from __future__ import annotations

from chalicelib.composition import Deps
from chalicelib.domain.billing import Bonus, InvoicePlan, Performance
from chalicelib.domain.contracts import BonusRule
from chalicelib.domain.errors import Forbidden, InvalidInput
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.money import Money
from chalicelib.domain.tenancy import TenantId
from chalicelib.domain.time import BillingWeek, week_words
from chalicelib.ids import new_id
from chalicelib.mail import Mail, Subject
from chalicelib.services.contracts import notices, records
from chalicelib.store import audit, keys
from chalicelib.store.contracts import (
    BonusRecord,
    ContractRecord,
    WeekMarker,
    bonus_key,
    contract_partition,
    marker_key,
    shard_of,
    weeks_index,
)
from chalicelib.store.transactions import transaction

MAX_BONUS_MINOR = 1_000_000


def grant(actor: Principal, contract_id: str, *, amount: Money, note: str, deps: Deps) -> BonusRecord:
    if actor.kind is not PrincipalKind.MEMBER:
        raise Forbidden("the business pays bonuses")
    record = records.find(actor, contract_id)
    now = deps.now()
    if records.status_of(record, now).value not in ("active", "paused", "ended") or not record.periods:
        raise InvalidInput("bonuses go to contracts that have started", field="contract_id")
    if amount.currency != record.currency:
        raise InvalidInput(f"this contract pays in {record.currency}", field="amount.currency")
    if not 0 < amount.minor <= MAX_BONUS_MINOR:
        raise InvalidInput("a bonus is above zero and at most 10,000.00", field="amount.amount")
    text = note.strip()
    if len(text) > 300:
        raise InvalidInput("at most 300 characters", field="note")
    tenant = records.tenant_of(record)
    week = BillingWeek.containing(now)
    bonus_id = new_id()
    bonus = BonusRecord(
        *bonus_key(tenant, contract_id, week, bonus_id),
        bonus_id=bonus_id,
        contract_id=contract_id,
        agent_id=record.agent_id,
        week=str(week),
        amount=amount.minor,
        currency=amount.currency,
        note=text,
        granted_by=actor.name,
        granted_at=now,
    )
    with transaction() as tx:
        tx.save(bonus, condition=BonusRecord.pk.does_not_exist())
        # the week's billing fans out from this marker: a bonus is billed even in a week without time
        tx.update(
            WeekMarker(*marker_key(tenant, week)),
            actions=[
                WeekMarker.contract_ids.add({contract_id}),
                WeekMarker.kind.set(WeekMarker.kind | WeekMarker),
                WeekMarker.gsi2pk.set(weeks_index(week, shard_of(tenant.value))),
                WeekMarker.gsi2sk.set(tenant.value),
            ],
        )
        tx.save(
            audit.entry(
                tenant,
                actor,
                "bonus.granted",
                f"contract:{contract_id}",
                {"after": {"amount": amount.minor, "week": str(week)}},
                at=now,
            )
        )
    deps.mailer.send(
        Mail(
            to=record.agent_email,
            subject=Subject.BONUS_GRANTED,
            text="A business granted you a bonus on deskhire. It is paid with the hours of "
            f"{week_words(week)}.\n\n"
            + notices.quoted(record, note=text, note_label="The business's note")
            + f"\n\n{deps.link('/agent/earnings')}\n",
        ),
        now=now,
    )
    return bonus


def of_contract(actor: Principal, contract_id: str) -> list[BonusRecord]:
    record = records.find(actor, contract_id)
    return [
        b
        for b in BonusRecord.query(
            contract_partition(records.tenant_of(record), contract_id), BonusRecord.sk.startswith("BONUS#")
        )
        if isinstance(b, BonusRecord)
    ]


def for_week(tenant: TenantId, contract_ids: list[str], week: BillingWeek) -> list[Bonus]:
    """The one-off bonuses of a business's week, as invoice lines see them."""
    found = []
    for contract_id in contract_ids:
        for record in BonusRecord.query(
            contract_partition(tenant, contract_id),
            BonusRecord.sk.startswith(keys.sort_key("BONUS", str(week)) + "#"),
        ):
            if isinstance(record, BonusRecord):
                found.append(
                    Bonus(
                        bonus_id=record.bonus_id,
                        contract_id=record.contract_id,
                        agent_id=record.agent_id,
                        amount=int(record.amount),
                        description=f"Bonus for {record.note or 'great work'} ({week})",
                    )
                )
    return found


def performance(tenant: TenantId, week: BillingWeek, records: list[ContractRecord]) -> list[Performance]:
    """Each hourly contract's performance-bonus rule with its agent's CSAT in `week` at this
    business: the ratings customers gave that week (services/ratings.py keeps a counter per agent,
    business and week in each rating's transaction; one Query reads them all)."""
    from chalicelib.services import ratings

    ruled = [(r, BonusRule.from_json(r.bonus)) for r in records if r.contract_kind == "hourly"]
    ruled = [(r, rule) for r, rule in ruled if rule is not None]
    if not ruled:
        return []
    csat = ratings.csat_week(tenant, week)
    out = []
    for record, rule in ruled:
        good, count = csat.get(record.agent_id, (0, 0))
        out.append(
            Performance(
                contract_id=record.contract_id,
                percent_bps=rule.percent_bps,
                min_csat_bps=rule.min_csat_bps,
                min_ratings=rule.min_ratings,
                good=good,
                ratings=count,
            )
        )
    return out


def performance_notes(
    records: list[ContractRecord], performance: list[Performance], plan: InvoicePlan | None, week: BillingWeek
) -> list[str]:
    """What the invoice says about each contract's performance bonus: earned (its line), or not
    earned with the week's CSAT beside what the rule asks."""
    by_contract = {p.contract_id: p for p in performance}
    billed = {line.line_id for line in plan.lines} if plan is not None else set()
    notes = []
    for record in records:
        rule = BonusRule.from_json(record.bonus)
        outcome = by_contract.get(record.contract_id)
        if rule is None or outcome is None:
            continue
        asked = (
            f"{rule.percent_bps / 100:g}% of the week when CSAT is at least {rule.min_csat_bps / 100:g}% "
            f"over at least {rule.min_ratings} ratings"
        )
        if f"performance-{record.contract_id}" in billed:
            notes.append(
                f"Performance bonus for {record.agent_name} ({asked}): earned in {week}, {outcome.csat_label()}."
            )
        else:
            notes.append(
                f"Performance bonus for {record.agent_name} ({asked}): not earned in {week}, {outcome.csat_label()}."
            )
    return notes
