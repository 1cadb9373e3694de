"""A business's billing account: its Stripe customer, the card on file (through a SetupIntent),
and how its invoices are collected (the card, or net terms that an operator grants)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from chalicelib.composition import Deps
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.tenancy import TenantId
from chalicelib.ids import new_id
from chalicelib.store import audit, keys, platform_metrics
from chalicelib.store.billing import BillingAccount, billing_key
from chalicelib.store.identity import TenantRecord
from chalicelib.store.transactions import transaction

MAX_NET_DAYS = 60
# Stripe's SetupIntent ids (`seti_` and letters and digits): anything else is refused before a call.
SETUP_INTENT_ID = re.compile(r"seti_[A-Za-z0-9]{1,95}")


def account_of(tenant: TenantId) -> BillingAccount:
    """The stored account, or an unsaved one with the defaults (no card, charged automatically)."""
    return BillingAccount.find(*billing_key(tenant), consistent=True) or BillingAccount(*billing_key(tenant))


def business_of(tenant: TenantId) -> TenantRecord:
    """The business itself (its name and time zone), for billing's pages and the operator's."""
    return _business(tenant)


def _billing_email(tenant: TenantId) -> str:
    """Where Stripe sends invoices: the earliest owner's address (stable across calls)."""
    from chalicelib.store.identity import MemberRecord

    owners = sorted(
        (
            m
            for m in MemberRecord.query(keys.tenant_pk(tenant), MemberRecord.sk.startswith("MEMBER#"))
            if isinstance(m, MemberRecord) and m.role == "owner" and m.status == "active"
        ),
        key=lambda m: m.created_at,
    )
    return owners[0].email if owners else ""


def _business(tenant: TenantId) -> TenantRecord:
    record = TenantRecord.find(keys.tenant_pk(tenant), "TENANT", consistent=True)
    if record is None:
        raise NotFound("no such business")
    return record


def ensure_customer(tenant: TenantId, *, email: str | None, deps: Deps) -> BillingAccount:
    """The account with its Stripe customer, created once. A customer created by a request whose
    answer was lost is found by its metadata before another is created."""
    record = account_of(tenant)
    if record.customer_id:
        return record
    gateway = deps.stripe
    business = _business(tenant)
    # the same parameters whoever asks (a member's card setup or the billing run), so that a
    # retry under the same idempotency key is the same request: the owners' first address
    customer = gateway.find_customer(tenant.value) or gateway.create_customer(
        tenant.value, name=business.name, email=_billing_email(tenant)
    )
    record.customer_id = customer["id"]
    record.updated_at = deps.now()
    try:
        record.save_checked()
    except Conflict:
        record = account_of(tenant)  # another request stored it first; it is the same customer
    return record


@dataclass(frozen=True)
class CardSetup:
    setup_intent_id: str
    client_secret: str
    url: str  # where the browser enters the card


def start_card_setup(actor: Principal, *, deps: Deps) -> CardSetup:
    tenant = actor.require_tenant()
    record = ensure_customer(tenant, email=actor.email, deps=deps)
    intent = deps.stripe.create_setup_intent(record.require_customer_id(), attempt_id=new_id())
    # only the latest setup may change the card: an old return link cannot swap an older card back
    for _attempt in range(3):
        record.latest_setup_intent, record.updated_at = intent["id"], deps.now()
        try:
            record.save_checked()
            break
        except Conflict:
            record = account_of(tenant)
    return_url = deps.link("/app/billing/card/return")
    url = deps.stripe.card_page(intent, return_url=return_url) or deps.link(
        f"/app/billing/card?setup_intent={intent['id']}"
    )
    return CardSetup(intent["id"], intent.get("client_secret") or "", url)


@dataclass(frozen=True)
class CardResult:
    account: BillingAccount
    ok: bool
    message: str


def _own_setup_intent(record: BillingAccount, setup_intent_id: str, *, deps: Deps) -> dict:
    """The SetupIntent as Stripe has it now, if it is this business's: another business's (or a
    made-up id) does not exist for this one. A malformed id never reaches Stripe."""
    from chalicelib.payments.gateway import PaymentsError, PaymentsUnavailable

    if not record.customer_id or not SETUP_INTENT_ID.fullmatch(setup_intent_id):
        raise NotFound("no such card setup")
    try:
        intent = deps.stripe.retrieve_setup_intent(setup_intent_id)
    except PaymentsUnavailable:
        raise
    except PaymentsError as error:
        if error.code == "resource_missing":  # a well-formed id Stripe has never heard of
            raise NotFound("no such card setup") from None
        raise
    if intent.get("customer") != record.customer_id:
        raise NotFound("no such card setup")  # another business's setup: it does not exist for this one
    return intent


def _require_latest(record: BillingAccount, setup_intent_id: str) -> None:
    if record.latest_setup_intent and setup_intent_id != record.latest_setup_intent:
        raise Conflict("a newer card setup replaced this one; add the card again", code="stale_card_setup")


@dataclass(frozen=True)
class CardForm:
    """What the portal's card page (Stripe.js) needs to confirm a SetupIntent in the browser."""

    setup_intent_id: str
    client_secret: str
    succeeded: bool  # confirmed already: the browser goes to the return page instead


def card_form(actor: Principal, setup_intent_id: str, *, deps: Deps) -> CardForm:
    """The card page against Stripe itself: the business's own, latest SetupIntent, read again from
    Stripe (the id comes from the browser), with the client secret Stripe.js confirms it with."""
    tenant = actor.require_tenant()
    record = account_of(tenant)
    intent = _own_setup_intent(record, setup_intent_id, deps=deps)
    if intent.get("status") == "succeeded":
        # the return page decides (saved already, saved now, or replaced by a newer setup)
        return CardForm(intent["id"], "", succeeded=True)
    _require_latest(record, setup_intent_id)
    if intent.get("status") == "canceled":  # Stripe.js cannot confirm it any more
        raise Conflict("this card setup was cancelled; add the card again", code="stale_card_setup")
    return CardForm(intent["id"], intent["client_secret"], succeeded=False)


def finish_card_setup(actor: Principal, setup_intent_id: str, *, deps: Deps) -> CardResult:
    """After the card page: read the SetupIntent again (a redirect proves nothing), and make its
    card the customer's default for invoices."""
    tenant = actor.require_tenant()
    record = account_of(tenant)
    intent = _own_setup_intent(record, setup_intent_id, deps=deps)
    if intent.get("status") != "succeeded":
        error = (intent.get("last_setup_error") or {}).get("message") or "the card was not saved"
        return CardResult(record, False, error)
    method = intent.get("payment_method") or {}
    method_id = method.get("id") if isinstance(method, dict) else method
    if method_id == record.payment_method_id:  # a reload of the return page: saved already
        return CardResult(record, True, f"Saved: {record.card_brand} ending {record.card_last4}.")
    _require_latest(record, setup_intent_id)
    record = _adopt(record, intent, actor=actor, tenant=tenant, deps=deps)
    saved = f"Saved: {record.card_brand} ending {record.card_last4}."
    return CardResult(account_of(tenant), True, f"{saved}{_charged_now(tenant, deps=deps)}")


def _charged_now(tenant: TenantId, *, deps: Deps) -> str:
    """A card saved while invoices are unpaid is charged for them at once; what happened, to say."""
    from chalicelib.services import dunning

    outcomes = dunning.charge_new_card(tenant, deps=deps)
    said = {
        "paid": "paid with it",
        "failed": "declined again (see below)",
        "needs_action": "waiting for you to confirm it on its page (your bank asks)",
        "unavailable": "not charged yet: Stripe did not answer; we try again tomorrow",
        "nothing": "not paid yet",
    }
    return "".join(f" Invoice {name}: {said[outcome]}." for name, outcome in outcomes.items())


def adopt_setup_intent(setup_intent_id: str, *, deps: Deps) -> BillingAccount | None:
    """`setup_intent.succeeded`: the card is saved even if the browser never came back."""
    from chalicelib.domain.identity import SYSTEM

    intent = deps.stripe.retrieve_setup_intent(setup_intent_id)
    if intent.get("status") != "succeeded" or not intent.get("customer"):
        return None
    customer = deps.stripe.retrieve_customer(intent["customer"])
    tenant_id = (customer.get("metadata") or {}).get("deskhire_tenant")
    try:
        tenant = TenantId(tenant_id or "")
    except ValueError:
        return None
    record = account_of(tenant)
    if record.customer_id != intent["customer"]:
        return None
    method = intent.get("payment_method") or {}
    if isinstance(method, dict) and record.payment_method_id == method.get("id"):
        return record  # adopted already (the return page came first)
    if record.latest_setup_intent and setup_intent_id != record.latest_setup_intent:
        return None  # an older setup: the business has started a newer one since
    record = _adopt(record, intent, actor=SYSTEM, tenant=tenant, deps=deps)
    _charged_now(tenant, deps=deps)  # the browser never came back: the invoices are charged anyway
    return account_of(tenant)


def _adopt(
    record: BillingAccount, intent: dict, *, actor: Principal, tenant: TenantId, deps: Deps
) -> BillingAccount:
    method = intent.get("payment_method") or {}
    if isinstance(method, str):
        raise Conflict("the card could not be read back; try again", code="card_unreadable")
    deps.stripe.set_default_payment_method(record.require_customer_id(), method["id"])
    card = method.get("card") or {}
    now = deps.now()
    for _attempt in range(3):
        before = {"card": f"{record.card_brand} {record.card_last4}" if record.card_last4 else None}
        record.payment_method_id = method["id"]
        record.card_brand, record.card_last4 = card.get("brand"), card.get("last4")
        record.card_expiry = (
            f"{card.get('exp_month'):02d}/{card.get('exp_year')}" if card.get("exp_month") else None
        )
        record.updated_at = now
        try:
            with transaction() as tx:
                tx.save(record)
                tx.save(
                    audit.entry(
                        tenant,
                        actor,
                        "billing.card_saved",
                        "billing",
                        {"before": before, "after": {"card": f"{record.card_brand} {record.card_last4}"}},
                        at=now,
                    )
                )
                platform_metrics.card_on_file(tx, tenant, at=now)
            return record
        except Conflict:
            record = account_of(tenant)
    return record


def set_collection(actor: Principal, tenant_id: str, *, net_days: int | None, deps: Deps) -> BillingAccount:
    """An operator lets a business pay by invoice with net terms (or back to the card)."""
    if actor.kind is not PrincipalKind.OPERATOR:
        raise Forbidden("only platform operators set how a business pays")
    try:
        tenant = TenantId(tenant_id)
    except ValueError:
        raise NotFound("no such business") from None
    _business(tenant)
    if net_days is not None and not 1 <= net_days <= MAX_NET_DAYS:
        raise InvalidInput(f"net terms are 1 to {MAX_NET_DAYS} days", field="days_until_due")
    record = account_of(tenant)
    before = {"collection": record.collection, "days": record.days_until_due}
    record.collection = "charge_automatically" if net_days is None else "send_invoice"
    record.days_until_due = net_days
    record.updated_at = deps.now()
    with transaction() as tx:
        tx.save(record)
        tx.save(
            audit.entry(
                tenant,
                actor,
                "billing.collection_changed",
                "billing",
                {"before": before, "after": {"collection": record.collection, "days": net_days}},
                at=deps.now(),
            )
        )
    return record
