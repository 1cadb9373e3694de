"""Billing items: a business's billing account and invoices, an agent's payout account, the
transfers and refunds that settle an invoice, the ledger, and the webhook events seen.

    T#<tenant>                       BILLING              the Stripe customer, the card, collection
    T#<tenant>                       INVOICE#<week>       the week's invoice: one per business and
                                                          week, by key (GSI2 SETTLE#<n> while money
                                                          is still to move)
    T#<tenant>                       INVOICE#BLOCK#<c>    a block contract's first block; further
                                     INVOICE#BLOCK#<c>#<nnn>  blocks numbered from 002, one per
                                                          number by key
    T#<tenant>#INVOICE#<invoice>     TRANSFER#<agent>#<n> a transfer to an agent (GSI1
                                                          A#<agent>#TRANSFERS; GSI2 WAITING#<n> while
                                                          the agent cannot receive)
    T#<tenant>#INVOICE#<invoice>     REFUND#<n>           a refund to the business
    T#<tenant>#LEDGER#<invoice>      <time>#<journal>#<n> double-entry postings, never updated
    A#<agent>                        PAYOUTS              the agent's Express account and its state
                                                          (GSI2 OWING#<n> while they owe a reversal)
    EVENT#<stripe event id>          EVENT                a webhook event handled (TTL 30 days)
    SYS#FEES                         CURRENT              the fee schedule new invoices are billed under
    SYS#FEES                         CHANGE#<time>#<id>   each change of it: who, why, before, after
"""

from __future__ import annotations

from pynamodb.attributes import (
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.domain.time import BillingWeek
from chalicelib.store import keys
from chalicelib.store.base import Entity, Versioned


class BillingAccount(Versioned, discriminator="billing_account"):
    customer_id = UnicodeAttribute(null=True)
    payment_method_id = UnicodeAttribute(null=True)
    card_brand = UnicodeAttribute(null=True)
    card_last4 = UnicodeAttribute(null=True)
    card_expiry = UnicodeAttribute(null=True)  # "12/2030"
    latest_setup_intent = UnicodeAttribute(null=True)  # only the latest card setup may save a card
    # charge_automatically (the card on file) or send_invoice (net terms, set by an operator)
    collection = UnicodeAttribute(default="charge_automatically")
    days_until_due = NumberAttribute(null=True)
    status = UnicodeAttribute(default="ok")  # ok, past_due
    past_due_since = UTCDateTimeAttribute(null=True)
    updated_at = UTCDateTimeAttribute(null=True)


class PayoutAccount(Versioned, discriminator="payout_account"):
    account_id = UnicodeAttribute(null=True)
    country = UnicodeAttribute(null=True)
    currency = UnicodeAttribute(null=True)
    # not_started, pending (details owed), enabled (transfers and payouts on), restricted
    status = UnicodeAttribute(default="not_started")
    payouts_enabled = NumberAttribute(default=0)
    transfers_active = NumberAttribute(default=0)
    requirements_due = ListAttribute(of=UnicodeAttribute, default=list)
    disabled_reason = UnicodeAttribute(null=True)  # why Stripe restricted it, when it did
    updated_at = UTCDateTimeAttribute(null=True)
    # the service agreement the account was created with: full, or recipient (cross-border
    # payouts to a country outside the platform's region: transfers only)
    service_agreement = UnicodeAttribute(null=True)
    # what the agent owes back, by currency: a reversal their balance could not cover (recovered
    # from their next transfers)
    owed = JSONAttribute(default=dict)


class InvoiceRecord(Versioned, discriminator="invoice"):
    invoice_id = UnicodeAttribute()
    # week: a business's billing week; block: a contract's prepaid block (sk INVOICE#BLOCK#...)
    invoice_kind = UnicodeAttribute(default="week")
    contract_id = UnicodeAttribute(null=True)  # block invoices
    block_number = NumberAttribute(null=True)  # block invoices: 1 the first block, 2, 3, ... more
    # a further block, once paid: the contract's minutes bought before it (where its minutes start;
    # the first block starts at 0)
    block_offset = NumberAttribute(null=True)
    # the fee schedule it was billed under (FeeSchedule.to_json; None: the defaults, from before
    # operators could change fees): its payouts and refunds use it, whatever the fees are now
    fee_schedule = JSONAttribute(null=True)
    week = UnicodeAttribute()
    business_name = UnicodeAttribute()
    status = UnicodeAttribute(default="planned")
    currency = UnicodeAttribute()
    lines = JSONAttribute(default=list)  # domain.billing.Line.to_json()
    subtotal = NumberAttribute()
    client_fee = NumberAttribute()
    total = NumberAttribute()
    collection = UnicodeAttribute(default="charge_automatically")
    stripe_invoice_id = UnicodeAttribute(null=True)
    stripe_customer_id = UnicodeAttribute(null=True)  # the customer it was drafted for
    number = UnicodeAttribute(null=True)
    hosted_url = UnicodeAttribute(null=True)
    pdf_url = UnicodeAttribute(null=True)
    stripe_charge_id = UnicodeAttribute(null=True)
    amount_paid = NumberAttribute(default=0)
    attempts = NumberAttribute(default=0)
    last_failure = UnicodeAttribute(null=True)
    # the bank asked the cardholder to authenticate the payment (3-D Secure): it cannot be charged
    # off-session; the business confirms it on the hosted invoice page
    needs_action_at = UTCDateTimeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    finalized_at = UTCDateTimeAttribute(null=True)
    sent_at = UTCDateTimeAttribute(null=True)  # net terms: the invoice was sent to the business
    days_until_due = NumberAttribute(null=True)  # net terms, as the draft was made with them
    due_at = UTCDateTimeAttribute(null=True)  # net terms: sent_at + days_until_due
    paid_at = UTCDateTimeAttribute(null=True)
    # what has moved so far (the payout run moves only the difference to the target)
    transferred = JSONAttribute(default=dict)  # {agent_id: net sent or committed}
    refunded = NumberAttribute(default=0)
    fee_kept = NumberAttribute(default=0)  # client fee recognised as revenue
    agent_fees = NumberAttribute(default=0)  # agent fees recognised as revenue
    settled_at = UTCDateTimeAttribute(null=True)
    agent_tiers = JSONAttribute(default=dict)  # each agent's tier, fixed at the first settlement
    # refunds after payout, by contract: {"minutes", "gross", "agent_id"} so far (domain.clawbacks)
    clawed_back = JSONAttribute(default=dict)
    clawbacks = NumberAttribute(default=0)  # how many: the next one's sequence number
    notes = ListAttribute(of=UnicodeAttribute, default=list)  # what the invoice could not bill yet


class TransferRecord(Versioned, discriminator="transfer"):
    transfer_id = UnicodeAttribute()
    invoice_id = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    agent_id = UnicodeAttribute()
    week = UnicodeAttribute()
    business_name = UnicodeAttribute()
    gross = NumberAttribute()
    fee = NumberAttribute()
    amount = NumberAttribute()  # net: gross - fee
    currency = UnicodeAttribute()
    status = UnicodeAttribute(default="waiting")  # waiting (payouts not enabled), sent
    source_charge = UnicodeAttribute(null=True)  # the invoice's charge (source_transaction)
    stripe_transfer_id = UnicodeAttribute(null=True)
    # the group Stripe reports on the transfer: the charge's own (group_<PaymentIntent>) when the
    # transfer was made with source_transaction, whatever group deskhire asked for
    transfer_group = UnicodeAttribute(null=True)
    destination = UnicodeAttribute(null=True)
    received_amount = NumberAttribute(null=True)  # in the agent's currency, when Stripe converted
    received_currency = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    sent_at = UTCDateTimeAttribute(null=True)
    recovered = NumberAttribute(default=0)  # kept back for what the agent owed (in `amount` already)
    amount_reversed = NumberAttribute(default=0)  # taken back after payout (refunds after payout)


class ClawbackRecord(Entity, discriminator="clawback"):
    """A refund after payout (domain.clawbacks): the business's refund and the agent's reversal,
    written as an intent with its ledger postings, then carried out at Stripe. `status`: pending
    (Stripe's part to do), done (refunded and reversed), owed (refunded; the agent's balance could
    not cover the reversal, so they owe it)."""

    clawback_id = UnicodeAttribute()
    invoice_id = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    week = UnicodeAttribute()
    contract_id = UnicodeAttribute()
    agent_id = UnicodeAttribute()
    minutes = NumberAttribute()
    gross = NumberAttribute()
    agent_fee = NumberAttribute()
    client_fee = NumberAttribute()
    refund = NumberAttribute()  # to the business: gross + client fee
    reversal = NumberAttribute()  # from the agent: gross - agent fee
    currency = UnicodeAttribute()
    reason = UnicodeAttribute()
    operator_id = UnicodeAttribute()
    status = UnicodeAttribute(default="pending")
    stripe_refund_id = UnicodeAttribute(null=True)
    reversed = NumberAttribute(default=0)  # came back from the agent's transfers so far
    booked = ListAttribute(of=UnicodeAttribute, default=list)  # the reversals counted in `reversed`
    owed = NumberAttribute(default=0)  # booked as owed by the agent
    # the reversal waits for the funds its transfer brought, still pending on the agent's account
    # (Unix seconds when Stripe makes them available); the payout run tries it again from then
    funds_pending_until = NumberAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    done_at = UTCDateTimeAttribute(null=True)


class RefundRecord(Entity, discriminator="refund"):
    refund_id = UnicodeAttribute()
    invoice_id = UnicodeAttribute()
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    stripe_refund_id = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(default="")
    created_at = UTCDateTimeAttribute()


class LedgerEntry(Entity, discriminator="ledger"):
    """One posting of a journal: debit positive, credit negative; a journal's postings sum to zero
    per currency. Written with a condition that it does not exist: the ledger is append-only."""

    journal = UnicodeAttribute()
    account = UnicodeAttribute()
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    memo = UnicodeAttribute(default="")
    at = UTCDateTimeAttribute()


class WebhookEvent(Entity, discriminator="webhook_event"):
    event_type = UnicodeAttribute()
    object_id = UnicodeAttribute(null=True)
    received_at = UTCDateTimeAttribute()
    status = UnicodeAttribute(default="done")  # handling (under a lease), done
    lease_until = UTCDateTimeAttribute(null=True)


class ReconciliationItem(Entity, discriminator="reconciliation"):
    """What one reconciliation run found for one business: pk SYS#RECONCILIATION, sk
    `<run date>#<tenant>` (kept 90 days)."""

    tenant_id = UnicodeAttribute()
    business_name = UnicodeAttribute()
    invoices = NumberAttribute()
    differences = JSONAttribute(default=list)
    checked_at = UTCDateTimeAttribute()


RECONCILIATION_PK = keys.system_pk("RECONCILIATION")


class FeeScheduleRecord(Versioned, discriminator="fee_schedule"):
    """The fee schedule new invoices are billed under (domain.billing.FeeSchedule): pk SYS#FEES,
    sk CURRENT. None of it yet: the defaults."""

    schedule = JSONAttribute()
    changed_by = UnicodeAttribute(null=True)
    changed_at = UTCDateTimeAttribute(null=True)


class FeeChangeRecord(Entity, discriminator="fee_change"):
    """One change of the fee schedule, kept for good: pk SYS#FEES, sk CHANGE#<time>#<id>."""

    before = JSONAttribute()
    after = JSONAttribute()
    operator_id = UnicodeAttribute()
    operator_name = UnicodeAttribute()
    note = UnicodeAttribute(default="")
    at = UTCDateTimeAttribute()


FEES_PK = keys.system_pk("FEES")
FEES_CURRENT = "CURRENT"
FEE_CHANGE_PREFIX = "CHANGE#"


# -- keys -----------------------------------------------------------------------------------------

SETTLE_SHARDS = 8


def billing_key(tenant: TenantId) -> tuple[str, str]:
    return keys.tenant_pk(tenant), "BILLING"


def invoice_key(tenant: TenantId, week: BillingWeek) -> tuple[str, str]:
    return keys.tenant_pk(tenant), keys.sort_key("INVOICE", str(week))


def block_invoice_key(tenant: TenantId, contract_id: str, number: int = 1) -> tuple[str, str]:
    """The first block keeps `INVOICE#BLOCK#<contract>`; further ones are `...#<contract>#002`, ...
    (a prefix query on the first key reads them all, in order)."""
    if number == 1:
        return keys.tenant_pk(tenant), keys.sort_key("INVOICE", "BLOCK", contract_id)
    if number < 2:
        raise ValueError(f"block number {number}")
    return keys.tenant_pk(tenant), keys.sort_key("INVOICE", "BLOCK", contract_id, f"{number:03d}")


def invoice_partition(tenant: TenantId, invoice_id: str) -> str:
    return keys.tenant_pk(tenant, "INVOICE", invoice_id)


def transfer_key(tenant: TenantId, invoice_id: str, agent_id: str, seq: int) -> tuple[str, str]:
    return invoice_partition(tenant, invoice_id), keys.sort_key("TRANSFER", agent_id, f"{seq:03d}")


def refund_key(tenant: TenantId, invoice_id: str, seq: int) -> tuple[str, str]:
    return invoice_partition(tenant, invoice_id), keys.sort_key("REFUND", f"{seq:03d}")


def clawback_key(tenant: TenantId, invoice_id: str, seq: int) -> tuple[str, str]:
    return invoice_partition(tenant, invoice_id), keys.sort_key("CLAWBACK", f"{seq:03d}")


def owing_index(shard: int) -> str:
    """Agents who owe a reversal their balance could not cover (operators' payouts page)."""
    return keys.platform_pk("OWING", str(shard))


def list_owing(account: PayoutAccount, agent_id: str) -> None:
    """Keep the account on the owing index while it owes anything (call after changing `owed`)."""
    from chalicelib.store.contracts import shard_of

    if any(int(v) for v in (account.owed or {}).values()):
        account.gsi2pk, account.gsi2sk = owing_index(shard_of(agent_id) % SETTLE_SHARDS), agent_id
    else:
        account.gsi2pk = account.gsi2sk = None


def pending_clawbacks_index(shard: int) -> str:
    """Refunds after payout whose Stripe part is not done: the payout run finishes them."""
    return keys.platform_pk("CLAWBACK", str(shard))


def ledger_partition(tenant: TenantId, invoice_id: str) -> str:
    return keys.tenant_pk(tenant, "LEDGER", invoice_id)


def payout_key(agent: AgentId) -> tuple[str, str]:
    return keys.agent_pk(agent), "PAYOUTS"


def agent_transfers_index(agent: AgentId) -> str:
    return keys.agent_pk(agent, "TRANSFERS")


def settle_index(shard: int) -> str:
    return keys.platform_pk("SETTLE", str(shard))


def waiting_index(shard: int) -> str:
    return keys.platform_pk("WAITING", str(shard))


def event_key(event_id: str) -> tuple[str, str]:
    return keys.platform_pk("EVENT", event_id), "EVENT"
