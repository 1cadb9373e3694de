"""The money of an offer said before anyone commits (issue 14, item 4): what accepting a block
charges the business at once, and what the agent receives an hour after the agent fee. Both by
the current fee schedule (services/fees.py), which is the one an invoice planned now is billed
under: the block's invoice is planned the moment the agent accepts (docs/billing.md, "Fees")."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain import billing as rules
from chalicelib.domain.money import Money, basis_points
from chalicelib.store.contracts import ContractRecord
from chalicelib.store.identity import AgentRecord


@dataclass(frozen=True)
class BlockCharge:
    """A block's invoice as the acceptance will plan it: the block, deskhire's fee, the total."""

    minutes: int
    rate_minor: int
    block: int
    fee: int
    fee_bps: int
    currency: str

    @property
    def total(self) -> int:
        return self.block + self.fee


@dataclass(frozen=True)
class AgentNet:
    """An hourly rate as the agent receives it: the rate less the agent fee of their tier."""

    rate_minor: int
    fee_minor: int
    fee_bps: int
    tier: int
    currency: str

    @property
    def net_minor(self) -> int:
        return self.rate_minor - self.fee_minor

    @property
    def fee_percent(self) -> str:
        return f"{self.fee_bps / 100:g}%"


def block_charge(record: ContractRecord, *, schedule: rules.FeeSchedule | None = None) -> BlockCharge | None:
    """What accepting this block offer charges the business (None: not a block)."""
    from chalicelib.services import fees

    if record.contract_kind != "block" or not record.block_minutes:
        return None
    schedule = schedule or fees.current()
    minutes = int(record.block_minutes) - int(record.added_minutes or 0)
    plan = rules.plan_block(
        contract_id=record.contract_id,
        agent_id=record.agent_id,
        title=record.title,
        agent_name=record.agent_name,
        minutes=minutes,
        rate_minor=int(record.rate_minor),
        currency=record.currency,
        fees=schedule,
    )
    fee = sum(line.amount for line in plan.lines if line.kind == "client_fee")
    return BlockCharge(
        minutes, int(record.rate_minor), plan.total - fee, fee, schedule.client_fee_bps, record.currency
    )


def agent_net(
    rate_minor: int, currency: str, tier: int, *, schedule: rules.FeeSchedule | None = None
) -> AgentNet:
    """What `rate_minor` an hour leaves the agent of `tier` after the agent fee. The fee is kept
    from each week's total rather than from each hour, so a week's pay may differ from hours x
    this by a cent of rounding."""
    from chalicelib.services import fees

    schedule = schedule or fees.current()
    bps = schedule.agent_fee(int(tier or 1))
    fee = basis_points(Money(int(rate_minor), currency), bps).minor
    return AgentNet(int(rate_minor), fee, bps, int(tier or 1), currency)


def said_before(record: ContractRecord, rate_minor: int, state: str, agent: AgentRecord | None) -> dict:
    """What a contract page says of money before anyone commits (issue 14, item 4): `block_charge`,
    what accepting a block offer (`state` "offered") charges the business at once; `net`, for the
    agent, what they receive an hour after the agent fee of their tier (None for the business)."""
    return {
        "block_charge": block_charge(record) if state == "offered" else None,
        "net": agent_net(rate_minor, record.currency, agent.tier or 1) if agent is not None else None,
    }
