"""Support operations in the portal (issue 15): the business's support settings, its queue of
inquiries with filters and search, an inquiry with its thread and routing decisions (the team
replies and works escalations there); the agent's workspace, made for a phone: their queue across
businesses, the inquiry with suggested articles, reply, note, escalate, resolve."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.domain.errors import DomainError
from chalicelib.web.auth import MEMBER, TEAM_MANAGER
from chalicelib.web.portal import PageContext, Portal

if TYPE_CHECKING:
    from chalicelib.domain.inquiries import SupportSettings

pages = Portal(__name__)

BLANK_REASON_ROWS = 3


# -- settings -------------------------------------------------------------------------------------


def _hours(minutes: int) -> str:
    return f"{minutes / 60:g}"


def _settings_values(settings: SupportSettings, version: int) -> dict[str, str]:
    from chalicelib.domain.vocabulary import LEVELS

    values = {f"sla_{p.value}": _hours(m) for p, m in settings.sla.minutes.items()}
    for index, tag in enumerate(settings.reason_tags):
        values[f"tag_{index}"], values[f"tier_{index}"] = tag.tag, str(tag.tier)
    values["language_level"] = LEVELS[settings.language_level]
    values["help_page"] = "on" if settings.help_page else ""
    values["version"] = str(version)
    return values


def _settings_page(ctx: PageContext, *, status: int = 200, errors=None, values=None, secret=None):
    from chalicelib.domain.inquiries import Priority
    from chalicelib.domain.vocabulary import LEVELS
    from chalicelib.services.support import settings

    shown = settings.show(ctx.principal)
    values = values if values is not None else _settings_values(shown.settings, shown.version)
    rows = max((int(k[4:]) + 1 for k in values if k.startswith("tag_") and k[4:].isdigit()), default=0)
    rows = min(rows, 60)
    return ctx.render(
        "support_settings.html",
        status=status,
        title="Support settings",
        errors=errors or {},
        values=values,
        priorities=[p.value for p in Priority],
        levels=LEVELS,
        reason_rows=rows + BLANK_REASON_ROWS,
        inbound_prefix=shown.inbound_prefix,
        secret=secret,
        may_edit=ctx.principal.role in ("owner", "admin"),
    )


@pages.get("/app/support/settings", access=MEMBER)
def settings_page(ctx: PageContext):
    return _settings_page(ctx)


def _settings_form(values: dict[str, str]) -> tuple[SupportSettings, int]:
    """The settings as typed: targets in hours, reasons in rows, the level, the help page box."""
    from chalicelib.domain import inquiries as rules
    from chalicelib.domain.errors import InvalidInput
    from chalicelib.domain.vocabulary import LEVELS, level_rank
    from chalicelib.web import forms

    sla: dict[str, int] = {}
    for priority in rules.Priority:
        name = f"sla_{priority.value}"
        minutes = forms.minutes_from_hours(values.get(name, ""), field=name)
        if minutes is None:
            raise InvalidInput(f"enter the hours to the first response for {priority.value}", field=name)
        sla[priority.value] = minutes
    tags: list[rules.ReasonTag] = []
    typed_in: list[int] = []  # the form row of each reason
    rows = sorted(int(k.split("_")[1]) for k in values if k.startswith("tag_") and k[4:].isdigit())
    for index in rows:
        tag = values.get(f"tag_{index}", "").strip().lower()
        if tag:
            tier = 2 if values.get(f"tier_{index}") == "2" else 1
            tags.append(rules.ReasonTag(tag, tier))
            typed_in.append(index)
    level = values.get("language_level", "b2")
    if level not in LEVELS:
        raise InvalidInput("pick a level from the list", field="language_level")
    try:
        version = int(values.get("version", "0"))
    except ValueError:
        version = 0
    try:
        return (
            rules.SupportSettings.of(
                sla=sla,
                reason_tags=tags,
                language_level=level_rank(level, field="language_level"),
                help_page=values.get("help_page") == "on",
            ),
            version,
        )
    except InvalidInput as error:
        raise InvalidInput(error.message, field=_settings_field(error.field, typed_in)) from None


def _settings_field(field: str | None, typed_in: list[int]) -> str:
    """A rule's field as the form names it: `sla.urgent` -> sla_urgent, `reason_tags.1.tag` ->
    the form row the second non-blank reason was typed in."""
    name = field or "form"
    if name.startswith("sla."):
        return "sla_" + name.split(".")[1]
    if name.startswith("reason_tags."):
        position = int(name.split(".")[1])
        return f"tag_{typed_in[position]}" if position < len(typed_in) else "form"
    return name


@pages.post("/app/support/settings", access=TEAM_MANAGER)
def save_settings(ctx: PageContext):
    from chalicelib.services.support import settings

    try:
        changed, version = _settings_form(ctx.form_values)
        settings.update(ctx.principal, changed, version=version, deps=ctx.deps)
    except DomainError as error:
        status = 409 if error.code == "stale" else 400
        field = error.field or "form"
        return _settings_page(ctx, status=status, errors={field: error.message}, values=ctx.form_values)
    return ctx.redirect("/app/support/settings", flash="Support settings saved.")


@pages.post("/app/support/settings/inbound-mail", access=TEAM_MANAGER)
def rotate_inbound_secret(ctx: PageContext):
    from chalicelib.services.support import settings

    page = ctx.confirm(
        title="Make a new inbound-mail address?",
        happens=[
            "deskhire makes a new secret webhook address for the mail your customers send you.",
            "The old address stops working at once: update your mail provider's webhook with the new one.",
        ],
        button="Make a new address",
        back="/app/support/settings",
        danger=False,
    )
    if page is not None:
        return page
    made = settings.rotate_inbound_secret(ctx.principal, deps=ctx.deps)
    # Rendered, not redirected: this answer is the only place the secret ever appears.
    return _settings_page(ctx, status=201, secret=ctx.deps.link(made.path))
