"""An invoice as deskhire reads it: the business's list, the one a Stripe invoice names, and what its
record says (its business, its plan, the fee schedule it was billed under, its payout day); and
who hears about it (billing mail goes to the business's owners)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from chalicelib.composition import Deps
from chalicelib.domain import billing as rules
from chalicelib.domain.errors import Forbidden
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.tenancy import TenantId
from chalicelib.domain.time import BillingWeek
from chalicelib.mail import Mail, Subject, SubjectLine
from chalicelib.store import keys
from chalicelib.store.billing import InvoiceRecord, invoice_key
from chalicelib.store.identity import MemberRecord

if TYPE_CHECKING:
    from chalicelib.services.zones import Written


def fees_of(record: InvoiceRecord) -> rules.FeeSchedule:
    """The schedule `record` was billed under: its payouts and refunds use it, whatever the fees
    are now."""
    return rules.FeeSchedule.from_json(record.fee_schedule)


def payout_due(week: BillingWeek) -> datetime:
    """Wednesday 00:00 UTC of W+2: the review of W closed the Saturday before."""
    return week.ends_at + timedelta(days=9)


def plan_of(record: InvoiceRecord) -> rules.InvoicePlan:
    return rules.InvoicePlan(record.currency, tuple(rules.Line.from_json(line) for line in record.lines))


def tenant_of(record: InvoiceRecord) -> TenantId:
    return TenantId(record.pk.removeprefix(keys.TENANT_PREFIX))


def by_stripe_invoice(stripe_invoice: dict) -> InvoiceRecord | None:
    metadata = stripe_invoice.get("metadata") or {}
    try:
        tenant = TenantId(metadata["deskhire_tenant"])
        sort_key = (
            metadata.get("deskhire_sk")
            or invoice_key(tenant, BillingWeek.parse(metadata["deskhire_week"]))[1]
        )
    except (KeyError, ValueError):
        return None
    if not sort_key.startswith("INVOICE#"):
        return None
    record = InvoiceRecord.find(keys.tenant_pk(tenant), sort_key, consistent=True)
    if record is None or record.invoice_id != metadata.get("deskhire_invoice"):
        return None
    return record


def mail_owners(record: InvoiceRecord, subject: Subject | SubjectLine, text: Written, *, deps: Deps) -> None:
    """Billing mail goes to the business's owners, its times on each owner's clock (`text` may be
    a function of their zone: services/zones.py)."""
    from chalicelib.services import zones

    tenant = tenant_of(record)
    owners = [
        m
        for m in MemberRecord.query(keys.tenant_pk(tenant), MemberRecord.sk.startswith("MEMBER#"))
        if isinstance(m, MemberRecord) and m.role == "owner" and m.status == "active"
    ]
    for owner in owners:
        body = zones.for_zone(text, lambda: zones.of_member(owner))  # noqa: B023 (used at once)
        deps.mailer.send(Mail(to=owner.email, subject=subject, text=body + "\n"), now=deps.now())


def listed(actor: Principal) -> list[InvoiceRecord]:
    if actor.kind is not PrincipalKind.MEMBER:
        raise Forbidden("invoices are the business's")
    return [
        r
        for r in InvoiceRecord.query(
            keys.tenant_pk(actor.require_tenant()),
            InvoiceRecord.sk.startswith("INVOICE#"),
            scan_index_forward=False,
        )
        if isinstance(r, InvoiceRecord)
    ]
