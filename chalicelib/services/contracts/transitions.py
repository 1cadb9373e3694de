"""What every transition of a contract writes beside its status: its audit entry, and its place
on the index the inactivity job reads (hourly contracts that run, by their last activity)."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain import contracts as rules
from chalicelib.domain.identity import Principal
from chalicelib.services.contracts import records
from chalicelib.store import audit, keys
from chalicelib.store.contracts import ContractRecord, idle_index, shard_of, stamp


def idle_index_actions(record: ContractRecord, since: datetime) -> list:
    """Hourly contracts that run are listed by their last activity, for the inactivity job."""
    if record.contract_kind != rules.Kind.HOURLY:
        return [ContractRecord.gsi2pk.remove(), ContractRecord.gsi2sk.remove()]
    return [
        ContractRecord.gsi2pk.set(idle_index(shard_of(record.contract_id))),
        ContractRecord.gsi2sk.set(keys.sort_key(stamp(since), record.contract_id)),
    ]


def off_indexes() -> list:
    return [ContractRecord.gsi2pk.remove(), ContractRecord.gsi2sk.remove()]


def audit_entry(record: ContractRecord, actor: Principal, action: str, before, after, now: datetime, **more):
    return audit.entry(
        records.tenant_of(record),
        actor,
        action,
        f"contract:{record.contract_id}",
        {"before": {"status": str(before)}, "after": {"status": str(after), **more}},
        at=now,
    )
