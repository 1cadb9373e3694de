"""Account pages: sign up (business, agent), sign in and out, password reset, accepting an invite."""

from __future__ import annotations

from chalicelib.domain.errors import DomainError, TooManyRequests
from chalicelib.web import forms
from chalicelib.web.auth import SIGNED_IN, client_address
from chalicelib.web.portal import FormInvalid, PageContext, Portal, field_errors
from chalicelib.web.redirects import safe_next

pages = Portal(__name__)


def home_of(principal) -> str:
    return {"member": "/app", "agent": "/agent", "operator": "/admin"}.get(str(principal.kind), "/")


def _form_page(ctx: PageContext, template: str, model, action, *, also=None, **extra):
    """`also(values)`: problems of fields the model only bounds (a time zone), said with the
    model's own when the form is refused, so that every problem shows at once."""
    try:
        data = ctx.form(model)
        return action(data)
    except FormInvalid as invalid:
        errors = {**(also(ctx.form_values) if also else {}), **invalid.errors}
        return ctx.render(template, status=400, errors=errors, **extra)
    except DomainError as error:
        status = 409 if error.code.endswith("_taken") else 400
        return ctx.render(template, status=status, errors=forms.errors_of(error), **extra)


def _signed_in(ctx: PageContext, account, landing: str):
    """A new account starts with a portal session, as if it had just signed in."""
    from chalicelib.services import sessions

    ctx.start_session(sessions.start(account, channel="cookie", deps=ctx.deps))
    return ctx.redirect(landing)


def zone_problem(values: dict[str, str]) -> dict[str, str]:
    """A time zone typed that is not an IANA zone, by field (empty when it is one, or when none
    was typed: the model says that)."""
    from chalicelib.domain.errors import InvalidInput
    from chalicelib.domain.identity import check_time_zone

    typed = values.get("time_zone", "").strip()
    try:
        if typed:
            check_time_zone(typed)
    except InvalidInput as error:
        return {"time_zone": error.message}
    return {}


def _zones() -> list[str]:
    import zoneinfo

    return sorted(zoneinfo.available_timezones())


@pages.get("/signup")
def business_signup_form(ctx: PageContext):
    return ctx.render(
        "signup.html",
        title="Sign up your business",
        values={"time_zone": ""},
        zones=_zones(),
        currencies=list(ctx.deps.settings.settlement_currencies),
    )


@pages.post("/signup", limit="signup_per_address")
def business_signup(ctx: PageContext):
    from chalicelib.schemas import identity as identity_schemas

    def act(data: identity_schemas.BusinessSignupBody):
        from chalicelib.services import accounts

        found = forms.Collector()
        for field, message in zone_problem({"time_zone": data.time_zone}).items():
            found.add(field, message)
        found.done()
        _, owner = accounts.sign_up_business(accounts.BusinessSignup(**data.model_dump()), deps=ctx.deps)
        return _signed_in(ctx, owner, "/app?welcome=1")

    return _form_page(
        ctx,
        "signup.html",
        identity_schemas.BusinessSignupBody,
        act,
        also=zone_problem,
        title="Sign up your business",
        zones=_zones(),
        currencies=list(ctx.deps.settings.settlement_currencies),
    )


def place_choices(ctx: PageContext) -> dict:
    """What the country and time-zone fields offer (templates/_place.html): every country by name,
    those this platform can pay agents in, and every IANA zone."""
    from chalicelib.domain.countries import COUNTRY_NAMES
    from chalicelib.services import payouts

    return {
        "countries": dict(sorted(COUNTRY_NAMES.items(), key=lambda item: item[1])),
        "payable": payouts.countries_for(ctx.deps.settings.platform_country),
        "zones": _zones(),
    }


@pages.get("/agents/signup")
def agent_signup_form(ctx: PageContext):
    return ctx.render(
        "agent_signup.html",
        title="Join as a support agent",
        values={"time_zone": "", "country": ""},
        **place_choices(ctx),
    )


@pages.post("/agents/signup", limit="signup_per_address")
def agent_signup(ctx: PageContext):
    from chalicelib.schemas import identity as identity_schemas

    def act(data: identity_schemas.AgentSignupBody):
        from chalicelib.domain.countries import COUNTRY_NAMES, check_country
        from chalicelib.domain.identity import check_time_zone
        from chalicelib.services import accounts, payouts

        found = forms.Collector()
        if not data.country:
            found.add("country", "pick the country you live in")
        country = found.read("country", lambda: check_country(data.country or "", field="country"))
        found.read("time_zone", lambda: check_time_zone(data.time_zone))
        found.done()
        assert country is not None  # done() said so otherwise
        why = payouts.cannot_pay(country, platform_country=ctx.deps.settings.platform_country)
        if why is not None:
            # said plainly before the account exists: the agent decides knowing it
            page = ctx.confirm(
                title=f"deskhire cannot pay agents in {COUNTRY_NAMES[country]}",
                happens=[
                    forms.sentence(why),
                    "You may still create the account and a profile; you can change your country "
                    "on your profile if you move.",
                ],
                button="Create my account anyway",
                back="/agents/signup",
                danger=False,
            )
            if page is not None:
                return page
        record = accounts.sign_up_agent(
            accounts.AgentSignup(**{**data.model_dump(), "country": country}), deps=ctx.deps
        )
        return _signed_in(ctx, record, "/agent")

    return _form_page(
        ctx,
        "agent_signup.html",
        identity_schemas.AgentSignupBody,
        act,
        also=zone_problem,
        title="Join as a support agent",
        **place_choices(ctx),
    )


@pages.get("/login")
def login_form(ctx: PageContext):
    if ctx.viewer is not None:
        return ctx.redirect(home_of(ctx.viewer))
    return ctx.render(
        "login.html",
        title="Sign in",
        next=ctx.request.query_params.get("next", "") if ctx.request.query_params else "",
    )


@pages.post("/login")
def login(ctx: PageContext):
    from chalicelib.schemas import identity as identity_schemas
    from chalicelib.services import sessions

    next_page = ctx.form_values.get("next", "")
    try:
        data = ctx.form(identity_schemas.SessionBody)
        issued = sessions.log_in(
            data.email, data.password, address=client_address(ctx.request), channel="cookie", deps=ctx.deps
        )
    except FormInvalid as invalid:
        return ctx.render("login.html", status=400, title="Sign in", errors=invalid.errors, next=next_page)
    except TooManyRequests as error:
        return ctx.render(
            "login.html", status=429, title="Sign in", errors={"form": error.message}, next=next_page
        )
    except DomainError as error:
        return ctx.render(
            "login.html", status=401, title="Sign in", errors={"form": error.message}, next=next_page
        )
    ctx.start_session(issued)
    return ctx.redirect(safe_next(next_page, home_of(issued.principal)))


@pages.post("/logout", access=SIGNED_IN)
def logout(ctx: PageContext):
    from chalicelib.services import sessions

    if ctx.authenticated is not None:  # always, on a page for the signed-in
        sessions.log_out(ctx.authenticated, deps=ctx.deps)
    ctx.end_session()
    return ctx.redirect("/", flash="You are signed out.")


@pages.get("/password-reset")
def password_reset_form(ctx: PageContext):
    sent = bool(ctx.request.query_params and ctx.request.query_params.get("sent"))
    if sent:
        return ctx.render("password_reset.html", title="Check your mail", sent=True)
    return ctx.render("password_reset.html", title="Reset your password", sent=False)


@pages.post("/password-reset", limit="reset_per_address")
def password_reset_request(ctx: PageContext):
    from chalicelib.schemas import identity as identity_schemas
    from chalicelib.services import password_resets

    try:
        data = ctx.form(identity_schemas.PasswordResetBody)
    except FormInvalid as invalid:
        return ctx.render(
            "password_reset.html", status=400, title="Reset your password", sent=False, errors=invalid.errors
        )
    password_resets.request_reset(data.email, deps=ctx.deps)
    return ctx.redirect("/password-reset?sent=1")


@pages.get("/password-reset/{token}")
def password_reset_choose(ctx: PageContext, token: str):
    from chalicelib.services import password_resets

    try:
        password_resets.check_token(token, deps=ctx.deps)
    except DomainError as error:
        return ctx.render(
            "message.html",
            status=404,
            title="This link does not work",
            message=error.message,
            link=("/password-reset", "Ask for a new link"),
        )
    return ctx.render("password_choose.html", title="Choose a new password", token=token)


@pages.post("/password-reset/{token}")
def password_reset_complete(ctx: PageContext, token: str):
    from chalicelib.schemas import identity as identity_schemas
    from chalicelib.services import password_resets

    try:
        data = ctx.form(identity_schemas.NewPasswordBody)
        password_resets.reset_password(token, data.password, deps=ctx.deps)
    except FormInvalid as invalid:
        return ctx.render(
            "password_choose.html",
            status=400,
            title="Choose a new password",
            token=token,
            errors=invalid.errors,
        )
    except DomainError as error:
        if error.field == "password":
            return ctx.render(
                "password_choose.html",
                status=400,
                title="Choose a new password",
                token=token,
                errors=field_errors(error),
            )
        return ctx.render(
            "message.html",
            status=404,
            title="This link does not work",
            message=error.message,
            link=("/password-reset", "Ask for a new link"),
        )
    return ctx.redirect(
        "/login", flash="Password changed: every session was signed out. Sign in with the new password."
    )


@pages.get("/invites/{token}")
def invite_form(ctx: PageContext, token: str):
    from chalicelib.services import team

    try:
        invite, tenant = team.find_invite(token, deps=ctx.deps)
    except DomainError as error:
        return ctx.render(
            "message.html",
            status=404,
            title="This invitation does not work",
            message=error.message,
            link=("/", "deskhire"),
        )
    return ctx.render(
        "invite_accept.html", title=f"Join {tenant.name}", invite=invite, company=tenant.name, token=token
    )


@pages.post("/invites/{token}")
def invite_accept(ctx: PageContext, token: str):
    from chalicelib.schemas import team as team_schemas
    from chalicelib.services import team

    try:
        invite, tenant = team.find_invite(token, deps=ctx.deps)
    except DomainError as error:
        return ctx.render(
            "message.html",
            status=404,
            title="This invitation does not work",
            message=error.message,
            link=("/", "deskhire"),
        )

    def act(data: team_schemas.AcceptInviteBody):
        from chalicelib.services import team

        ctx.start_session(
            team.accept_invite(token, name=data.name, password=data.password, deps=ctx.deps, channel="cookie")
        )
        return ctx.redirect("/app", flash=f"Welcome to {tenant.name}: you joined as {invite.role}.")

    return _form_page(
        ctx,
        "invite_accept.html",
        team_schemas.AcceptInviteBody,
        act,
        title=f"Join {tenant.name}",
        invite=invite,
        company=tenant.name,
        token=token,
    )
