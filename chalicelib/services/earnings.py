"""An agent's earnings across all their contracts: time still open or in review, approved time
waiting for the payout run, and what was paid out (in the agent's own currency too, when Stripe
converted it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from chalicelib.composition import Deps
from chalicelib.domain import contracts as terms
from chalicelib.domain.errors import Forbidden
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.money import Money, line_amount
from chalicelib.domain.tenancy import AgentId
from chalicelib.domain.time import BillingWeek
from chalicelib.services import payouts, settlement, timesheets
from chalicelib.services.contracts import records
from chalicelib.services.invoicing import invoices
from chalicelib.store.base import read_batch
from chalicelib.store.billing import PayoutAccount, TransferRecord
from chalicelib.store.contracts import ContractRecord, TimesheetRecord, timesheet_key

WEEKS_SHOWN = 8
# where a week's minutes stand: logged in an open week, in the business's review, approved
EarningState = Literal["open", "in_review", "approved"]


@dataclass(frozen=True)
class EarningWeek:
    contract: ContractRecord
    week: BillingWeek
    state: EarningState
    minutes: int
    amount: int  # before the agent fee


@dataclass
class Earnings:
    weeks: list[EarningWeek]
    transfers: list[TransferRecord]
    payouts: PayoutAccount
    pending_review: dict[str, int] = field(default_factory=dict)
    approved: dict[str, int] = field(default_factory=dict)
    paid_out: dict[str, int] = field(default_factory=dict)


def _add(totals: dict[str, int], currency: str, amount: int) -> None:
    totals[currency] = totals.get(currency, 0) + amount


def earnings(actor: Principal, *, deps: Deps) -> Earnings:
    if actor.kind is not PrincipalKind.AGENT:
        raise Forbidden("earnings are the agent's")
    agent = AgentId(actor.id)
    now = deps.now()
    current = BillingWeek.containing(now)
    recent = [current]
    while len(recent) < WEEKS_SHOWN:
        recent.append(BillingWeek.containing(recent[-1].starts_at - (current.ends_at - current.starts_at)))
    # hourly and block contracts alike: a block's weeks are logged and reviewed as an hourly
    # contract's are; only how they are paid differs (drawn from the prepaid block, below)
    worked = [
        c for c in records.listed(actor) if c.periods and records.status_of(c, now) not in terms.OFFER_STATES
    ]
    wanted = [timesheet_key(records.tenant_of(c), c.contract_id, w) for c in worked for w in recent]
    sheets = read_batch(wanted)
    transfers = settlement.agent_transfers(agent)
    paid_weeks = {(t.tenant_id, t.week) for t in transfers}
    result = Earnings(weeks=[], transfers=transfers, payouts=payouts.account_of(agent))
    for contract in worked:
        history = records.history_of(contract)
        for week in recent:
            sheet = sheets.get(
                timesheet_key(records.tenant_of(contract), contract.contract_id, week), TimesheetRecord
            )
            if sheet is None or not sheet.logged_minutes:
                continue
            minutes = timesheets.minutes_of(sheet)
            if now < week.locks_at or sheet.status == "open":
                state, counted = "open", int(sheet.logged_minutes)
            elif sheet.status != "closed":
                state, counted = "in_review", minutes.billed
            else:
                state, counted = "approved", minutes.payable
            rate = (
                int(sheet.rate_minor)
                if sheet.rate_minor is not None
                else terms.terms_in_week(history, week).rate_minor
            )
            amount = line_amount(counted, Money(rate, contract.currency)).minor
            result.weeks.append(EarningWeek(contract, week, state, counted, amount))
            if state in ("open", "in_review"):
                _add(result.pending_review, contract.currency, amount)
            elif contract.contract_kind == terms.Kind.BLOCK:
                # drawn from the block on the week's payout day; from then its transfer (sent, or
                # waiting for the agent's payouts) counts it, under the block's own invoice week
                if now < invoices.payout_due(week):
                    _add(result.approved, contract.currency, amount)
            elif (contract.tenant_id, str(week)) not in paid_weeks:
                _add(result.approved, contract.currency, amount)
    for transfer in transfers:
        if transfer.status == "sent":
            _add(
                result.paid_out, transfer.currency, int(transfer.amount) - int(transfer.amount_reversed or 0)
            )
        else:
            _add(result.approved, transfer.currency, int(transfer.gross))
    result.weeks.sort(key=lambda w: (w.week, w.contract.title), reverse=True)
    return result
