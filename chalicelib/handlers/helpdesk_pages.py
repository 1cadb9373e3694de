"""The helpdesk integrations page (issue 15, slice 10), for a business's owners and admins: where
its Zendesk or Freshdesk posts its ticket events, which API key to use, what to paste into each
product, the events received lately, and the addresses that need attention."""

from __future__ import annotations

from chalicelib.web.auth import TEAM_MANAGER
from chalicelib.web.portal import PageContext, Portal

pages = Portal(__name__)

PAGE = "/app/support/integrations"


@pages.get(PAGE, access=TEAM_MANAGER)
def integrations_page(ctx: PageContext):
    from chalicelib.handlers.helpdesk import EVENTS_PATH
    from chalicelib.services import api_keys
    from chalicelib.services.support import helpdesk_attention, helpdesk_setup

    seen = helpdesk_attention.overview(ctx.principal)
    every_key = api_keys.listed(ctx.principal)
    endpoint = ctx.deps.link(EVENTS_PATH)
    return ctx.render(
        "support_integrations.html",
        title="Helpdesk integrations",
        endpoint=endpoint,
        keys=[k for k in every_key if k.status == "active"],
        key_names={k.key_id: k.name for k in every_key},
        setups=helpdesk_setup.SETUPS,
        zendesk_events=[step.replace("{endpoint}", endpoint) for step in helpdesk_setup.ZENDESK_EVENTS],
        events=seen.events,
        attention=seen.attention,
    )


@pages.post(PAGE + "/attention/{address_id}/dismiss", access=TEAM_MANAGER)
def dismiss_address(ctx: PageContext, address_id: str):
    from chalicelib.services.support import helpdesk_attention

    item = helpdesk_attention.dismiss(ctx.principal, address_id, deps=ctx.deps)
    return ctx.redirect(PAGE, flash=f"{item.email} is off the list until your helpdesk names it again.")
