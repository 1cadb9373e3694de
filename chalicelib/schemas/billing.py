"""Models of the billing routes: the card on file, invoices, the estimate, payouts and earnings."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from chalicelib.schemas.base import Command, View
from chalicelib.schemas.marketplace import MoneyView


class FinishCardBody(Command):
    setup_intent_id: str = Field(min_length=5, max_length=100)


class PayoutLinkBody(Command):
    country: str | None = Field(
        default=None, min_length=2, max_length=2, description="ISO 3166 code, such as PT"
    )


class CollectionBody(Command):
    days_until_due: int | None = Field(default=None, description="net terms in days; null: charge the card")


class CardSetupView(View):
    setup_intent_id: str
    client_secret: str
    url: str = Field(description="where the browser enters the card")


class BillingAccountView(View):
    card: str | None = Field(description="visa ending 4242")
    card_expiry: str | None
    collection: Literal["charge_automatically", "send_invoice"]
    days_until_due: int | None
    status: Literal["ok", "past_due"]
    message: str | None = None


class LineView(View):
    kind: Literal["hours", "bonus", "block", "client_fee"]
    description: str
    amount: MoneyView
    contract_id: str | None
    minutes: int | None
    rate: MoneyView | None


class InvoiceView(View):
    id: str
    week: str
    status: Literal["planned", "drafted", "itemized", "open", "paid", "void", "uncollectible"]
    number: str | None
    subtotal: MoneyView
    client_fee: MoneyView
    total: MoneyView
    amount_paid: MoneyView
    refunded: MoneyView
    collection: str
    hosted_url: str | None
    pdf_url: str | None
    attempts: int
    last_failure: str | None
    created_at: datetime
    paid_at: datetime | None
    lines: list[LineView]
    notes: list[str] = Field(default_factory=list, description="what the invoice could not bill yet, and why")


class InvoiceList(View):
    invoices: list[InvoiceView]


class EstimateView(View):
    week: str
    total: MoneyView
    lines: list[LineView]


class PayoutAccountView(View):
    status: Literal["not_started", "pending", "enabled", "restricted"]
    country: str | None
    currency: str | None
    requirements_due: list[str]


class OnboardingLinkView(View):
    url: str


class TransferView(View):
    id: str
    week: str
    business_name: str
    gross: MoneyView
    fee: MoneyView
    net: MoneyView
    received: MoneyView | None = Field(description="in the agent's currency, when Stripe converted it")
    recovered: MoneyView = Field(description="kept back for what you owed after a refund after payout")
    reversed: MoneyView = Field(description="taken back after a refund after payout")
    status: Literal["waiting", "sent"]
    sent_at: datetime | None


class RefundAfterPayoutBody(Command):
    contract_id: str = Field(min_length=1, max_length=64)
    minutes: int = Field(description="paid-out minutes of the contract's week to refund")
    reason: str = Field(description="why: the business and the agent see it", max_length=500)
    number: int | None = Field(
        default=None,
        description="the refund you mean on this invoice (1 for its first): sent again, the request "
        "answers that refund instead of making another; left out, a new refund is made",
    )


class ClawbackView(View):
    id: str
    invoice_id: str
    week: str
    contract_id: str
    agent_id: str
    minutes: int
    refund: MoneyView = Field(description="to the business: the minutes' part of the line and its client fee")
    reversal: MoneyView = Field(description="from the agent: that part less the agent fee")
    reversed: MoneyView = Field(description="came back from the agent's transfers so far")
    owed: MoneyView = Field(
        description="the agent's balance could not cover it: kept from their next payouts"
    )
    status: Literal["pending", "done", "owed"]
    reason: str
    created_at: datetime


class EarningLine(View):
    contract_id: str
    title: str
    business_name: str
    week: str
    state: Literal["open", "in_review", "approved"]
    minutes: int
    amount: MoneyView = Field(description="before the agent fee")


class EarningsView(View):
    pending_review: list[MoneyView]
    approved: list[MoneyView]
    paid_out: list[MoneyView]
    weeks: list[EarningLine]
    transfers: list[TransferView]
    payouts: PayoutAccountView
    owed: list[MoneyView] = Field(
        description="what you owe after a refund your balance could not cover: kept from your next payouts"
    )


class WebhookAnswer(View):
    received: bool
    outcome: str


def money(minor, currency) -> MoneyView:
    return MoneyView(amount=int(minor or 0), currency=currency)


def account_view(record, message: str | None = None) -> BillingAccountView:
    return BillingAccountView(
        card=f"{record.card_brand} ending {record.card_last4}" if record.card_last4 else None,
        card_expiry=record.card_expiry,
        collection=record.collection or "charge_automatically",
        days_until_due=int(record.days_until_due) if record.days_until_due is not None else None,
        status=record.status or "ok",
        message=message,
    )


def line_view(line, currency: str) -> LineView:
    return LineView(
        kind=line.kind,
        description=line.description,
        amount=money(line.amount, currency),
        contract_id=line.contract_id,
        minutes=line.minutes,
        rate=money(line.rate_minor, currency) if line.rate_minor is not None else None,
    )


def invoice_view(record) -> InvoiceView:
    from chalicelib.domain.billing import Line

    currency = record.currency
    return InvoiceView(
        id=record.invoice_id,
        week=record.week,
        status=record.status,
        number=record.number,
        subtotal=money(record.subtotal, currency),
        client_fee=money(record.client_fee, currency),
        total=money(record.total, currency),
        amount_paid=money(record.amount_paid, currency),
        refunded=money(record.refunded, currency),
        collection=record.collection,
        hosted_url=record.hosted_url,
        pdf_url=record.pdf_url,
        attempts=int(record.attempts or 0),
        last_failure=record.last_failure,
        created_at=record.created_at,
        paid_at=record.paid_at,
        lines=[line_view(Line.from_json(line), currency) for line in record.lines],
        notes=list(record.notes or []),
    )


def payout_view(record) -> PayoutAccountView:
    return PayoutAccountView(
        status=record.status or "not_started",
        country=record.country,
        currency=record.currency,
        requirements_due=list(record.requirements_due or []),
    )


def transfer_view(record) -> TransferView:
    return TransferView(
        id=record.transfer_id,
        week=record.week,
        business_name=record.business_name,
        gross=money(record.gross, record.currency),
        fee=money(record.fee, record.currency),
        net=money(record.amount, record.currency),
        received=money(record.received_amount, record.received_currency)
        if record.received_amount is not None
        else None,
        recovered=money(record.recovered or 0, record.currency),
        reversed=money(record.amount_reversed or 0, record.currency),
        status=record.status,
        sent_at=record.sent_at,
    )


def clawback_view(record) -> ClawbackView:
    return ClawbackView(
        id=record.clawback_id,
        invoice_id=record.invoice_id,
        week=record.week,
        contract_id=record.contract_id,
        agent_id=record.agent_id,
        minutes=int(record.minutes),
        refund=money(record.refund, record.currency),
        reversal=money(record.reversal, record.currency),
        reversed=money(record.reversed or 0, record.currency),
        owed=money(record.owed or 0, record.currency),
        status=record.status,
        reason=record.reason,
        created_at=record.created_at,
    )


# -- the fee schedule (operators) ---------------------------------------------------------------

Tier = Literal["1", "2", "3"]


class FeeScheduleBody(Command):
    client_fee_bps: int = Field(description="added to each invoice, in basis points (500 = 5%), 0 to 2000")
    agent_fee_bps: dict[Tier, int] = Field(
        description='kept from the agent\'s share by tier, in basis points: {"1": 1000, "2": 800, "3": 500}; '
        "0 to 3000, a higher tier never more than a lower one"
    )
    version: int | None = Field(
        default=None,
        description="the version you read (0 while the defaults hold): a 409 if the fees changed since; "
        "left out, the change is made whatever it is",
    )
    note: str = Field(default="", max_length=300, description="why: kept with the change")


class FeeChangeView(View):
    before: dict
    after: dict
    operator: str
    note: str
    at: datetime


class FeesView(View):
    client_fee_bps: int
    agent_fee_bps: dict[Tier, int]
    version: int = Field(description="send it back with a change; 0 while the defaults hold")
    changed_by: str | None
    changed_at: datetime | None
    changes: list[FeeChangeView] = Field(description="the latest changes, newest first")


def fees_view(fees) -> FeesView:
    schedule = fees.schedule.to_json()
    return FeesView(
        client_fee_bps=schedule["client_fee_bps"],
        agent_fee_bps=schedule["agent_fee_bps"],
        version=fees.version,
        changed_by=fees.record.changed_by if fees.record else None,
        changed_at=fees.record.changed_at if fees.record else None,
        changes=[
            FeeChangeView(before=c.before, after=c.after, operator=c.operator_name, note=c.note, at=c.at)
            for c in fees.changes
        ],
    )
