"""An agent's payouts to their bank: Stripe pays the balance of their Express account out on its
own schedule (a Payout on the connected account), and tells the platform's Connect endpoint
`payout.paid`, or `payout.failed` when the bank sent the money back (a closed account, a wrong
number). deskhire's transfers reached the agent's Stripe balance, so the money is safe there, but
the agent is not paid until they fix their bank details on Stripe.

`payout.failed` (verified and claimed once by stripe_events): the payout is read again from Stripe
with the account's Stripe-Account header, the account too (Stripe now asks it for a bank
account), and its failure is kept on the agent's payout account (`bank_failure`, on the
PAYOUTFAILED index for the operators' payouts page), under its version; the agent is mailed once
per failed payout what happened and what to do (update their bank details on Stripe through the
payouts page's link). A later payout paid (`payout.paid`, a payout Stripe made after the failed
one) clears it. Events in any order converge: each reads the payout's status now."""

from __future__ import annotations

from chalicelib.composition import Deps
from chalicelib.domain import payouts as rules
from chalicelib.domain.errors import Conflict
from chalicelib.domain.money import format_amount
from chalicelib.domain.tenancy import AgentId
from chalicelib.mail import Mail, Subject
from chalicelib.services import payouts
from chalicelib.store import keys
from chalicelib.store.billing import list_bank_failure
from chalicelib.store.identity import AgentRecord


def apply(payout: dict, stripe_account: str, *, deps: Deps) -> str:
    """`payout.failed` or `payout.paid`: 'handled', or 'ignored' for an account or a payout that is
    not an agent's of deskhire's, or a payout still on its way."""
    status = payout.get("status")
    if status not in ("failed", "paid"):
        return "ignored"
    record = payouts.apply_account_update(deps.stripe.retrieve_account(stripe_account), deps=deps)
    if record is None or record.account_id != stripe_account:
        return "ignored"
    agent = AgentId(record.pk.removeprefix(keys.AGENT_PREFIX))
    if status == "failed":
        if _record_failure(agent, payout, deps=deps):
            _tell(agent, payout, deps=deps)
        return "handled"
    _clear_failure(agent, payout, deps=deps)
    return "handled"


def _record_failure(agent: AgentId, payout: dict, *, deps: Deps) -> bool:
    """Keep the failure on the agent's payout account. False: kept already (the same payout)."""
    failure = {
        "payout_id": payout["id"],
        "amount": int(payout.get("amount") or 0),
        "currency": str(payout.get("currency") or ""),
        "code": payout.get("failure_code"),
        "message": payout.get("failure_message"),
        "created": int(payout.get("created") or 0),
        "failed_at": deps.now().isoformat(),
    }
    for _attempt in range(4):
        record = payouts.account_of(agent)
        kept = record.bank_failure or {}
        if kept.get("payout_id") == payout["id"]:
            return False
        if int(kept.get("created") or 0) > failure["created"]:
            return False  # a later payout failed already: the page shows the latest
        record.bank_failure = failure
        list_bank_failure(record, agent.value)
        try:
            record.save_checked()
        except Conflict:
            continue
        return True
    raise Conflict("the payout account kept changing; Stripe delivers the event again", code="contended")


def _clear_failure(agent: AgentId, payout: dict, *, deps: Deps) -> None:
    """A payout paid after the one that failed: the bank details work again."""
    for _attempt in range(4):
        record = payouts.account_of(agent)
        kept = record.bank_failure
        if not kept or kept.get("payout_id") == payout["id"]:
            return
        if int(payout.get("created") or 0) < int(kept.get("created") or 0):
            return  # an older payout arriving late says nothing of the failed one
        record.bank_failure = None
        list_bank_failure(record, agent.value)
        try:
            record.save_checked()
        except Conflict:
            continue
        return
    raise Conflict("the payout account kept changing; Stripe delivers the event again", code="contended")


def _tell(agent: AgentId, payout: dict, *, deps: Deps) -> None:
    person = AgentRecord.find(keys.agent_pk(agent), "AGENT", consistent=True)
    if person is None or not person.email:
        return
    deps.mailer.send(
        Mail(to=person.email, subject=Subject.BANK_PAYOUT_FAILED, text=text(payout, deps=deps)),
        now=deps.now(),
    )


def text(payout: dict, *, deps: Deps) -> str:
    """The agent's mail: what happened, that the money is safe, and what to do."""
    currency = str(payout.get("currency") or "")
    money = f"{format_amount(int(payout.get('amount') or 0), currency)} {currency.upper()}"
    what, to_do = rules.bank_failure(payout.get("failure_code"))
    said = payout.get("failure_message")
    lines = [
        f"Stripe tried to pay {money} from your Stripe balance into your bank account, and it came "
        f"back: {what}." + (f' (Stripe\'s words: "{said}")' if said else ""),
        "",
        "The money is safe: it went back to your Stripe balance, and nothing you earned is lost.",
        "",
        f"What to do: {to_do}. Open Payouts in deskhire ({deps.link('/agent/payouts')}) and choose "
        "\"Update your bank details\": it takes you to Stripe's page for them (if you use Stripe's "
        "Express dashboard, you can change them there too). Once they are right, Stripe pays your "
        "balance out again with your next payout.",
        "",
        f"Stripe's reference for the payout: {payout.get('id')} ({payout.get('failure_code') or 'no code'}).",
    ]
    return "\n".join(lines) + "\n"
