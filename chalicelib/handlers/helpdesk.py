"""Helpdesk integrations on the JSON API (issue 15, slice 10): the events a business's Zendesk or
Freshdesk posts with its API key, and what the business reads of them (docs/support.md,
"Helpdesk integrations")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib import composition
from chalicelib.domain.identity import PrincipalKind
from chalicelib.web.api import JsonApi
from chalicelib.web.auth import MEMBER, TEAM_MANAGER, Access
from chalicelib.web.errors import HttpError

if TYPE_CHECKING:  # for the annotations; each route imports its models when it runs
    from chalicelib.schemas import helpdesk as schemas

api = JsonApi(__name__, tag="helpdesk", schemas="chalicelib.schemas.helpdesk")

EVENTS_PATH = "/api/v1/integrations/helpdesk/events"
# The events come from a helpdesk with one of the business's API keys, never with a person's token.
HELPDESK_KEY = Access("helpdesk_key", frozenset({PrincipalKind.API_KEY}))


@api.post(EVENTS_PATH, response="HelpdeskTakenView", status=202, errors=(400, 413), access=HELPDESK_KEY)
def post_helpdesk_event(principal, request) -> schemas.HelpdeskTakenView:
    """A ticket event of the business's helpdesk: deskhire's shape (a Zendesk trigger or a Freshdesk
    rule fills it), or Zendesk's own event webhook as it comes. The business is the key's, whatever
    the body says; the same event twice, or events in any order, end in one state."""
    import json

    from chalicelib.schemas import helpdesk as schemas
    from chalicelib.services.support import helpdesk
    from chalicelib.web.api import MAX_BODY_BYTES
    from chalicelib.web.request import body_bytes

    deps = composition.deps()
    tenant = principal.require_tenant()
    helpdesk.admit(tenant, deps=deps)  # the business's own bucket, before anything is read
    raw = body_bytes(request)
    if len(raw) > MAX_BODY_BYTES:
        raise HttpError(413, "too_large", f"The body is over {MAX_BODY_BYTES} bytes.")
    try:
        payload = json.loads(raw or b"null")
    except ValueError:
        raise HttpError(400, "malformed_json", "The body is not JSON.") from None
    if not isinstance(payload, dict):
        raise HttpError(400, "malformed_json", "The body is a JSON object.")
    parsed = schemas.parse(payload, now=deps.now())
    if parsed.event is None:  # one of Zendesk's events deskhire does not use: logged, 202
        helpdesk.ignored(
            tenant,
            product="zendesk",
            what=parsed.ignored,
            ticket_id=parsed.ticket_id,
            key_id=principal.id,
            deps=deps,
        )
        return schemas.HelpdeskTakenView(status="ignored")
    taken = helpdesk.take(tenant, parsed.event, key_id=principal.id, deps=deps)
    return schemas.HelpdeskTakenView(
        status=taken.status,  # type: ignore[arg-type]
        inquiry_id=taken.inquiry_id,
        number=taken.number,
        needs_attention=taken.needs_attention,
    )


@api.get(EVENTS_PATH, response="HelpdeskOverviewView", access=MEMBER)
def list_helpdesk_events(principal) -> schemas.HelpdeskOverviewView:
    """The events the business's helpdesk sent lately (newest first), and the addresses they named
    that no agent under contract with it uses."""
    from chalicelib.schemas import helpdesk as schemas
    from chalicelib.services.support import helpdesk_attention

    seen = helpdesk_attention.overview(principal)
    return schemas.HelpdeskOverviewView(
        endpoint=composition.deps().link(EVENTS_PATH),
        events=[schemas.event_view(item) for item in seen.events],
        attention=[schemas.address_view(item) for item in seen.attention],
    )


@api.delete(
    "/api/v1/integrations/helpdesk/attention/{address_id}", status=204, errors=(404,), access=TEAM_MANAGER
)
def dismiss_helpdesk_address(address_id: str, principal) -> None:
    """Take an address off the list of those needing attention (owners and admins)."""
    from chalicelib.services.support import helpdesk_attention

    helpdesk_attention.dismiss(principal, address_id, deps=composition.deps())
