"""Who is looking at a page, as far as the page needs to know: the zone they read times in.

- a business's member: their own zone if they set one, else the business's;
- an agent: the zone of their profile;
- an operator: their own zone if they set one, else UTC.

One or two item reads, made only when a page first shows a time (web/pages.py `viewer_zone`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.domain.identity import Principal

UTC = "UTC"


def zone_of(principal: Principal) -> str:
    from chalicelib.domain.identity import PrincipalKind
    from chalicelib.store import principals

    tenant = principal.tenant.value if principal.tenant else None
    account = principals.account_record(str(principal.kind), principal.id, tenant)
    # A zone of the person's own: agents always have one; members and operators may set one.
    own = getattr(account, "time_zone", None) if account is not None else None
    if own:
        return str(own)
    if principal.kind is PrincipalKind.MEMBER and principal.tenant is not None:
        from chalicelib.services import billing_accounts

        return billing_accounts.business_of(principal.tenant).time_zone
    return UTC
