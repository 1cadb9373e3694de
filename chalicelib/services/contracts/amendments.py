"""Amendments: either side proposes a new rate or weekly cap; it applies when the other side
accepts (a rate from the next Monday), and the side that proposed it may withdraw it meanwhile."""

from __future__ import annotations

from chalicelib.composition import Deps
from chalicelib.domain import contracts as rules
from chalicelib.domain.bounds import check_rate
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.identity import Principal
from chalicelib.domain.money import Money
from chalicelib.ids import new_id
from chalicelib.mail import Subject
from chalicelib.services.contracts import notices, records
from chalicelib.store import audit
from chalicelib.store.contracts import ContractRecord
from chalicelib.store.transactions import transaction


def _pending(record: ContractRecord) -> rules.Amendment | None:
    return next(
        (a for a in records.amendments_of(record) if a.status is rules.AmendmentStatus.PROPOSED), None
    )


def propose(
    actor: Principal,
    contract_id: str,
    *,
    rate_minor: int | None,
    weekly_cap_minutes: int | None,
    note: str,
    deps: Deps,
) -> rules.Amendment:
    record = records.find(actor, contract_id)
    now = deps.now()
    side = records.side_of(actor)
    if rate_minor is not None:  # within its currency's bounds (domain/bounds.py), before who may
        check_rate(Money(rate_minor, record.currency), field="rate.amount")
    rules.check_proposal(
        side=side,
        kind=rules.Kind(record.contract_kind),
        status=records.status_of(record, now),
        current=rules.terms_at(records.history_of(record), now),
        rate_minor=rate_minor,
        weekly_cap_minutes=weekly_cap_minutes,
        pending=_pending(record),
    )
    amendment = rules.Amendment(new_id(), side, now, rate_minor, weekly_cap_minutes, note.strip()[:500])
    with transaction() as tx:
        tx.update(record, actions=[ContractRecord.amendments.set([*record.amendments, amendment.to_json()])])
        tx.save(
            audit.entry(
                records.tenant_of(record),
                actor,
                "amendment.proposed",
                f"contract:{contract_id}",
                {"after": {"rate": rate_minor, "weekly_cap_minutes": weekly_cap_minutes}},
                at=now,
            )
        )
    notices.tell_other_side(
        record,
        side,
        Subject.CHANGE_PROPOSED,
        f"The {side} proposes a change: {describe(amendment, record.currency)}.\n\n"
        + notices.quoted(record, note=amendment.note, note_label="Note"),
        deps=deps,
    )
    return amendment


def answer(
    actor: Principal, contract_id: str, amendment_id: str, *, accept: bool, deps: Deps
) -> rules.Amendment:
    return _settle(actor, contract_id, amendment_id, "accept" if accept else "decline", deps=deps)


def withdraw_amendment(
    actor: Principal, contract_id: str, amendment_id: str, *, deps: Deps
) -> rules.Amendment:
    return _settle(actor, contract_id, amendment_id, "withdraw", deps=deps)


def _settle(
    actor: Principal, contract_id: str, amendment_id: str, how: str, *, deps: Deps
) -> rules.Amendment:
    record = records.find(actor, contract_id)
    now = deps.now()
    side = records.side_of(actor)
    amendments = records.amendments_of(record)
    index = next((i for i, a in enumerate(amendments) if a.amendment_id == amendment_id), None)
    if index is None:
        raise NotFound("no such change")
    current = amendments[index]
    if how == "withdraw":
        settled = rules.withdraw(current, side=side, now=now)
    else:
        settled = rules.decide(current, side=side, accept=how == "accept", now=now)
    actions = []
    if settled.status is rules.AmendmentStatus.ACCEPTED:
        if records.status_of(record, now) not in rules.LIVE:
            raise Conflict(
                f"a contract that is {records.status_of(record, now)} cannot change",
                code="illegal_transition",
            )
        history, settled = rules.apply_amendment(records.history_of(record), settled, now=now)
        in_force = rules.terms_at(history, now)
        actions += [
            ContractRecord.terms.set([t.to_json() for t in history]),
            ContractRecord.rate_minor.set(in_force.rate_minor),
            ContractRecord.weekly_cap_minutes.set(in_force.weekly_cap_minutes),
        ]
    amendments[index] = settled
    actions.append(ContractRecord.amendments.set([a.to_json() for a in amendments]))
    with transaction() as tx:
        tx.update(record, actions=actions)
        tx.save(
            audit.entry(
                records.tenant_of(record),
                actor,
                f"amendment.{settled.status}",
                f"contract:{contract_id}",
                {"after": {"rate": settled.rate_minor, "weekly_cap_minutes": settled.weekly_cap_minutes}},
                at=now,
            )
        )
    if how != "withdraw":
        notices.tell_other_side(
            record,
            side,
            Subject.CHANGE_SETTLED.line(status=settled.status),
            # when a new rate starts, on the reader's clock (issue 14, item 8)
            lambda zone: (
                f"The {side} {settled.status} your change: {describe(settled, record.currency, zone)}.\n\n"
                + notices.quoted(record)
            ),
            deps=deps,
        )
    return settled


def describe(amendment: rules.Amendment, currency: str, zone: str = "UTC") -> str:
    """The change in words; a new rate's start on `zone`'s clock once it is known (a rate starts
    with a billing week, Monday 00:00 UTC)."""
    from chalicelib.domain.diary import hours_and_minutes
    from chalicelib.domain.money import format_amount
    from chalicelib.domain.time import BillingWeek
    from chalicelib.domain.time import when as written

    parts = []
    if amendment.rate_minor is not None:
        if amendment.rate_from is not None:
            week = BillingWeek.containing(amendment.rate_from)
            when = f" from {written(amendment.rate_from, zone)}, as billing week {week} starts"
        else:
            when = " from the next billing week once accepted (billing weeks start Monday 00:00 UTC)"
        parts.append(f"rate {format_amount(amendment.rate_minor, currency)} {currency.upper()}/h{when}")
    if amendment.weekly_cap_minutes is not None:
        parts.append(f"weekly cap {hours_and_minutes(amendment.weekly_cap_minutes)}")
    return ", ".join(parts)
