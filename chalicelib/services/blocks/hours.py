"""A block contract's hours: what may be logged, what was, and the blocks bought, each an invoice
of its own (`INVOICE#BLOCK#<contract>` for the first, `...#<nnn>` numbered from 002 for the
further ones); and what every change to them shares (the business's contract, the audit entry, the
principal deskhire acts as)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain import blocks as rules
from chalicelib.domain.contracts import Kind
from chalicelib.domain.errors import Forbidden
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.tenancy import TenantId
from chalicelib.services.contracts import records
from chalicelib.store import audit
from chalicelib.store.billing import InvoiceRecord, block_invoice_key
from chalicelib.store.contracts import ContractRecord
from chalicelib.store.identity import AuditRecord

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


def tenant_of(contract: ContractRecord) -> TenantId:
    return TenantId(contract.tenant_id)


def business_contract(actor: Principal, contract_id: str) -> ContractRecord:
    if actor.kind is not PrincipalKind.MEMBER:
        raise Forbidden("the business buys hours for its contracts")
    return records.find(actor, contract_id)


def blocks_of(contract: ContractRecord) -> list[InvoiceRecord]:
    pk, first = block_invoice_key(tenant_of(contract), contract.contract_id)
    found = InvoiceRecord.query(pk, InvoiceRecord.sk.startswith(first), consistent_read=True)
    # the prefix would also match a longer contract id that starts with this one: keep its own
    mine = (r for r in found if isinstance(r, InvoiceRecord) and r.contract_id == contract.contract_id)
    return sorted(mine, key=number_of)


def balance(actor: Principal, contract_id: str) -> Balance:
    contract = business_contract(actor, contract_id)
    rules.check_block_kind(Kind(contract.contract_kind))
    return Balance(contract, blocks_of(contract))


def audit_entry(
    contract: ContractRecord, actor: Principal, action: str, summary: dict, now: datetime
) -> AuditRecord:
    return audit.entry(
        tenant_of(contract), actor, action, f"contract:{contract.contract_id}", {"after": summary}, at=now
    )
