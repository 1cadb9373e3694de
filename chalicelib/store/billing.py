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
                                                          (GSI2 OWING#<n> while they owe a reversal;
                                                          GSI1 PAYOUTFAILED#<n> while their latest
                                                          payout to their bank failed)
    EVENT#<stripe event id>          EVENT                a webhook event handled (TTL 30 days)
    SYS#FEES                         CURRENT              the fee schedule new invoices are billed under
    SYS#FEES                         CHANGE#<time>#<id>   each change of it: who, why, before, after
"""

from __future__ import annotations

from pynamodb.attributes import (
    JSONAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.domain.time import BillingWeek
from chalicelib.store import keys
from chalicelib.store.attributes import (
    IntegerAttribute,
    OptionalDateTimeAttribute,
    OptionalIntegerAttribute,
    OptionalUnicodeAttribute,
    StringListAttribute,
)
from chalicelib.store.base import Entity, Versioned, present


class BillingAccount(Versioned, discriminator="billing_account"):
    customer_id = OptionalUnicodeAttribute()
    payment_method_id = OptionalUnicodeAttribute()
    card_brand = OptionalUnicodeAttribute()
    card_last4 = OptionalUnicodeAttribute()
    card_expiry = OptionalUnicodeAttribute()  # "12/2030"
    latest_setup_intent = OptionalUnicodeAttribute()  # only the latest card setup may save a card
    # charge_automatically (the card on file) or send_invoice (net terms, set by an operator)
    collection = UnicodeAttribute(default="charge_automatically")
    days_until_due = OptionalIntegerAttribute()
    status = UnicodeAttribute(default="ok")  # ok, past_due
    past_due_since = OptionalDateTimeAttribute()
    updated_at = OptionalDateTimeAttribute()

    def require_customer_id(self) -> str:
        """The Stripe customer, once `ensure_customer` made it."""
        return present(self, "customer_id", self.customer_id)

    def net_days(self) -> int | None:
        """The days an invoice sent with net terms is due in; None when the card is charged."""
        if self.collection != "send_invoice":
            return None
        return present(self, "days_until_due", self.days_until_due)


class PayoutAccount(Versioned, discriminator="payout_account"):
    account_id = OptionalUnicodeAttribute()
    country = OptionalUnicodeAttribute()
    currency = OptionalUnicodeAttribute()
    # not_started, pending (details owed), enabled (transfers and payouts on), restricted
    status = UnicodeAttribute(default="not_started")
    payouts_enabled = IntegerAttribute(default=0)
    transfers_active = IntegerAttribute(default=0)
    requirements_due = StringListAttribute(default=list)
    disabled_reason = OptionalUnicodeAttribute()  # why Stripe restricted it, when it did
    updated_at = OptionalDateTimeAttribute()
    # the service agreement the account was created with: full, or recipient (cross-border
    # payouts to a country outside the platform's region: transfers only)
    service_agreement = OptionalUnicodeAttribute()
    # what the agent owes back, by currency: a reversal their balance could not cover (recovered
    # from their next transfers)
    owed = JSONAttribute(default=dict)
    # the latest payout of their Stripe balance to their bank that failed, while it stands
    # (`payout.failed`; cleared by a later `payout.paid`): {"payout_id", "amount", "currency",
    # "code", "message", "created" (Stripe's, Unix seconds), "failed_at" (ISO)}; on GSI1
    # PAYOUTFAILED#<n> meanwhile (the operators' payouts page)
    bank_failure = JSONAttribute(null=True)

    def require_account_id(self) -> str:
        """The connected account, once onboarding created it."""
        return present(self, "account_id", self.account_id)


class InvoiceRecord(Versioned, discriminator="invoice"):
    invoice_id = UnicodeAttribute()
    # week: a business's billing week; block: a contract's prepaid block (sk INVOICE#BLOCK#...)
    invoice_kind = UnicodeAttribute(default="week")
    contract_id = OptionalUnicodeAttribute()  # block invoices
    block_number = OptionalIntegerAttribute()  # block invoices: 1 the first block, 2, 3, ... more
    # a further block, once paid: the contract's minutes bought before it (where its minutes start;
    # the first block starts at 0)
    block_offset = OptionalIntegerAttribute()
    # the fee schedule it was billed under (FeeSchedule.to_json; None: the defaults, from before
    # operators could change fees): its payouts and refunds use it, whatever the fees are now
    fee_schedule = JSONAttribute(null=True)
    week = UnicodeAttribute()
    business_name = UnicodeAttribute()
    status = UnicodeAttribute(default="planned")
    currency = UnicodeAttribute()
    lines = JSONAttribute(default=list)  # domain.billing.Line.to_json()
    subtotal = IntegerAttribute()
    client_fee = IntegerAttribute()
    total = IntegerAttribute()
    collection = UnicodeAttribute(default="charge_automatically")
    stripe_invoice_id = OptionalUnicodeAttribute()
    stripe_customer_id = OptionalUnicodeAttribute()  # the customer it was drafted for
    number = OptionalUnicodeAttribute()
    hosted_url = OptionalUnicodeAttribute()
    pdf_url = OptionalUnicodeAttribute()
    stripe_charge_id = OptionalUnicodeAttribute()
    amount_paid = IntegerAttribute(default=0)
    attempts = IntegerAttribute(default=0)
    last_failure = OptionalUnicodeAttribute()
    # the bank asked the cardholder to authenticate the payment (3-D Secure): it cannot be charged
    # off-session; the business confirms it on the hosted invoice page
    needs_action_at = OptionalDateTimeAttribute()
    created_at = UTCDateTimeAttribute()
    finalized_at = OptionalDateTimeAttribute()
    sent_at = OptionalDateTimeAttribute()  # net terms: the invoice was sent to the business
    days_until_due = OptionalIntegerAttribute()  # net terms, as the draft was made with them
    due_at = OptionalDateTimeAttribute()  # net terms: sent_at + days_until_due
    paid_at = OptionalDateTimeAttribute()
    # what has moved so far (the payout run moves only the difference to the target)
    transferred = JSONAttribute(default=dict)  # {agent_id: net sent or committed}
    refunded = IntegerAttribute(default=0)
    # the agents' lines refunded so far, {agent_id: amount} (domain.billing Settlement
    # .labour_refunded): counted off the support metrics' labour cost and earnings with each refund
    labour_refunded = JSONAttribute(default=dict)
    fee_kept = IntegerAttribute(default=0)  # client fee recognised as revenue
    agent_fees = IntegerAttribute(default=0)  # agent fees recognised as revenue
    settled_at = OptionalDateTimeAttribute()
    agent_tiers = JSONAttribute(default=dict)  # each agent's tier, fixed at the first settlement
    # refunds after payout, by contract: {"minutes", "gross", "agent_id"} so far (domain.clawbacks)
    clawed_back = JSONAttribute(default=dict)
    clawbacks = IntegerAttribute(default=0)  # how many: the next one's sequence number
    notes = StringListAttribute(default=list)  # what the invoice could not bill yet
    # agents whose lines the support metrics have still to count: the finalisation counts the
    # first ones, the rest follow in transactions of their own (services/invoicing/labour_metrics.py)
    earnings_pending = StringListAttribute(default=list)

    def require_stripe_invoice_id(self) -> str:
        """Stripe's invoice: there is one from `drafted` on."""
        return present(self, "stripe_invoice_id", self.stripe_invoice_id)

    def require_stripe_charge_id(self) -> str:
        """The charge that paid it: a paid invoice with an amount has one."""
        return present(self, "stripe_charge_id", self.stripe_charge_id)

    def require_contract_id(self) -> str:
        """A block invoice's contract."""
        return present(self, "contract_id", self.contract_id)


class TransferRecord(Versioned, discriminator="transfer"):
    transfer_id = UnicodeAttribute()
    invoice_id = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    agent_id = UnicodeAttribute()
    week = UnicodeAttribute()
    business_name = UnicodeAttribute()
    gross = IntegerAttribute()
    fee = IntegerAttribute()
    amount = IntegerAttribute()  # net: gross - fee
    currency = UnicodeAttribute()
    status = UnicodeAttribute(default="waiting")  # waiting (payouts not enabled), sent
    source_charge = OptionalUnicodeAttribute()  # the invoice's charge (source_transaction)
    stripe_transfer_id = OptionalUnicodeAttribute()
    # the group Stripe reports on the transfer: the charge's own (group_<PaymentIntent>) when the
    # transfer was made with source_transaction, whatever group deskhire asked for
    transfer_group = OptionalUnicodeAttribute()
    destination = OptionalUnicodeAttribute()
    received_amount = OptionalIntegerAttribute()  # in the agent's currency, when Stripe converted
    received_currency = OptionalUnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    sent_at = OptionalDateTimeAttribute()
    recovered = IntegerAttribute(default=0)  # kept back for what the agent owed (in `amount` already)
    amount_reversed = IntegerAttribute(default=0)  # taken back after payout (refunds after payout)
    # Stripe's refusal of the latest attempt, while the transfer still waits (the operators'
    # payouts page says what to do); cleared when it is sent
    failure = OptionalUnicodeAttribute()
    failure_code = OptionalUnicodeAttribute()
    failed_at = OptionalDateTimeAttribute()

    def require_stripe_transfer_id(self) -> str:
        """Stripe's transfer: a sent transfer has one."""
        return present(self, "stripe_transfer_id", self.stripe_transfer_id)


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
    minutes = IntegerAttribute()
    gross = IntegerAttribute()
    agent_fee = IntegerAttribute()
    client_fee = IntegerAttribute()
    refund = IntegerAttribute()  # to the business: gross + client fee
    reversal = IntegerAttribute()  # from the agent: gross - agent fee
    currency = UnicodeAttribute()
    reason = UnicodeAttribute()
    operator_id = UnicodeAttribute()
    status = UnicodeAttribute(default="pending")
    stripe_refund_id = OptionalUnicodeAttribute()
    # the business's refund as Stripe answered it (the billing page says its state and date):
    # when it was made and Stripe's status (succeeded, pending, failed); or, while Stripe refuses
    # to make it, its refusal (cleared once it is made)
    refunded_at = OptionalDateTimeAttribute()
    refund_status = OptionalUnicodeAttribute()
    refund_failure = OptionalUnicodeAttribute()
    refund_failure_code = OptionalUnicodeAttribute()
    refund_failed_at = OptionalDateTimeAttribute()
    reversed = IntegerAttribute(default=0)  # came back from the agent's transfers so far
    booked = StringListAttribute(default=list)  # the reversals counted in `reversed`
    owed = IntegerAttribute(default=0)  # booked as owed by the agent
    # the reversal waits for the funds its transfer brought, still pending on the agent's account
    # (Unix seconds when Stripe makes them available); the payout run tries it again from then
    funds_pending_until = OptionalIntegerAttribute()
    created_at = UTCDateTimeAttribute()
    done_at = OptionalDateTimeAttribute()


class RefundRecord(Entity, discriminator="refund"):
    refund_id = UnicodeAttribute()
    invoice_id = UnicodeAttribute()
    amount = IntegerAttribute()
    currency = UnicodeAttribute()
    stripe_refund_id = OptionalUnicodeAttribute()
    reason = UnicodeAttribute(default="")
    created_at = UTCDateTimeAttribute()


class LedgerEntry(Entity, discriminator="ledger"):
    """One posting of a journal: debit positive, credit negative; a journal's postings sum to zero
    per currency. Written with a condition that it does not exist: the ledger is append-only."""

    journal = UnicodeAttribute()
    account = UnicodeAttribute()
    amount = IntegerAttribute()
    currency = UnicodeAttribute()
    memo = UnicodeAttribute(default="")
    at = UTCDateTimeAttribute()


class WebhookEvent(Entity, discriminator="webhook_event"):
    event_type = UnicodeAttribute()
    object_id = OptionalUnicodeAttribute()
    received_at = UTCDateTimeAttribute()
    status = UnicodeAttribute(default="done")  # handling (under a lease), done
    lease_until = OptionalDateTimeAttribute()


class ReconciliationItem(Entity, discriminator="reconciliation"):
    """What one reconciliation run found for one business: pk SYS#RECONCILIATION, sk
    `<run date>#<tenant>` (kept 90 days)."""

    tenant_id = UnicodeAttribute()
    business_name = UnicodeAttribute()
    invoices = IntegerAttribute()
    differences = JSONAttribute(default=list)
    checked_at = UTCDateTimeAttribute()


RECONCILIATION_PK = keys.system_pk("RECONCILIATION")


class FeeScheduleRecord(Versioned, discriminator="fee_schedule"):
    """The fee schedule new invoices are billed under (domain.billing.FeeSchedule): pk SYS#FEES,
    sk CURRENT. None of it yet: the defaults."""

    schedule = JSONAttribute()
    changed_by = OptionalUnicodeAttribute()
    changed_at = OptionalDateTimeAttribute()


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


def failed_payouts_index(shard: int) -> str:
    """Agents whose latest payout to their bank failed (operators' payouts page); GSI1, since
    GSI2 holds the owing index on the same item."""
    return keys.platform_pk("PAYOUTFAILED", str(shard))


def list_bank_failure(account: PayoutAccount, agent_id: str) -> None:
    """Keep the account on the failed-payouts index while its bank failure stands (call after
    changing `bank_failure`)."""
    from chalicelib.store.contracts import shard_of

    if account.bank_failure:
        at = str(account.bank_failure.get("failed_at") or "")
        account.gsi1pk = failed_payouts_index(shard_of(agent_id) % SETTLE_SHARDS)
        account.gsi1sk = f"{at}#{agent_id}"
    else:
        account.gsi1pk = account.gsi1sk = None


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
