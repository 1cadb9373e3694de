"""The public help centre's reads: a business found by its slug (`/help/<slug>`), its published
articles and categories, one article by its slug; and the limits that keep one visitor, or a
flood aimed at one business, from exhausting what everyone shares (PROMISES T5).

Nothing here needs a principal: the business comes from the address, and only what it published
is ever answered (a draft, a deleted article or another business's article is "not found")."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalicelib.domain import knowledge as rules
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.tenancy import TenantId
from chalicelib.store import knowledge as store

if TYPE_CHECKING:
    from chalicelib.composition import Deps
    from chalicelib.store.knowledge import ArticleRecord

# The slug -> business lookup (the slug's claim, the business, its support settings' help-centre
# switch) is cached per container for a minute: a help centre is read far more often than a
# business is renamed, suspended or turns its help centre off.
BUSINESS_SECONDS = 60
_businesses: dict[str, tuple[float, HelpBusiness | None]] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class HelpBusiness:
    tenant: TenantId
    slug: str
    name: str


def business(slug: str) -> HelpBusiness:
    """The active business whose help centre is at `/help/<slug>`; NotFound otherwise (no such
    slug, a suspended business, a business that turned its help centre off in its support
    settings, an address that could not be a slug)."""
    from chalicelib.domain.identity import check_slug

    try:
        check_slug(slug)
    except InvalidInput:
        raise NotFound("no help centre at this address") from None
    now = time.monotonic()
    with _lock:
        cached = _businesses.get(slug)
    if cached is None or now - cached[0] > BUSINESS_SECONDS:
        cached = (now, _look_up(slug))
        with _lock:
            if len(_businesses) > 1000:
                _businesses.clear()
            _businesses[slug] = cached
    if cached[1] is None:
        raise NotFound("no help centre at this address")
    return cached[1]


def _look_up(slug: str) -> HelpBusiness | None:
    from chalicelib.store import keys
    from chalicelib.store.identity import Claim, TenantRecord

    claim_pk = keys.platform_pk("SLUG", slug)
    claim = Claim.find(claim_pk, claim_pk)
    if claim is None or claim.owner_kind != "tenant":
        return None
    tenant = TenantId(claim.owner_id)
    record = TenantRecord.find(keys.tenant_pk(tenant), "TENANT")
    if record is None or record.status != "active":
        return None
    from chalicelib.services.support import settings

    if not settings.help_page_enabled(tenant):
        return None
    return HelpBusiness(tenant=tenant, slug=slug, name=record.name)


def forget_businesses() -> None:
    """Drop the cached lookups (tests that suspend a business)."""
    with _lock:
        _businesses.clear()


def article(found: HelpBusiness, article_slug: str) -> ArticleRecord:
    """A published article of the business by its slug; NotFound for anything else."""
    try:
        rules.check_slug(article_slug)
    except InvalidInput:
        raise NotFound("no such article") from None
    record = store.article_by_slug(found.tenant, article_slug)
    if record is None or record.status != rules.Status.PUBLISHED:
        raise NotFound("no such article")
    return record


def admit_address(address: str, *, searching: bool, deps: Deps) -> None:
    """Spend the visitor's token for one help-centre page, before anything is read (a search
    spends from its own, smaller bucket too); RateLimited (429 with Retry-After) when one is empty."""
    from chalicelib.store import limits

    rates = limits.in_force(deps)
    limits.spend(rates.help_per_address, "help_per_address", address, deps=deps)
    if searching:
        limits.spend(rates.help_search_per_address, "help_search_per_address", address, deps=deps)


def admit_business(found: HelpBusiness, *, deps: Deps) -> None:
    """Spend from the business's help-centre bucket: every address together cannot flood one
    business's help centre (nor, through it, the table)."""
    from chalicelib.store import limits

    limits.spend(limits.in_force(deps).help_tenant, "help_tenant", found.tenant.value, deps=deps)
