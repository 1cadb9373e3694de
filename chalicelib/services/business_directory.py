"""Operators find a business by its name, its slug or an email of its team, and see what they can
act on for it: its collection terms, its recent invoices and its open disputes.

Each lookup is a fixed number of requests, never a Scan: a slug and an email are the claims signup
made (`SLUG#<slug>`, `EMAIL#<email>`, one GetItem each), a name is the directory's one Query
(store/directory.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from chalicelib.domain.errors import Forbidden, InvalidInput, NotFound
from chalicelib.domain.identity import Principal, PrincipalKind, normalise_email
from chalicelib.domain.tenancy import TenantId
from chalicelib.store import directory, keys
from chalicelib.store.billing import BillingAccount, InvoiceRecord
from chalicelib.store.contracts import DisputeRecord
from chalicelib.store.identity import Claim, MemberRecord, TenantRecord

MAX_QUERY = 100


@dataclass(frozen=True)
class Hit:
    tenant_id: str
    name: str
    slug: str
    matched: str  # what found it: "slug", "email" or "name"


@dataclass(frozen=True)
class Found:
    query: str
    hits: list[Hit]
    note: str | None = None  # why nothing was found when it says more than "nothing"


@dataclass(frozen=True)
class Overview:
    business: TenantRecord
    account: BillingAccount
    owners: list[MemberRecord]
    invoices: list[InvoiceRecord]
    disputes: list[DisputeRecord] = field(default_factory=list)


def _require_operator(actor: Principal) -> None:
    if actor.kind is not PrincipalKind.OPERATOR:
        raise Forbidden("only platform operators look businesses up")


def _business(tenant_id: str) -> TenantRecord | None:
    try:
        tenant = TenantId(tenant_id)
    except ValueError:
        return None
    return TenantRecord.find(keys.tenant_pk(tenant), "TENANT")


def _claim(kind: str, value: str) -> Claim | None:
    try:
        pk = keys.platform_pk(kind, value)
    except ValueError:
        return None  # a value no key can hold ("#") is no slug or email deskhire keeps
    return Claim.find(pk, pk)


def find(actor: Principal, text: str) -> Found:
    """Businesses matching `text`: an email (of any member of its team), a slug, or words of its
    name; exact matches first."""
    _require_operator(actor)
    query = " ".join(text.split())[:MAX_QUERY]
    if not query:
        raise InvalidInput("write a business's name, its address (slug) or an email of its team", field="q")
    if "@" in query:
        try:
            email = normalise_email(query)
        except InvalidInput:
            raise InvalidInput("write a whole email address, such as owner@example.com", field="q") from None
        claim = _claim("EMAIL", email)
        if claim is None:
            return Found(query, [])
        if claim.owner_kind != "member" or not claim.tenant_id:
            who = "an agent" if claim.owner_kind == "agent" else "an operator"
            return Found(query, [], note=f"{email} is {who}'s email, not a business's")
        record = _business(claim.tenant_id)
        hits = [Hit(claim.tenant_id, record.name, record.slug, "email")] if record else []
        return Found(query, hits)
    hits: list[Hit] = []
    claim = _claim("SLUG", query.lower()) if " " not in query else None
    if claim is not None and claim.owner_kind == "tenant" and claim.tenant_id:
        record = _business(claim.tenant_id)
        if record is not None:
            hits.append(Hit(claim.tenant_id, record.name, record.slug, "slug"))
    for item in directory.search(query):
        if all(h.tenant_id != item.tenant_id for h in hits):
            hits.append(Hit(item.tenant_id, item.name, item.slug, "name"))
    return Found(query, hits)


def overview(actor: Principal, tenant_id: str, *, invoices: int = 8) -> Overview:
    """What an operator sees of one business and can act on."""
    from chalicelib.services import billing_accounts, disputes

    _require_operator(actor)
    business = _business(tenant_id)
    if business is None:
        raise NotFound("no such business")
    tenant = TenantId(tenant_id)
    owners = sorted(
        (
            m
            for m in MemberRecord.query(keys.tenant_pk(tenant), MemberRecord.sk.startswith("MEMBER#"))
            if isinstance(m, MemberRecord) and m.role == "owner" and m.status == "active"
        ),
        key=lambda m: m.created_at,
    )
    # weekly invoices and block invoices apart (as reconciliation reads them): sorted together, a
    # business's blocks would crowd its recent weeks out of the limit
    pk = keys.tenant_pk(tenant)
    weekly = InvoiceRecord.query(
        pk, InvoiceRecord.sk.between("INVOICE#0", "INVOICE#9~"), scan_index_forward=False, limit=invoices
    )
    blocks = InvoiceRecord.query(
        pk, InvoiceRecord.sk.startswith("INVOICE#BLOCK#"), scan_index_forward=False, limit=invoices
    )
    recent = sorted(
        (i for i in [*weekly, *blocks] if isinstance(i, InvoiceRecord)),
        key=lambda i: i.created_at,
        reverse=True,
    )[:invoices]
    open_disputes = [d for d in disputes.queue(actor) if d.tenant_id == tenant_id]
    return Overview(
        business=business,
        account=billing_accounts.account_of(tenant),
        owners=owners,
        invoices=recent,
        disputes=open_disputes,
    )


def list_by_name(business: TenantRecord) -> bool:
    """Give a business that signed up before the directory existed its name items, as signup
    writes them (`directory.add`), under a check that its name has not changed since it was read.
    True when something was written; a business already listed is left alone (the backfill job,
    run again, writes nothing more)."""
    from chalicelib.store.transactions import transaction

    tenant = TenantId(business.pk.removeprefix(keys.TENANT_PREFIX))
    if directory.listed(tenant, name=business.name, slug=business.slug):
        return False
    # 7 actions at most: the check and an item per word, directory.MAX_WORDS (6) at most
    with transaction(conflict_message="the business was renamed meanwhile; run the backfill again") as tx:
        tx.condition_check(
            TenantRecord, business.pk, business.sk, condition=TenantRecord.name == business.name
        )
        directory.add(tx, tenant, name=business.name, slug=business.slug)
    return True
