"""The identity pages through the portal: forms with CSRF tokens, the session cookie, errors shown
beside the field, and every form post refused without its token (PROMISES S3, S4)."""

import pytest

from chalicelib.web.portal import PAGE_ROUTES, cookie, cookie_names
from tests.integration.helpers import STRONG, business, call, unique
from tests.integration.portal_helpers import PortalSession

pytestmark = pytest.mark.integration


def signup_fields(**overrides):
    slug = unique("shop-")
    return {
        "company_name": "Corner Shop",
        "slug": slug,
        "owner_name": "Sam Owner",
        "email": f"{slug}@example.com",
        "password": STRONG,
        "time_zone": "Europe/London",
        "currency": "usd",
        **overrides,
    }


def signed_up(client):
    browser = PortalSession(client)
    browser.get("/signup")
    fields = signup_fields()
    response = browser.post("/signup", fields)
    assert response.status_code == 303 and response.headers["Location"] == "/app?welcome=1"
    browser.follow(response)  # as a browser would: and the page's forms carry the session's token
    return browser, fields


def test_business_signup_lands_on_the_checklist(client, deps):
    browser, _ = signed_up(client)
    home = browser.get("/app?welcome=1")
    assert home.status_code == 200
    assert "Welcome, Sam Owner" in home.text
    for step in ("Post an opening", "Add a card", "Invite a teammate"):
        assert step in home.text


def test_session_cookie_attributes_in_local_and_deployed_stages(client, deps):
    browser = PortalSession(client)
    browser.get("/signup")
    response = browser.post("/signup", signup_fields())
    set_cookie = response.headers["Set-Cookie"]
    set_cookie = set_cookie[0] if isinstance(set_cookie, list) else set_cookie
    assert set_cookie.startswith("dh_session=")
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie and "Path=/" in set_cookie
    assert "Secure" not in set_cookie  # local runs on plain http
    session, csrf = cookie_names(is_local=False)
    assert session == "__Host-dh_session" and csrf == "__Host-dh_csrf"
    deployed = cookie(session, "v", max_age=60, secure=True)
    assert "Secure" in deployed and "HttpOnly" in deployed and "Domain" not in deployed


def test_signup_errors_are_shown_beside_the_field_and_nothing_is_written(client, deps):
    browser = PortalSession(client)
    browser.get("/signup")
    taken = business(client)
    response = browser.post("/signup", signup_fields(slug=taken["slug"]))
    assert response.status_code == 409
    assert 'aria-invalid="true"' in response.text and "This address is taken" in response.text
    assert 'value="Corner Shop"' in response.text  # what was typed is kept
    # every problem at once, in a summary at the top that links to each field
    assert (
        'class="error-summary"' in response.text and '<a href="#slug">This address is taken' in response.text
    )
    assert "<title>Error: " in response.text
    weak = browser.post("/signup", signup_fields(password="short"))
    assert weak.status_code == 400 and "at least 12 characters" in weak.text
    empty = browser.post("/signup", {"time_zone": "Europe/London", "currency": "usd"})
    assert empty.status_code == 400
    for field, words in (
        ("company_name", "Enter your company&#39;s name."),
        ("owner_name", "Enter your name."),
        ("email", "Enter an email address like name@example.com."),
        ("password", "Enter a password."),
    ):
        assert f'<a href="#{field}">{words}</a>' in empty.text, field
    assert "String should" not in empty.text and "Field required" not in empty.text


def test_a_form_post_without_its_csrf_token_is_403_and_changes_nothing(client, deps):
    browser = PortalSession(client)
    browser.get("/signup")
    fields = signup_fields()
    assert browser.post("/signup", fields, csrf=False).status_code == 403
    browser.csrf = "csrf_forged"
    assert browser.post("/signup", fields).status_code == 403
    # the slug is still free
    browser.get("/signup")
    assert browser.post("/signup", fields).status_code == 303


def test_login_wrong_password_and_logout(client, deps):
    browser, fields = signed_up(client)
    assert browser.post("/logout").status_code == 303
    assert browser.get("/app").status_code == 303  # to the login page
    page = browser.get("/login?next=/app/team")
    wrong = browser.post(
        "/login", {"email": fields["email"], "password": "nope-nope-nope-1", "next": "/app/team"}
    )
    assert wrong.status_code == 401 and "The email or password is wrong" in wrong.text
    ok = browser.post("/login", {"email": fields["email"], "password": STRONG, "next": "/app/team"})
    assert ok.status_code == 303 and ok.headers["Location"] == "/app/team"
    assert browser.get("/app/team").status_code == 200
    assert page.status_code == 200


def test_login_next_cannot_leave_the_site(client, deps):
    browser, fields = signed_up(client)
    browser.post("/logout")
    browser.get("/login")
    # the probe (`/login?next=/%5Cevil.example/phish`) and what browsers normalise alike
    for target in (
        "https://evil.example/",
        "//evil.example/x",
        "javascript:alert(1)",
        "/\\evil.example/phish",
        "/\t/evil.example",
        "%2F%2Fevil.example",
    ):
        response = browser.post("/login", {"email": fields["email"], "password": STRONG, "next": target})
        assert response.headers["Location"] == "/app"
        browser.get("/app")
        browser.post("/logout")
        browser.get("/login")


def test_invite_through_the_outbox_and_accept(client, app, ddb):
    # The real local-stage mailer: mail lands in the outbox page.
    from chalicelib import composition

    composition.override_deps(None)
    owner, _ = signed_up(client)
    email = unique("teammate-") + "@example.com"
    owner.get("/app/team")
    sent = owner.post("/app/team/invites", {"email": email, "role": "admin"})
    assert sent.status_code == 303 and f"Invitation sent to {email}" in owner.flash(owner.follow(sent))
    outbox = owner.get("/dev/outbox")
    assert email in outbox.text
    link = next(
        line for line in outbox.text.split('"') if "/invites/dhi_" in line and line.startswith("http")
    )
    path = "/invites/" + link.split("/invites/")[1]
    newcomer = PortalSession(client)
    page = newcomer.get(path)
    assert page.status_code == 200 and "Join Corner Shop" in page.text
    joined = newcomer.post(path, {"name": "Tara Teammate", "password": STRONG})
    assert joined.status_code == 303
    team = newcomer.get("/app/team")
    assert "Tara Teammate" in team.text and "Sam Owner" in team.text
    # used once: the link now says so
    assert PortalSession(client).get(path).status_code == 404


def test_api_key_shown_once_then_only_its_prefix(client, deps):
    browser, _ = signed_up(client)
    browser.get("/app/api-keys")
    created = browser.post("/app/api-keys", {"name": "Zapier"})
    assert created.status_code == 201
    secret = created.text.split('<code id="new-key">')[1].split("<")[0]
    assert call(client, "GET", "/api/v1/integrations/whoami", token=secret).status_code == 200
    again = browser.get("/app/api-keys")
    assert secret not in again.text and secret[:12] in again.text


def test_password_reset_pages(client, deps):
    browser, fields = signed_up(client)
    anonymous = PortalSession(client)
    anonymous.get("/password-reset")
    sent = anonymous.post("/password-reset", {"email": fields["email"]})
    assert sent.status_code == 303 and "Check your mail" in anonymous.follow(sent).text
    token = deps.mailer.last_to(fields["email"]).text.split("/password-reset/")[1].split()[0]
    form = anonymous.get(f"/password-reset/{token}")
    assert form.status_code == 200
    done = anonymous.post(f"/password-reset/{token}", {"password": "copper-kettle-47-meadow"})
    assert done.status_code == 303 and "Password changed" in anonymous.flash(anonymous.follow(done))
    reused = anonymous.get(f"/password-reset/{token}")
    assert reused.status_code == 404 and "Ask for a new link" in reused.text
    assert browser.get("/app").status_code == 303  # the old session ended


def test_outbox_is_not_there_outside_the_local_stage(client, deps):
    from dataclasses import replace

    from chalicelib import composition

    composition.override_deps(replace(deps, settings=replace(deps.settings, stage="prod")))
    assert PortalSession(client).get("/dev/outbox").status_code == 404


def test_every_portal_form_post_needs_its_csrf_token(client, deps):
    """PROMISES S4: walks every POST page route, as a signed-in owner, without a token."""
    browser, _ = signed_up(client)
    posts = [route for route in PAGE_ROUTES if route.method == "POST"]
    assert len(posts) >= 10
    for route in posts:
        path = route.path.replace("{", "").replace("}", "")
        response = browser.post(path, {"email": "x@example.com"}, csrf=False)
        assert response.status_code == 403, route
    assert browser.get("/app").status_code == 200  # still signed in: nothing was done


def test_the_business_signup_takes_any_iana_zone_and_says_plainly_what_is_not_one(client, deps):
    """Like the agent's (issue 14, item 1): a field with a list of every zone the server knows,
    not a select of 16; anything else is refused beside the field, with the form's other problems."""
    browser = PortalSession(client)
    form = browser.get("/signup")
    assert '<input id="time_zone" name="time_zone" list="time-zones"' in form.text
    assert '<select id="time_zone"' not in form.text
    assert '<option value="Asia/Kathmandu">' in form.text and '<option value="Pacific/Chatham">' in form.text

    fields = signup_fields(time_zone="Kathmandu")
    refused = browser.post("/signup", fields)
    assert refused.status_code == 400
    assert '<a href="#time_zone">&#39;Kathmandu&#39; is not an IANA time zone such as Europe/Berlin.</a>' in (
        refused.text
    )
    assert 'value="Kathmandu"' in refused.text  # kept as typed
    # every problem at once: the zone's with the model's own
    both = browser.post("/signup", {**fields, "company_name": ""})
    assert both.status_code == 400
    assert '<a href="#company_name">' in both.text and '<a href="#time_zone">' in both.text

    made = browser.post("/signup", {**fields, "time_zone": "Asia/Kathmandu"})  # the slug was free
    assert made.status_code == 303
    browser.follow(made)
    assert "your time zone, Asia/Kathmandu" in browser.get("/app/openings/new").text

    # the agent's signup says a bad zone with the model's problems too
    agent = PortalSession(client)
    agent.get("/agents/signup")
    refused = agent.post(
        "/agents/signup",
        {"name": "", "email": unique("z-") + "@example.com", "password": STRONG, "time_zone": "Mars"},
    )
    assert refused.status_code == 400
    assert '<a href="#name">' in refused.text and '<a href="#time_zone">' in refused.text
