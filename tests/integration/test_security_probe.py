"""Regressions for what the security probe of issue 12 found, through the API and the portal on
DynamoDB Local. Each test failed before its fix."""

import pytest

from tests.integration.helpers import STRONG, business, call, opening_body, unique
from tests.integration.portal_helpers import PortalSession

pytestmark = pytest.mark.integration

PHRASE = "copper-kettle-47-meadow violet-harbor-92-lantern quiet-orchard-18-river amber-falcon-63-summit " * 2


def long_passphrase(length: int) -> str:
    return PHRASE[:length].strip().ljust(length, "x")


def reset_token(deps, email: str) -> str:
    return deps.mailer.last_to(email).text.split("/password-reset/")[1].split()[0]


def invite_token(deps, email: str) -> str:
    return deps.mailer.last_to(email).text.split("/invites/")[1].split()[0]


# -- item 4: passwords of 73 to 128 characters --------------------------------------------------


@pytest.mark.parametrize("length", [73, 100, 128])
def test_long_passphrases_are_accepted_on_every_api_path(client, deps, length):
    password = long_passphrase(length)
    assert len(password) == length
    owner = business(client, password=password)
    someone = call(
        client,
        "POST",
        "/api/v1/signup/agent",
        {"name": "Ada", "email": unique("long-") + "@example.com", "password": password, "time_zone": "UTC"},
    )
    assert someone.status_code == 201, someone.json
    mate = unique("mate-") + "@example.com"
    call(client, "POST", "/api/v1/team/invites", {"email": mate, "role": "manager"}, token=owner["token"])
    accepted = call(
        client,
        "POST",
        f"/api/v1/invites/{invite_token(deps, mate)}/accept",
        {"name": "Mo", "password": password},
    )
    assert accepted.status_code == 201, accepted.json
    call(client, "POST", "/api/v1/password-resets", {"email": owner["email"]})
    reset = call(
        client, "POST", f"/api/v1/password-resets/{reset_token(deps, owner['email'])}", {"password": password}
    )
    assert reset.status_code == 204, reset.json


@pytest.mark.parametrize(("password", "rule"), [("a" * 100, "guess"), ("x" * 129, "at most 128")])
def test_long_weak_or_over_long_passwords_are_a_400_never_a_500(client, deps, password, rule):
    owner = business(client)
    bodies = [
        (
            "/api/v1/signup/agent",
            {"name": "A", "email": unique("w") + "@example.com", "password": password, "time_zone": "UTC"},
        ),
    ]
    mate = unique("mate-") + "@example.com"
    call(client, "POST", "/api/v1/team/invites", {"email": mate, "role": "manager"}, token=owner["token"])
    bodies.append((f"/api/v1/invites/{invite_token(deps, mate)}/accept", {"name": "M", "password": password}))
    call(client, "POST", "/api/v1/password-resets", {"email": owner["email"]})
    bodies.append((f"/api/v1/password-resets/{reset_token(deps, owner['email'])}", {"password": password}))
    for path, body in bodies:
        response = call(client, "POST", path, body)
        assert response.status_code == 400, (path, response.json)
        assert response.json["error"]["code"] == "weak_password" and rule in response.json["error"]["message"]


def test_long_passphrases_on_the_portal(client, deps):
    password = long_passphrase(110)
    browser = PortalSession(client)
    browser.get("/signup")
    slug = unique("long-")
    signup = browser.post(
        "/signup",
        {
            "company_name": "Long Words",
            "slug": slug,
            "owner_name": "Lee",
            "email": f"{slug}@example.com",
            "password": password,
            "time_zone": "UTC",
            "currency": "usd",
        },
    )
    assert signup.status_code == 303
    browser.follow(signup)
    mate = unique("mate-") + "@example.com"
    browser.get("/app/team")
    browser.post("/app/team/invites", {"email": mate, "role": "manager"})
    newcomer = PortalSession(client)
    path = f"/invites/{invite_token(deps, mate)}"
    newcomer.get(path)
    assert newcomer.post(path, {"name": "Mo", "password": "b" * 120}).status_code == 400
    assert newcomer.post(path, {"name": "Mo", "password": password}).status_code == 303
    stranger = PortalSession(client)
    stranger.get("/password-reset")
    stranger.post("/password-reset", {"email": f"{slug}@example.com"})
    path = f"/password-reset/{reset_token(deps, f'{slug}@example.com')}"
    stranger.get(path)
    assert stranger.post(path, {"password": "c" * 128}).status_code == 400
    assert stranger.post(path, {"password": password}).status_code == 303  # to sign in, with a flash


# -- item 6: an opening's currency on PUT -------------------------------------------------------


def test_an_openings_currency_is_the_businesses_on_revise_as_on_post(client, deps):
    owner = business(client)
    posted = call(client, "POST", "/api/v1/openings", opening_body(), token=owner["token"])
    assert posted.status_code == 201, posted.json
    yen = {"rate_min": {"amount": 2000, "currency": "jpy"}, "rate_max": {"amount": 3000, "currency": "jpy"}}
    for method, path in (("POST", "/api/v1/openings"), ("PUT", f"/api/v1/openings/{posted.json['id']}")):
        refused = call(client, method, path, opening_body(**yen), token=owner["token"])
        assert refused.status_code == 400, (method, refused.json)
        assert refused.json["error"]["field"] == "rate_min.currency"
    kept = call(client, "GET", f"/api/v1/openings/{posted.json['id']}", token=owner["token"])
    assert kept.json["rate_min"]["currency"] == kept.json["rate_max"]["currency"] == "usd"


# -- item 7: extreme ISO weeks ------------------------------------------------------------------


@pytest.mark.parametrize("week", ["0001-W01", "9999-W52"])
def test_extreme_weeks_are_a_400_or_this_week_never_a_500(client, deps, week):
    from tests.integration.contract_helpers import hire
    from tests.integration.portal_helpers import signed_in

    hired = hire(client, deps)
    cid, owner, someone = hired["contract"]["id"], hired["owner"], hired["agent"]
    for token, path in (
        (owner["token"], f"/api/v1/contracts/{cid}/timesheets/{week}"),
        (someone["token"], f"/api/v1/contracts/{cid}/timesheets/{week}"),
        (owner["token"], f"/api/v1/coverage?week={week}"),
        (someone["token"], f"/api/v1/agent/calendar?week={week}"),
    ):
        response = call(client, "GET", path, token=token)
        assert response.status_code == 400 and response.json["error"]["field"] == "week", (
            path,
            response.json,
        )
    business_pages = signed_in(client, owner["email"])
    agent_pages = signed_in(client, someone["email"])
    for browser, path in (
        (business_pages, f"/app/contracts/{cid}/timesheets/{week}"),
        (agent_pages, f"/agent/contracts/{cid}/timesheets/{week}"),
    ):
        assert browser.get(path).status_code == 400, path
    # a week in the query string that is no week falls back to this week, as a malformed one does
    for browser, path in (
        (business_pages, f"/app/coverage?week={week}"),
        (business_pages, f"/app/timesheets?week={week}"),
        (agent_pages, f"/agent/calendar?week={week}"),
        (agent_pages, f"/agent/diary?week={week}"),
    ):
        page = browser.get(path)
        assert page.status_code == 200 and "2026-W48" in page.text, path


# -- item 8: control characters, bidi overrides and zero-width characters at the edge -----------


@pytest.mark.parametrize("hidden", ["\r", "\u202e", "\u200b", "\x00"])
def test_names_and_titles_with_hidden_characters_are_a_400_on_the_api(client, deps, hidden):
    from tests.integration.helpers import opening_body

    owner = business(client)
    titled = call(
        client, "POST", "/api/v1/openings", opening_body(title=f"Email{hidden}support"), token=owner["token"]
    )
    assert titled.status_code == 400 and titled.json["error"]["field"] == "title", titled.json
    described = call(
        client, "POST", "/api/v1/openings", opening_body(description=f"a{hidden}b"), token=owner["token"]
    )
    assert described.status_code == 400 and described.json["error"]["field"] == "description"
    slug = unique("h-")
    signup = call(
        client,
        "POST",
        "/api/v1/signup/business",
        {
            "company_name": f"Acme{hidden}Admin",
            "slug": slug,
            "owner_name": "O",
            "email": f"{slug}@example.com",
            "password": "violet-harbor-92-lantern",
            "time_zone": "UTC",
        },
    )
    assert signup.status_code == 400 and signup.json["error"]["field"] == "company_name"
    # text keeps its lines: a description may have several
    lines = call(
        client, "POST", "/api/v1/openings", opening_body(description="one\ntwo\tthree"), token=owner["token"]
    )
    assert lines.status_code == 201 and lines.json["description"] == "one\ntwo\tthree"


def test_the_portal_refuses_hidden_characters_in_any_form_field(client, deps):
    from tests.integration.helpers import STRONG
    from tests.integration.portal_helpers import signed_in

    owner = business(client)
    browser = signed_in(client, owner["email"])
    browser.get("/app/openings/new")
    opening = {
        "title": "Morning\rATTENDEE:mailto:x@evil.example",
        "language_0": "en",
        "level_0": "c1",
        "hours_per_week": "12.5",
        "rate_min": "20",
        "rate_max": "30",
        "seats": "1",
        "tier": "1",
        "start_date": "2027-02-01",
        "skills": "email",
        "window_0_day": "mon",
        "window_0_start": "09:00",
        "window_0_end": "17:00",
    }
    assert browser.post("/app/openings", opening).status_code == 400
    # a newline is text elsewhere, but never in a title
    assert browser.post("/app/openings", {**opening, "title": "Morning\nATTENDEE"}).status_code == 400
    assert call(client, "GET", "/api/v1/openings", token=owner["token"]).json["openings"] == []
    stranger = PortalSession(client)
    stranger.get("/agents/signup")
    refused = stranger.post(
        "/agents/signup",
        {
            "name": "Ada\u202eadmin",
            "email": unique("a") + "@example.com",
            "password": STRONG,
            "time_zone": "UTC",
        },
    )
    assert refused.status_code == 400


# -- item 9: bearer tokens and portal cookies stay on their own channel -------------------------


def test_a_bearer_token_is_no_cookie_and_a_cookie_no_bearer_token(client, deps):
    from chalicelib.web.portal import cookie_names
    from tests.integration.portal_helpers import signed_in

    owner = business(client)
    bearer = owner["token"]
    browser = signed_in(client, owner["email"])
    session_cookie, _ = cookie_names(is_local=True)
    cookie_token = browser.cookies[session_cookie]
    key = call(client, "POST", "/api/v1/api-keys", {"name": "k"}, token=bearer).json["secret"]
    # each works where it was issued
    assert call(client, "GET", "/api/v1/me", token=bearer).status_code == 200
    assert browser.get("/app/team").status_code == 200
    # and nowhere else
    assert call(client, "GET", "/api/v1/me", token=cookie_token).status_code == 401
    for foreign in (bearer, key):
        stranger = PortalSession(client)
        stranger.cookies[session_cookie] = foreign
        assert stranger.get("/app/team").status_code == 303  # to the login page
    # an invitation accepted through the API signs in on the API, through the portal on the portal
    mate = unique("mate-") + "@example.com"
    call(client, "POST", "/api/v1/team/invites", {"email": mate, "role": "manager"}, token=bearer)
    accepted = call(
        client,
        "POST",
        f"/api/v1/invites/{invite_token(deps, mate)}/accept",
        {"name": "M", "password": STRONG},
    )
    assert call(client, "GET", "/api/v1/me", token=accepted.json["token"]).status_code == 200


def test_a_role_change_through_the_api_leaves_no_portal_session_behind(client, deps):
    """A member who changes their own role through the API signs in again there; a portal session
    issued for them (as the portal's own role change does) would be a session no one holds."""
    from chalicelib.store import keys
    from chalicelib.store.identity import SessionRecord

    owner = business(client)
    mate = unique("mate-") + "@example.com"
    call(client, "POST", "/api/v1/team/invites", {"email": mate, "role": "admin"}, token=owner["token"])
    token = call(
        client,
        "POST",
        f"/api/v1/invites/{invite_token(deps, mate)}/accept",
        {"name": "M", "password": STRONG},
    ).json["token"]
    me = call(client, "GET", "/api/v1/me", token=token).json
    changed = call(client, "PATCH", f"/api/v1/team/members/{me['id']}", {"role": "manager"}, token=token)
    assert changed.status_code == 200, changed.json
    assert call(client, "GET", "/api/v1/me", token=token).status_code == 401  # signs in again
    sessions = list(SessionRecord.gsi2.query(keys.platform_pk("SESSIONS", f"member-{me['id']}")))
    assert sessions == []


# -- item 10: headers ---------------------------------------------------------------------------


def test_strict_transport_security_outside_the_local_stage(client, deps):
    from dataclasses import replace

    from chalicelib import composition

    assert "Strict-Transport-Security" not in client.http.get("/api/health").headers
    composition.override_deps(replace(deps, settings=replace(deps.settings, stage="prod")))
    # a path no route matches too: the function answers it (API Gateway sends it through /{proxy+})
    for path in ("/api/health", "/login", "/app/team", "/no/such/page", "/api/v1/no-such-thing"):
        hsts = client.http.get(path).headers.get("Strict-Transport-Security", "")
        assert hsts.startswith("max-age=") and int(hsts.split("=")[1].split(";")[0]) >= 31536000, path


def test_no_store_on_every_answer_with_a_secret_and_on_signed_in_pages(client, deps):

    slug = unique("ns-")
    body = {
        "company_name": "No Store",
        "slug": slug,
        "owner_name": "N",
        "email": f"{slug}@example.com",
        "password": STRONG,
        "time_zone": "UTC",
    }
    signup = call(client, "POST", "/api/v1/signup/business", body)
    token = signup.json["session"]["token"]
    login = call(client, "POST", "/api/v1/sessions", {"email": body["email"], "password": STRONG})
    key = call(client, "POST", "/api/v1/api-keys", {"name": "k"}, token=token)
    me = call(client, "GET", "/api/v1/me", token=token)
    browser = PortalSession(client)
    browser.get("/login")
    cookie_login = browser.post("/login", {"email": body["email"], "password": STRONG})
    page = browser.get("/app/team")
    # and the answers around them: refusals, errors and redirects (a 303 carries the new cookie)
    wrong = call(client, "POST", "/api/v1/sessions", {"email": body["email"], "password": "x" * 12})
    stranger = client.http.get("/app/team")
    missing = call(client, "GET", "/api/v1/openings/NOSUCH", token=token)
    unserved = client.http.request("PUT", "/api/v1/me")
    for answer in (signup, login, key, me, cookie_login, page, wrong, stranger, missing, unserved):
        assert answer.headers.get("Cache-Control") == "no-store", answer.status_code
    assert (wrong.status_code, stranger.status_code, missing.status_code, unserved.status_code) == (
        401,
        303,
        404,
        405,
    )
    assert "Set-Cookie" in cookie_login.headers
    static = client.http.get("/static/app.css")
    assert static.status_code == 200 and "immutable" in static.headers["Cache-Control"]


def test_head_is_served_where_a_page_is(client, deps):
    from tests.integration.portal_helpers import signed_in

    owner = business(client)
    for path in ("/login", "/", "/signup"):
        head = client.http.request("HEAD", path)
        assert head.status_code == 200 and not head.body, path
        assert head.headers["Content-Type"] == client.http.get(path).headers["Content-Type"]
    assert client.http.request("HEAD", "/app/team").status_code == 303  # the GET's access rules hold
    browser = signed_in(client, owner["email"])
    assert client.http.request("HEAD", "/app/team", headers=browser._headers()).status_code == 200
    wrong = client.http.request("PUT", "/login")
    assert wrong.status_code == 405 and wrong.headers["Allow"] == "GET, HEAD, POST"
    # and on the JSON API, with the GET's own checks
    me = client.http.request("HEAD", "/api/v1/me", headers={"Authorization": f"Bearer {owner['token']}"})
    assert me.status_code == 200 and not me.body and me.headers["Cache-Control"] == "no-store"
    assert client.http.request("HEAD", "/api/v1/me").status_code == 401
    options = client.http.request("OPTIONS", "/api/v1/me")
    assert options.status_code == 405 and options.headers["Allow"] == "GET, HEAD"


# -- item 3: a tenant's text in deskhire's mail --------------------------------------------------


IMPOSTOR = "deskhire Security: your account is locked, verify at https://evil.example/verify"


def test_an_invitation_keeps_the_business_words_out_of_the_subject_and_quotes_them(client, deps):
    owner = business(client, company_name=IMPOSTOR, owner_name="IT desk www.evil.example")
    mate = unique("mate-") + "@example.com"
    call(client, "POST", "/api/v1/team/invites", {"email": mate, "role": "manager"}, token=owner["token"])
    mail = deps.mailer.last_to(mate)
    assert mail.subject == "You are invited to join a team on deskhire"
    assert "evil.example" not in mail.subject + mail.text
    assert "In the business's own words (not deskhire's)" in mail.text
    assert "\u201cdeskhire Security: your account is locked, verify at\u201d" in mail.text
    assert "\u201cIT desk\u201d" in mail.text
    # and a name is capped where it is chosen
    long_name = call(
        client,
        "POST",
        "/api/v1/signup/business",
        {
            "company_name": "A" * 81,
            "slug": unique("long-"),
            "owner_name": "O",
            "email": unique("l") + "@example.com",
            "password": STRONG,
            "time_zone": "UTC",
        },
    )
    assert long_name.status_code == 400 and long_name.json["error"]["field"] == "company_name"


def test_no_mail_of_the_hiring_contract_and_dispute_paths_puts_a_party_s_words_in_a_subject(client, deps):
    """A business, its member, an agent and an opening named like deskhire's own warnings, with
    notes, messages and reasons that carry links: every mail of invitations, the application
    thread, offers (declined, withdrawn, accepted), a change, a pause, a dispute from filing to
    the operator's decision and the contract's end has a subject of deskhire's catalogue, and
    quotes the parties' words in its body as theirs, with no link."""
    from chalicelib.mail import SubjectLine
    from tests.integration.contract_helpers import (
        MONDAY,
        accept,
        apply,
        approved,
        at,
        log,
        offer,
        published_opening,
        sign_in,
    )
    from tests.integration.helpers import operator

    deps.clock.now = MONDAY
    ops = operator(client, deps)
    someone = approved(client, ops, name="deskhire Support www.evil.example")
    owner = business(client, company_name=IMPOSTOR, owner_name="deskhire Billing evil.example")
    opening = published_opening(client, owner, title="deskhire: account locked, see evil.example")
    lure = "Your deskhire account is locked: verify at https://evil.example/verify now"

    def post(path, body=None, who=owner):
        answer = call(client, "POST", path, body, token=who["token"])
        assert answer.status_code in (200, 201), (path, answer.json)
        return answer.json

    post(f"/api/v1/openings/{opening['id']}/invitations", {"agent_id": someone["id"], "note": lure})
    application = apply(client, someone, opening)
    post(f"/api/v1/applications/{application['id']}/messages", {"body": lure})
    post(f"/api/v1/applications/{application['id']}/messages", {"body": lure}, who=someone)
    declined = offer(client, owner, application["id"], note=lure)
    post(f"/api/v1/offers/{declined['id']}/decline", {"reason": lure}, who=someone)
    post(f"/api/v1/offers/{offer(client, owner, application['id'], note=lure)['id']}/withdraw")
    cid = accept(client, someone, offer(client, owner, application["id"], note=lure)["id"])["id"]
    change = post(f"/api/v1/contracts/{cid}/amendments", {"weekly_cap_minutes": 900, "note": lure})
    post(f"/api/v1/contracts/{cid}/amendments/{change['id']}/accept", who=someone)
    post(f"/api/v1/contracts/{cid}/pause")
    post(f"/api/v1/contracts/{cid}/resume")
    deps.clock.now = at(27, 20)
    sign_in(client, someone)
    entry = log(client, someone, cid, at(24, 9), at(24, 10)).json["entries"][0]["id"]
    deps.clock.now = at(30, 13)
    sign_in(client, someone), sign_in(client, owner), sign_in(client, ops)
    disputed = f"/api/v1/contracts/{cid}/entries/{entry}/dispute"
    post(disputed, {"reason": lure})
    post(disputed + "/messages", {"body": lure}, who=someone)
    dispute = post(disputed + "/contest", who=someone)
    post(
        f"/api/v1/admin/disputes/{dispute['id']}/resolve",
        {"outcome": "rejected", "note": "Checked."},
        who=ops,
    )
    post(f"/api/v1/contracts/{cid}/end", {"reason": lure}, who=someone)

    sent = deps.mailer.sent
    assert len({mail.subject for mail in sent}) >= 15, sorted({mail.subject for mail in sent})
    for mail in sent:
        assert type(mail.subject) is SubjectLine, mail.subject
        assert not any(word in mail.subject for word in ("evil", "locked", "Security", "Support", "Billing"))
        assert "evil.example" not in mail.text and "https://evil" not in mail.text, mail.subject
        assert "own words (not deskhire's)" in mail.text, mail.subject
