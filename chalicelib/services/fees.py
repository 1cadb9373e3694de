"""The platform's fees, set by operators (DESIGN.md: "set fees").

One schedule is current (`SYS#FEES` / `CURRENT`); new invoices are billed under it and keep a copy
(`InvoiceRecord.fee_schedule`), so a change applies from the next invoice planned and never moves
money already invoiced: an invoice's payouts, refunds and refunds after payout use its own copy.
A change is written with its history item (who, why, before and after) in one transaction, under
the schedule's version: an operator who saw an older schedule gets a 409 rather than overwriting a
colleague's change unseen."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.composition import Deps
from chalicelib.domain import billing as rules
from chalicelib.domain.errors import Conflict, Forbidden
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.ids import new_id
from chalicelib.store.billing import (
    FEE_CHANGE_PREFIX,
    FEES_CURRENT,
    FEES_PK,
    FeeChangeRecord,
    FeeScheduleRecord,
)
from chalicelib.store.keys import sort_key
from chalicelib.store.transactions import transaction

HISTORY = 20


@dataclass(frozen=True)
class Fees:
    """The current schedule as an operator sees it: its version (0 while the defaults hold), who
    changed it last, and the latest changes."""

    schedule: rules.FeeSchedule
    version: int
    record: FeeScheduleRecord | None
    changes: list[FeeChangeRecord]


def _require_operator(actor: Principal) -> None:
    if actor.kind is not PrincipalKind.OPERATOR:
        raise Forbidden("only platform operators set fees")


def _record() -> FeeScheduleRecord | None:
    return FeeScheduleRecord.find(FEES_PK, FEES_CURRENT, consistent=True)


def current() -> rules.FeeSchedule:
    """The schedule a new invoice is billed under (one strongly consistent read: a change applies
    to the very next invoice planned, on any Lambda)."""
    record = _record()
    return rules.FeeSchedule.from_json(record.schedule if record else None)


def of_invoice(record) -> rules.FeeSchedule:
    """The schedule an invoice was billed under."""
    return rules.FeeSchedule.from_json(record.fee_schedule)


def changes(*, limit: int = HISTORY) -> list[FeeChangeRecord]:
    found = FeeChangeRecord.query(
        FEES_PK,
        FeeChangeRecord.sk.startswith(FEE_CHANGE_PREFIX),
        scan_index_forward=False,
        limit=limit,
    )
    return [c for c in found if isinstance(c, FeeChangeRecord)]


def show(actor: Principal) -> Fees:
    _require_operator(actor)
    record = _record()
    return Fees(
        schedule=rules.FeeSchedule.from_json(record.schedule if record else None),
        version=int(record.version) if record else 0,
        record=record,
        changes=changes(),
    )


def change(
    actor: Principal,
    schedule: rules.FeeSchedule,
    *,
    seen_version: int | None,
    note: str,
    deps: Deps,
) -> Fees:
    """Make `schedule` current from the next invoice. `seen_version` is the version the operator
    saw (0: the defaults); None skips the check (a script that means to overwrite)."""
    _require_operator(actor)
    schedule.check()
    now = deps.now()
    record = _record()
    version = int(record.version) if record else 0
    if seen_version is not None and seen_version != version:
        raise Conflict(
            "the fees were changed since you read them; reload to see the change",
            code="stale_or_duplicate",
            field="version",
        )
    before = rules.FeeSchedule.from_json(record.schedule if record else None)
    if before == schedule:
        return show(actor)  # nothing changes: no history item for a form sent twice
    if record is None:
        record = FeeScheduleRecord(FEES_PK, FEES_CURRENT)
    record.schedule, record.changed_by, record.changed_at = schedule.to_json(), actor.name, now
    with transaction(
        conflict_message="the fees were changed since you read them; reload to see the change"
    ) as tx:
        tx.save(record)  # under its version (a first save: only if none exists)
        tx.save(
            FeeChangeRecord(
                FEES_PK,
                sort_key("CHANGE", now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), new_id()),
                before=before.to_json(),
                after=schedule.to_json(),
                operator_id=actor.id,
                operator_name=actor.name,
                note=note.strip(),
                at=now,
            )
        )
    return show(actor)
