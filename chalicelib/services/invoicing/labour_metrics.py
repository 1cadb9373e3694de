"""An invoice's labour cost and its agents' earnings in the support metrics
(services/metrics/recording.py `invoice_finalised`), counted with the invoice's finalisation, a
chunk of agents at a time.

Every agent an invoice pays adds two items to the transaction that counts their lines (their day
for the business and their own day across businesses: store/metric_writes.py `agent_update`),
beside the business's day and week. A business with 50 agents on one invoice would need more than
DynamoDB's 100 actions in one transaction (store/transactions.py refuses it: the finalisation
failed, and the invoice was never collected). So:

- the finalisation's own transaction (services/invoicing/drafting.py) counts the lines of the
  first AGENTS_PER_TRANSACTION agents and every line that pays no agent (`first`), and saves the
  invoice with the other agents on `earnings_pending`;
- `finish` counts those, AGENTS_PER_TRANSACTION at a time, each chunk in a transaction that saves
  the invoice without them, under its version.

Each agent's lines count exactly once: a chunk is off the list in the write that counts it, and a
chunk refused because the invoice changed meanwhile counts nothing and is read again. The
finalisation runs `finish` at once; a crash before it is done leaves the invoice open and on the
unbilled list (collection has not started), where `advance-invoices` finds it, and `advance`
finishes the list before it collects. An invoice of up to AGENTS_PER_TRANSACTION agents (nearly
all of them) is counted in the finalisation's transaction alone, as before.

Actions: the finalisation's transaction holds the invoice, the `invoice.finalized` journal (2
postings), the platform's day and the business's activity, the business's day and week, and 2 per
agent: 87 with 40 agents. A later chunk: the invoice, the business's day and week, 2 per agent: 83.
Every item is small (a metrics day, or the invoice: its lines are a few hundred bytes each), far
from the 4 MB a transaction may carry.

The payout run takes the agents' lines refunded (minutes upheld in disputes, a block's unused
minutes) off the same counts, in its refund's transaction (services/settlement.py): there too,
`refunded_now` gives it AGENTS_PER_TRANSACTION agents at a time (the refund, its journal, the
platform's day and the business's day and week beside them: 87 actions at most), and the invoice
keeps what has been taken off per agent (`labour_refunded`), under its version, so the run's next
transaction (or, after a crash, the next run) takes off the rest, once."""

from __future__ import annotations

from chalicelib.domain import billing as rules
from chalicelib.domain.errors import Conflict
from chalicelib.domain.time import BillingWeek
from chalicelib.services.invoicing import invoices
from chalicelib.services.metrics import recording
from chalicelib.store.billing import InvoiceRecord
from chalicelib.store.transactions import transaction

AGENTS_PER_TRANSACTION = 40
ATTEMPTS = 5  # chunks refused because the invoice changed meanwhile, before giving up for this run


def _paid_agents(lines: list[rules.Line]) -> list[str]:
    """The agents the invoice's labour lines pay (hours, bonuses, blocks), in a fixed order."""
    return sorted({line.agent_id for line in lines if line.kind in recording.LABOUR_KINDS and line.agent_id})


def first(record: InvoiceRecord) -> list[rules.Line]:
    """The lines the finalisation's transaction counts: those of the first AGENTS_PER_TRANSACTION
    agents and every line that pays no agent. The other agents go on `record.earnings_pending`
    (set here: the finalisation's transaction saves the invoice with them)."""
    lines = invoices.plan_of(record).lines
    later = _paid_agents(list(lines))[AGENTS_PER_TRANSACTION:]
    record.earnings_pending = later
    return [line for line in lines if line.agent_id not in set(later)]


def count(tx, record: InvoiceRecord, lines: list[rules.Line]) -> None:
    """Add `lines` (some of the invoice's) to the labour cost and their agents' earnings of the
    week the invoice bills, in `tx`."""
    recording.invoice_finalised(
        tx,
        invoices.tenant_of(record),
        week_starts=BillingWeek.parse(record.week).starts_at.date(),
        currency=record.currency,
        lines=[(line.kind, line.agent_id, line.amount) for line in lines],
    )


def finish(record: InvoiceRecord) -> InvoiceRecord:
    """Count the lines of the agents still on `record.earnings_pending`, a chunk a transaction;
    the invoice as it stands after (with none left)."""
    refused = 0
    while record.earnings_pending:
        pending = list(record.earnings_pending)
        chunk = set(pending[:AGENTS_PER_TRANSACTION])
        record.earnings_pending = pending[AGENTS_PER_TRANSACTION:]
        try:
            with transaction(conflict_message="the invoice changed meanwhile") as tx:
                tx.save(record)  # under its version: the chunk leaves the list as it is counted
                count(tx, record, [line for line in invoices.plan_of(record).lines if line.agent_id in chunk])
        except Conflict:
            refused += 1
            if refused >= ATTEMPTS:
                raise Conflict(
                    "the invoice kept changing while its agents' earnings were counted; "
                    "advance-invoices counts the rest",
                    code="contended",
                ) from None
        record = record.reloaded()
    return record


def refunded_now(record: InvoiceRecord, split: rules.Settlement) -> dict[str, int]:
    """The agents' lines refunded that the payout run's next transaction takes off the labour cost
    and earnings (by agent: what moved since `record.labour_refunded`), AGENTS_PER_TRANSACTION
    agents at most; `record.labour_refunded` is set to what will have been taken off once it
    commits (the transaction saves the invoice)."""
    moved = split.labour_refunded_since(record.labour_refunded or {})
    now = dict(sorted(moved.items())[:AGENTS_PER_TRANSACTION])
    counted = {**(record.labour_refunded or {})}
    counted.update({agent: split.labour_refunded.get(agent, 0) for agent in now})
    record.labour_refunded = {agent: amount for agent, amount in counted.items() if amount}
    return now
