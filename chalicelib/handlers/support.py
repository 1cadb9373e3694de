"""Support operations on the JSON API (issue 15): the business's support settings, inquiries
(created by its integration's API key or a member, read by the business and by the agents who
work them), replies, escalations, resolutions, and the inbound-mail webhook."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib import composition
from chalicelib.domain.identity import PrincipalKind
from chalicelib.web.api import JsonApi
from chalicelib.web.auth import MEMBER, TEAM_MANAGER, Access
from chalicelib.web.errors import HttpError

if TYPE_CHECKING:  # for the annotations; each route imports its models when it runs
    from chalicelib.schemas import support as schemas


api = JsonApi(__name__, tag="support", schemas="chalicelib.schemas.support")

# An inquiry is read and worked by the business (its members and its integration's key) and by
# the agents under contract with it.
WORKERS = Access(
    "support_workers", frozenset({PrincipalKind.MEMBER, PrincipalKind.API_KEY, PrincipalKind.AGENT})
)
# Replies come from people: the business's team or an agent.
PEOPLE = Access("support_people", frozenset({PrincipalKind.MEMBER, PrincipalKind.AGENT}))


def _too_large(error) -> HttpError:
    return HttpError(413, "too_large", error.message, field=error.field)


# -- settings -------------------------------------------------------------------------------------


@api.get("/api/v1/support/settings", response="SupportSettingsView", access=MEMBER)
def get_support_settings(principal) -> schemas.SupportSettingsView:
    """The business's support settings (the defaults until first saved)."""
    from chalicelib.schemas import support as schemas
    from chalicelib.services.support import settings

    return schemas.settings_view(settings.show(principal))


@api.put(
    "/api/v1/support/settings",
    body="SupportSettingsBody",
    response="SupportSettingsView",
    errors=(400, 409),
    access=TEAM_MANAGER,
)
def put_support_settings(body: schemas.SupportSettingsBody, principal) -> schemas.SupportSettingsView:
    """Save the SLA targets, reasons, language level and help page switch (owners and admins)."""
    from chalicelib.domain import inquiries as rules
    from chalicelib.domain.vocabulary import LEVELS
    from chalicelib.schemas import support as schemas
    from chalicelib.services.support import settings

    changed = rules.SupportSettings.of(
        sla=body.sla.model_dump(),
        reason_tags=[rules.ReasonTag(t.tag, t.tier) for t in body.reason_tags],
        language_level=LEVELS.index(body.language_level),
        help_page=body.help_page,
    )
    shown = settings.update(principal, changed, version=body.version, deps=composition.deps())
    return schemas.settings_view(shown)


@api.post(
    "/api/v1/support/inbound-mail-secret", response="InboundSecretView", status=201, access=TEAM_MANAGER
)
def rotate_inbound_mail_secret(principal) -> schemas.InboundSecretView:
    """A new secret for the inbound-mail webhook (the old one stops working); shown once."""
    from chalicelib.schemas import support as schemas
    from chalicelib.services.support import settings

    deps = composition.deps()
    made = settings.rotate_inbound_secret(principal, deps=deps)
    return schemas.InboundSecretView(secret=made.secret, path=made.path, url=deps.link(made.path))
