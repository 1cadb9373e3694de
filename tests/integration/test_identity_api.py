"""Identity through the JSON API on DynamoDB Local: signup, sessions, throttling, password resets."""

import pytest

from tests.integration.helpers import STRONG, agent, business, call, unique

pytestmark = pytest.mark.integration


def test_business_signup_creates_tenant_and_signed_in_owner(client, deps):
    owner = business(client)
    me = call(client, "GET", "/api/v1/me", token=owner["token"])
    assert me.status_code == 200
    assert me.json["kind"] == "member" and me.json["role"] == "owner"
    assert me.json["tenant_id"] == owner["tenant_id"]


def test_duplicate_slug_and_email_are_409_naming_the_field(client, deps):
    first = business(client)
    again_slug = call(
        client,
        "POST",
        "/api/v1/signup/business",
        {
            "company_name": "Other",
            "slug": first["slug"],
            "owner_name": "O",
            "email": unique("x") + "@example.com",
            "password": STRONG,
            "time_zone": "UTC",
        },
    )
    assert again_slug.status_code == 409 and again_slug.json["error"]["field"] == "slug"
    again_email = call(
        client,
        "POST",
        "/api/v1/signup/business",
        {
            "company_name": "Other",
            "slug": unique("other-"),
            "owner_name": "O",
            "email": first["email"].upper(),
            "password": STRONG,
            "time_zone": "UTC",
        },
    )
    assert again_email.status_code == 409 and again_email.json["error"]["field"] == "email"
    # nothing half-written: the second slug is still free
    assert (
        call(
            client,
            "POST",
            "/api/v1/signup/business",
            {
                "company_name": "Other",
                "slug": unique("free-"),
                "owner_name": "O",
                "email": unique("y") + "@example.com",
                "password": STRONG,
                "time_zone": "UTC",
            },
        ).status_code
        == 201
    )


@pytest.mark.parametrize(
    ("password", "rule_words"),
    [("short", "12 characters"), ("qwerty123456", "common"), ("aaaaaaaaaaaaaaaa", "guess")],
)
def test_weak_password_is_400_saying_which_rule(client, deps, password, rule_words):
    response = call(
        client,
        "POST",
        "/api/v1/signup/agent",
        {
            "name": "A",
            "email": unique("weak") + "@example.com",
            "password": password,
            "time_zone": "UTC",
        },
    )
    assert response.status_code == 400
    assert response.json["error"]["code"] == "weak_password"
    assert response.json["error"]["field"] == "password"
    assert rule_words in response.json["error"]["message"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"slug": "Bad Slug!"}, "slug"),
        ({"slug": "admin"}, "slug"),
        ({"email": "not-an-email"}, "email"),
        ({"currency": "xyz"}, "currency"),
    ],
)
def test_bad_signup_fields_are_named(client, deps, overrides, field):
    body = {
        "company_name": "C",
        "slug": unique("c-"),
        "owner_name": "O",
        "email": unique("e") + "@example.com",
        "password": STRONG,
        "time_zone": "UTC",
        **overrides,
    }
    response = call(client, "POST", "/api/v1/signup/business", body)
    assert response.status_code == 400 and response.json["error"]["field"] == field


def test_tenant_id_in_a_body_is_refused(client, deps):
    body = {
        "company_name": "C",
        "slug": unique("c-"),
        "owner_name": "O",
        "email": unique("e") + "@example.com",
        "password": STRONG,
        "time_zone": "UTC",
        "tenant_id": "someone-else",
    }
    response = call(client, "POST", "/api/v1/signup/business", body)
    assert response.status_code == 400 and response.json["error"]["code"] == "unknown_field"


def test_agent_signs_up_pending(client, deps):
    someone = agent(client)
    me = call(client, "GET", "/api/v1/me", token=someone["token"])
    assert me.json["kind"] == "agent" and me.json["status"] == "pending"


def test_login_logout_and_same_answer_for_unknown_email(client, deps):
    owner = business(client)
    ok = call(client, "POST", "/api/v1/sessions", {"email": owner["email"], "password": STRONG})
    assert ok.status_code == 201
    token = ok.json["token"]
    assert token != owner["token"]  # a new session every login
    wrong = call(client, "POST", "/api/v1/sessions", {"email": owner["email"], "password": "not-it-at-all-1"})
    unknown = call(
        client, "POST", "/api/v1/sessions", {"email": unique("nobody") + "@example.com", "password": "x"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json == unknown.json
    assert call(client, "DELETE", "/api/v1/sessions/current", token=token).status_code == 204
    assert call(client, "GET", "/api/v1/me", token=token).status_code == 401
    assert (
        call(client, "GET", "/api/v1/me", token=owner["token"]).status_code == 200
    )  # other sessions live on


def test_login_is_throttled_per_account_even_for_unknown_emails(client, deps):
    for email in (business(client)["email"], unique("ghost") + "@example.com"):
        for _ in range(5):
            assert (
                call(
                    client, "POST", "/api/v1/sessions", {"email": email, "password": "wrong-guess-123"}
                ).status_code
                == 401
            )
        locked = call(client, "POST", "/api/v1/sessions", {"email": email, "password": STRONG})
        assert locked.status_code == 429
        assert int(locked.headers["Retry-After"]) > 0
    deps.clock.advance(minutes=16)
    assert (
        call(client, "POST", "/api/v1/sessions", {"email": email, "password": "wrong-guess-123"}).status_code
        == 401
    )


def test_password_reset_by_mail_is_single_use_and_ends_sessions(client, deps):
    owner = business(client)
    accepted = call(client, "POST", "/api/v1/password-resets", {"email": owner["email"]})
    unknown = call(client, "POST", "/api/v1/password-resets", {"email": unique("nobody") + "@example.com"})
    assert accepted.status_code == unknown.status_code == 202 and accepted.json == unknown.json
    mail = deps.mailer.last_to(owner["email"])
    token = mail.text.split("/password-reset/")[1].split()[0]
    assert mail.text.startswith("Hello") and deps.settings.public_url in mail.text

    weak = call(client, "POST", f"/api/v1/password-resets/{token}", {"password": "short"})
    assert weak.status_code == 400
    new_password = "copper-kettle-47-meadow"
    assert (
        call(client, "POST", f"/api/v1/password-resets/{token}", {"password": new_password}).status_code
        == 204
    )
    reused = call(client, "POST", f"/api/v1/password-resets/{token}", {"password": "another-fine-9-password"})
    assert reused.status_code == 404 and reused.json["error"]["code"] == "reset_invalid"
    assert call(client, "GET", "/api/v1/me", token=owner["token"]).status_code == 401  # sessions ended
    assert (
        call(client, "POST", "/api/v1/sessions", {"email": owner["email"], "password": STRONG}).status_code
        == 401
    )
    assert (
        call(
            client, "POST", "/api/v1/sessions", {"email": owner["email"], "password": new_password}
        ).status_code
        == 201
    )


def test_expired_reset_token_changes_nothing(client, deps):
    owner = business(client)
    call(client, "POST", "/api/v1/password-resets", {"email": owner["email"]})
    token = deps.mailer.last_to(owner["email"]).text.split("/password-reset/")[1].split()[0]
    deps.clock.advance(minutes=61)
    assert (
        call(
            client, "POST", f"/api/v1/password-resets/{token}", {"password": "copper-kettle-47-meadow"}
        ).status_code
        == 404
    )
    assert (
        call(client, "POST", "/api/v1/sessions", {"email": owner["email"], "password": STRONG}).status_code
        == 201
    )


def test_no_token_is_401(client, deps):
    assert call(client, "GET", "/api/v1/me").status_code == 401
    assert call(client, "GET", "/api/v1/me", token="dhs_forged").status_code == 401
