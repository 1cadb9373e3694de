"""What stops money reaching agents, for the operators' payouts page: transfers Stripe refused,
agents whose transfers wait because their payouts are not enabled, and payouts of agents' Stripe
balances to their banks that failed (`payout.failed`, services/bank_payouts.py), each with what to
do in plain words (a person reads it, so no command lines).

Read from the waiting transfers' index (GSI2 `WAITING#<n>`, the shards the payout run reads), with
one BatchGetItem for the agents' records and payout accounts: a fixed number of requests, no Scan.
An agent whose payouts are not enabled but who has no money waiting yet is not listed here: the
agent's own pages remind them (services/payouts.transfers_wait). Failed bank payouts are read from
their index (GSI1 `PAYOUTFAILED#<n>` on the payout accounts), with one more BatchGetItem for the
agents."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from chalicelib.domain import payouts as payout_rules
from chalicelib.domain.errors import Forbidden
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.tenancy import AgentId
from chalicelib.store import keys
from chalicelib.store.base import read_batch
from chalicelib.store.billing import (
    SETTLE_SHARDS,
    PayoutAccount,
    TransferRecord,
    failed_payouts_index,
    payout_key,
    waiting_index,
)
from chalicelib.store.contracts import SHARDS
from chalicelib.store.identity import AgentRecord

PER_SHARD = 100  # waiting transfers read per shard at most

# What Stripe's refusal of a transfer means, and what an operator does about it.
REFUSALS = {
    "insufficient_capabilities_for_transfer": (
        "Stripe says the agent's account cannot receive transfers now (Stripe turned its transfers off, "
        "usually because it needs more details from the agent).",
        "Ask the agent to open Payouts in their portal and finish what Stripe asks for. "
        "Once Stripe turns transfers back on, the next payout run sends the money.",
    ),
    "balance_insufficient": (
        "Stripe says deskhire's balance did not hold the funds for it yet (the business's payment may "
        "still be on its way).",
        "Nothing to do at first: the next payout run tries again. If it keeps failing after the payment "
        "has settled, check deskhire's balance in Stripe's Dashboard.",
    ),
}
OTHER_REFUSAL = (
    "Look the agent's account up in Stripe's Dashboard (Connect, Accounts) with the account id below. "
    "The next payout run tries again; if Stripe keeps refusing, contact Stripe's support with the transfer's reference."
)


@dataclass(frozen=True)
class Refused:
    transfer: TransferRecord
    agent_name: str
    agent_email: str
    account_id: str | None
    why: str
    to_do: str


@dataclass
class Waiting:
    agent_id: str
    agent_name: str
    agent_email: str
    status: str  # the payout account's: not_started, pending, restricted, (enabled: waiting for the run)
    why: str
    to_do: str
    owed: dict[str, int] = field(default_factory=dict)  # by currency, net of fees
    since: datetime | None = None
    transfers: int = 0


@dataclass(frozen=True)
class BankFailure:
    """A payout of an agent's Stripe balance to their bank that came back."""

    agent_id: str
    agent_name: str
    agent_email: str
    account_id: str | None
    failure: dict  # PayoutAccount.bank_failure
    why: str
    to_do: str


@dataclass(frozen=True)
class Issues:
    refused: list[Refused]
    waiting: list[Waiting]
    bank_failures: list[BankFailure] = field(default_factory=list)


def _bank_failure(agent_id: str, account: PayoutAccount, agent: AgentRecord | None) -> BankFailure:
    from chalicelib.domain.money import format_amount

    failure = dict(account.bank_failure or {})
    name = agent.name if agent else "The agent"
    currency = str(failure.get("currency") or "")
    money = f"{format_amount(int(failure.get('amount') or 0), currency)} {currency.upper()}"
    code = failure.get("code")
    what, _ = payout_rules.bank_failure(code)
    said = failure.get("message")
    why = f"Stripe's payout of {money} to {name}'s bank came back: {what}" + (
        f" (Stripe: “{said}”)." if said else "."
    )
    if code in payout_rules.STRIPE_SIDE:
        to_do = (
            "Look the payout up in Stripe's Dashboard (Connect, Accounts, the account below, Payouts) and "
            "contact Stripe's support with its reference: the agent's bank is not at fault."
        )
    else:
        to_do = (
            f"{name} was mailed what to do; if it is still here in a few days, mail them too. They open "
            "Payouts in their portal and choose “Update your bank details”, which takes them to Stripe. "
            "The money is back in their Stripe balance and Stripe pays it out again once the details are "
            "right; deskhire's transfers to them go on meanwhile."
        )
    return BankFailure(agent_id, name, agent.email if agent else "", account.account_id, failure, why, to_do)


def bank_failures() -> list[BankFailure]:
    """Agents whose latest payout to their bank failed, newest first."""
    accounts: list[PayoutAccount] = []
    for shard in range(SETTLE_SHARDS):
        accounts += [
            a
            for a in PayoutAccount.gsi1.query(failed_payouts_index(shard), limit=PER_SHARD)
            if isinstance(a, PayoutAccount) and a.bank_failure
        ]
    agents = [a.pk.removeprefix(keys.AGENT_PREFIX) for a in accounts]
    found = read_batch([(a.pk, "AGENT") for a in accounts])
    listed = [
        _bank_failure(agent_id, account, found.get((account.pk, "AGENT"), AgentRecord))
        for agent_id, account in zip(agents, accounts, strict=True)
    ]
    return sorted(listed, key=lambda f: str(f.failure.get("failed_at") or ""), reverse=True)


def _not_enabled(account: PayoutAccount, name: str) -> tuple[str, str]:
    """Why an agent's transfers wait, and what to do, from the state Stripe last reported."""
    if not account.account_id or account.status == "not_started":
        return (
            f"{name} has not set up payouts yet.",
            f"Mail {name}: they open Payouts in their portal and give Stripe their details; the money goes "
            "out on the next payout run after that.",
        )
    if account.status == "restricted":
        reason = (account.disabled_reason or "").replace("_", " ").replace(".", ": ")
        return (
            f"Stripe restricted {name}'s account" + (f" ({reason})." if reason else "."),
            f"Ask {name} to open Payouts in their portal and update what Stripe asks for. If Stripe still "
            "refuses after that, contact Stripe's support about the account.",
        )
    if account.status == "pending":
        due = len(account.requirements_due or [])
        owed = f"{due} detail{'s' if due != 1 else ''}" if due else "details"
        return (
            f"{name} started payouts but Stripe still needs {owed} or is verifying them.",
            f"Ask {name} to open Payouts in their portal and finish; if they did, Stripe is still verifying "
            "and the next payout run sends the money once it has.",
        )
    return (
        "Payouts are enabled now.",
        "Nothing to do: the next payout run sends it.",
    )


def issues(actor: Principal) -> Issues:
    if actor.kind is not PrincipalKind.OPERATOR:
        raise Forbidden("only platform operators see payouts")
    transfers: list[TransferRecord] = []
    # waiting_index is keyed by store.contracts.shard_of (0..SHARDS-1), the payout run's shards
    for shard in range(SHARDS):
        transfers += [
            t
            for t in TransferRecord.gsi2.query(waiting_index(shard), limit=PER_SHARD)
            if isinstance(t, TransferRecord) and t.status == "waiting"
        ]
    agents = sorted({t.agent_id for t in transfers})
    found = read_batch(
        [k for a in agents for k in (payout_key(AgentId(a)), (payout_key(AgentId(a))[0], "AGENT"))]
    )
    refused: list[Refused] = []
    waiting: dict[str, Waiting] = {}
    for transfer in sorted(transfers, key=lambda t: t.created_at):
        pk = payout_key(AgentId(transfer.agent_id))
        account = found.get(pk, PayoutAccount) or PayoutAccount(*pk)
        agent = found.get((pk[0], "AGENT"), AgentRecord)
        name = agent.name if agent else "The agent"
        email = agent.email if agent else ""
        if transfer.failure and account.status == "enabled":
            why, to_do = REFUSALS.get(
                transfer.failure_code or "", (f"Stripe refused it: {transfer.failure}", OTHER_REFUSAL)
            )
            refused.append(Refused(transfer, name, email, account.account_id, why, to_do))
            continue
        entry = waiting.get(transfer.agent_id)
        if entry is None:
            why, to_do = _not_enabled(account, name)
            entry = waiting[transfer.agent_id] = Waiting(
                transfer.agent_id, name, email, account.status, why, to_do, since=transfer.created_at
            )
        entry.owed[transfer.currency] = entry.owed.get(transfer.currency, 0) + int(transfer.amount)
        entry.transfers += 1
    return Issues(
        refused=sorted(refused, key=lambda r: r.transfer.failed_at or r.transfer.created_at, reverse=True),
        waiting=list(waiting.values()),
        bank_failures=bank_failures(),
    )
