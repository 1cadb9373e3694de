"""Billing on the JSON API: the card on file, invoices and the estimate (the business); payouts and
earnings (the agent); collection terms, refunds after payout and the fees (operators); and Stripe's
webhooks."""

from __future__ import annotations

from chalicelib import composition
from chalicelib.web.api import JsonApi
from chalicelib.web.auth import AGENT, MEMBER, OPERATOR, PUBLIC

api = JsonApi(__name__, tag="billing", schemas="chalicelib.schemas.billing")


def _deps():
    return composition.deps()


@api.get("/api/v1/billing/account", response="BillingAccountView", access=MEMBER)
def billing_account(principal):
    """The card on file and how invoices are collected."""
    from chalicelib.schemas import billing as schemas
    from chalicelib.services import billing_accounts

    return schemas.account_view(billing_accounts.account_of(principal.require_tenant()))


@api.post("/api/v1/billing/setup-intents", response="CardSetupView", status=201, access=MEMBER)
def start_card_setup(principal):
    """Start saving a card: a SetupIntent, and where the browser enters the card."""
    from chalicelib.schemas import billing as schemas
    from chalicelib.services import billing_accounts

    setup = billing_accounts.start_card_setup(principal, deps=_deps())
    return schemas.CardSetupView(
        setup_intent_id=setup.setup_intent_id, client_secret=setup.client_secret, url=setup.url
    )


@api.post(
    "/api/v1/billing/payment-method",
    body="FinishCardBody",
    response="BillingAccountView",
    errors=(404, 409),
    access=MEMBER,
)
def finish_card_setup(body, principal):
    """After the card page: the SetupIntent is read again and its card made the default."""
    from chalicelib.schemas import billing as schemas
    from chalicelib.services import billing_accounts

    result = billing_accounts.finish_card_setup(principal, body.setup_intent_id, deps=_deps())
    if not result.ok:
        from chalicelib.domain.errors import Conflict

        raise Conflict(result.message, code="card_not_saved")
    return schemas.account_view(result.account, result.message)


@api.get("/api/v1/billing/invoices", response="InvoiceList", access=MEMBER)
def list_invoices(principal):
    """Weekly invoices, newest first, with their lines and Stripe's hosted page."""
    from chalicelib.schemas import billing as schemas
    from chalicelib.services.invoicing import invoices

    return schemas.InvoiceList(invoices=[schemas.invoice_view(r) for r in invoices.listed(principal)])


@api.get("/api/v1/billing/estimate", response="EstimateView", access=MEMBER)
def estimate(principal):
    """What this week would be invoiced if it locked now."""
    from chalicelib.schemas import billing as schemas
    from chalicelib.services.invoicing import planning

    guess = planning.estimate(principal, deps=_deps())
    return schemas.EstimateView(
        week=str(guess.week),
        total=schemas.money(guess.total, guess.currency),
        lines=[schemas.line_view(line, guess.currency) for line in guess.lines],
    )


@api.get("/api/v1/agent/payouts", response="PayoutAccountView", access=AGENT)
def payout_account(principal):
    """Your payouts: whether Stripe can pay you, and what it still needs."""
    from chalicelib.domain.tenancy import AgentId
    from chalicelib.schemas import billing as schemas
    from chalicelib.services import payouts

    return schemas.payout_view(payouts.account_of(AgentId(principal.id)))


@api.post(
    "/api/v1/agent/payouts/onboarding-link",
    body="PayoutLinkBody",
    body_required=False,
    response="OnboardingLinkView",
    status=201,
    errors=(409,),
    access=AGENT,
)
def onboarding_link(body, principal):
    """A single-use link to Stripe's onboarding for your Express account."""
    from chalicelib.schemas import billing as schemas
    from chalicelib.services import payouts

    return schemas.OnboardingLinkView(
        url=payouts.onboarding_link(principal, country=body.country, deps=_deps())
    )


@api.post("/api/v1/agent/payouts/refresh", response="PayoutAccountView", access=AGENT)
def refresh_payouts(principal):
    """Read your account from Stripe again (what the return page does)."""
    from chalicelib.schemas import billing as schemas
    from chalicelib.services import payouts

    return schemas.payout_view(payouts.refresh(principal, deps=_deps()))


@api.get("/api/v1/agent/earnings", response="EarningsView", access=AGENT)
def agent_earnings(principal):
    """Pending review, approved and paid out, by contract and week."""
    from chalicelib.schemas import billing as schemas
    from chalicelib.services import earnings

    found = earnings.earnings(principal, deps=_deps())
    return schemas.EarningsView(
        pending_review=[schemas.money(v, c) for c, v in sorted(found.pending_review.items())],
        approved=[schemas.money(v, c) for c, v in sorted(found.approved.items())],
        paid_out=[schemas.money(v, c) for c, v in sorted(found.paid_out.items())],
        weeks=[
            schemas.EarningLine(
                contract_id=w.contract.contract_id,
                title=w.contract.title,
                business_name=w.contract.business_name,
                week=str(w.week),
                state=w.state,
                minutes=w.minutes,
                amount=schemas.money(w.amount, w.contract.currency),
            )
            for w in found.weeks
        ],
        transfers=[schemas.transfer_view(t) for t in found.transfers],
        payouts=schemas.payout_view(found.payouts),
        owed=[schemas.money(v, c) for c, v in sorted((found.payouts.owed or {}).items())],
    )


@api.post(
    "/api/v1/admin/businesses/{tenant_id}/collection",
    body="CollectionBody",
    response="BillingAccountView",
    errors=(404,),
    access=OPERATOR,
)
def set_collection(tenant_id: str, body, principal):
    """Let a business pay by invoice with net terms (or back to the card)."""
    from chalicelib.schemas import billing as schemas
    from chalicelib.services import billing_accounts

    return schemas.account_view(
        billing_accounts.set_collection(principal, tenant_id, net_days=body.days_until_due, deps=_deps())
    )


@api.get("/api/v1/admin/fees", response="FeesView", access=OPERATOR)
def show_fees(principal):
    """The fee schedule new invoices are billed under, and its latest changes."""
    from chalicelib.schemas import billing as schemas
    from chalicelib.services import fees

    return schemas.fees_view(fees.show(principal))


@api.put("/api/v1/admin/fees", body="FeeScheduleBody", response="FeesView", errors=(409,), access=OPERATOR)
def change_fees(body, principal):
    """Change the fees from the next invoice planned; invoices billed already keep theirs."""
    from chalicelib.domain import billing as billing_rules
    from chalicelib.schemas import billing as schemas
    from chalicelib.services import fees

    schedule = billing_rules.FeeSchedule(
        client_fee_bps=body.client_fee_bps,
        agent_fee_bps={int(tier): bps for tier, bps in body.agent_fee_bps.items()},
    )
    return schemas.fees_view(
        fees.change(principal, schedule, seen_version=body.version, note=body.note, deps=_deps())
    )


@api.post(
    "/api/v1/admin/businesses/{tenant_id}/invoices/{week}/refunds",
    body="RefundAfterPayoutBody",
    response="ClawbackView",
    status=201,
    errors=(404, 409),
    access=OPERATOR,
)
def refund_after_payout(tenant_id: str, week: str, body, principal):
    """Uphold a complaint about paid-out minutes: refund the business, reverse the agent's share."""
    from chalicelib.schemas import billing as schemas
    from chalicelib.services.clawbacks import refunds

    return schemas.clawback_view(
        refunds.refund_after_payout(
            principal,
            tenant_id,
            week,
            contract_id=body.contract_id,
            minutes=body.minutes,
            reason=body.reason,
            number=body.number,
            deps=_deps(),
        )
    )


def _webhook(connect: bool):
    def handler(request):
        from chalicelib.payments.gateway import WebhookInvalid
        from chalicelib.schemas import billing as schemas
        from chalicelib.services import stripe_events
        from chalicelib.web.errors import HttpError

        try:
            outcome = stripe_events.receive(
                request.raw_body or b"",
                request.headers.get("stripe-signature"),
                connect=connect,
                deps=_deps(),
            )
        except WebhookInvalid as error:
            raise HttpError(
                400, "invalid_signature", f"The webhook's signature does not check out: {error}"
            ) from None
        return schemas.WebhookAnswer(received=True, outcome=outcome)

    handler.__name__ = "stripe_connect_webhook" if connect else "stripe_webhook"
    handler.__doc__ = (
        "Stripe's Connect events (account.updated), signature-checked, each handled once."
        if connect
        else "Stripe's events (invoices, charges, setup intents), signature-checked, each handled once."
    )
    return handler


api.post("/api/v1/webhooks/stripe", response="WebhookAnswer", errors=(400,), access=PUBLIC)(_webhook(False))
api.post("/api/v1/webhooks/stripe/connect", response="WebhookAnswer", errors=(400,), access=PUBLIC)(
    _webhook(True)
)
