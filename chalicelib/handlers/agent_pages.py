"""The agent's portal: home with the ranked feed, and the profile editor."""

from __future__ import annotations

from chalicelib.domain.errors import DomainError
from chalicelib.domain.money import format_amount
from chalicelib.web import forms
from chalicelib.web.auth import AGENT
from chalicelib.web.portal import PageContext, Portal

pages = Portal(__name__)


@pages.get("/agent", access=AGENT)
def home(ctx: PageContext):
    from chalicelib.domain.tenancy import AgentId
    from chalicelib.handlers import billing_pages
    from chalicelib.handlers.business_pages import needs_now
    from chalicelib.handlers.metrics_pages import week_at_a_glance
    from chalicelib.services import matching, payouts, profiles

    agent = profiles.my_profile(ctx.principal)
    feed = None
    if agent.status == "approved" and profiles.is_complete(agent):
        feed = matching.openings_for_agent(ctx.principal)
    # read once for the reminder and the action list (a payout to their bank that failed)
    account = payouts.account_of(AgentId(ctx.principal.id))
    reminder = billing_pages.payouts_reminder(ctx, account)
    return ctx.render(
        "agent_home.html",
        title="Your agent account",
        agent=agent,
        feed=feed,
        complete=profiles.is_complete(agent),
        reminder=reminder,
        # after vetting, the home page starts with what needs the agent now
        needs=needs_now(ctx, payouts_waiting=reminder, payout_account=account)
        if agent.status == "approved"
        else None,
        **week_at_a_glance(ctx, wanted=agent.status == "approved"),
    )


def _profile_page(ctx: PageContext, agent, *, status=200, errors=None, values=None):
    from chalicelib.domain import vocabulary
    from chalicelib.handlers.account_pages import place_choices

    if values is None:
        values = {
            "headline": agent.headline,
            "bio": agent.bio,
            "products": ", ".join(agent.products),
            "min_rate": format_amount(int(agent.min_rate_minor), agent.rate_currency)
            if agent.min_rate_minor is not None
            else "",
            "currency": agent.rate_currency or "usd",
            "country": agent.country or "",
            "time_zone": agent.time_zone,
            **forms.window_fields(agent.availability),
            **forms.language_fields(agent.languages),
        }
        chosen = set(agent.skills)
    else:
        chosen = set(ctx.form_lists.get("skills", []))
    return ctx.render(
        "agent_profile.html",
        status=status,
        title="Your profile",
        agent=agent,
        values=values,
        errors=errors or {},
        skills=vocabulary.SKILLS,
        chosen=chosen,
        levels=vocabulary.LEVEL_NAMES,
        languages=vocabulary.LANGUAGE_NAMES,
        window_rows=forms.window_rows(values),
        language_rows=range(forms.LANGUAGE_ROWS),
        **place_choices(ctx),
    )


@pages.get("/agent/profile", access=AGENT)
def profile_form(ctx: PageContext):
    from chalicelib.services import profiles

    return _profile_page(ctx, profiles.my_profile(ctx.principal))


@pages.post("/agent/profile", access=AGENT)
def profile_save(ctx: PageContext):
    from chalicelib.domain.countries import check_country
    from chalicelib.domain.identity import check_time_zone
    from chalicelib.services import profiles

    agent = profiles.my_profile(ctx.principal)
    values = ctx.form_values
    try:
        found = forms.Collector()
        availability = found.read("window_0_start", lambda: forms.weekly_windows(values))
        if availability == []:
            found.add("window_0_start", "give the hours you can work on at least one day")
        min_rate = found.read(
            "min_rate",
            lambda: forms.money(values.get("min_rate", ""), values.get("currency", "usd"), field="min_rate"),
        )
        # left blank (or not on an older form): unchanged
        country_text, zone_text = values.get("country", "").strip(), values.get("time_zone", "").strip()
        country = found.read("country", lambda: check_country(country_text)) if country_text else None
        time_zone = found.read("time_zone", lambda: check_time_zone(zone_text)) if zone_text else None
        languages = found.read("language_0", lambda: forms.languages(values))
        if languages == []:
            found.add("language_0", "pick at least one language you speak")
        found.done()
        if availability is None or min_rate is None or languages is None:
            raise DomainError("give your lowest hourly rate", field="min_rate")  # done() has said so
        change = profiles.ProfileUpdate(
            headline=values.get("headline", "")[:120],
            bio=values.get("bio", "")[:2000],
            skills=ctx.form_lists.get("skills", []),
            products=forms.tags(values.get("products", "")),
            languages=languages,
            availability=availability,
            min_rate=min_rate,
            country=country,
            time_zone=time_zone,
        )
        agent = profiles.update_profile(ctx.principal, change, deps=ctx.deps)
    except DomainError as error:
        return _profile_page(
            ctx,
            agent,
            status=400,
            errors=forms.errors_of(error, collapse=("availability",)),
            values=values,
        )
    seen = " Businesses see the new profile in their matches." if agent.status == "approved" else ""
    return ctx.redirect("/agent/profile", flash=f"Your profile is saved.{seen}")


@pages.get("/agent/settings", access=AGENT)
def agent_settings(ctx: PageContext):
    from chalicelib.handlers.business_pages import settings_page

    return settings_page(ctx)


@pages.post("/agent/settings", access=AGENT)
def agent_settings_save(ctx: PageContext):
    from chalicelib.handlers.business_pages import save_settings

    return save_settings(ctx)
