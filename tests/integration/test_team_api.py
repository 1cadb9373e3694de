"""Teams, API keys and the audit log through the JSON API."""

import pytest

from tests.integration.helpers import STRONG, business, call, unique

pytestmark = pytest.mark.integration


def invite_and_accept(client, deps, owner, role):
    email = unique("mate-") + "@example.com"
    created = call(
        client, "POST", "/api/v1/team/invites", {"email": email, "role": role}, token=owner["token"]
    )
    assert created.status_code == 201, created.json
    token = deps.mailer.last_to(email).text.split("/invites/")[1].split()[0]
    accepted = call(client, "POST", f"/api/v1/invites/{token}/accept", {"name": "Mate", "password": STRONG})
    assert accepted.status_code == 201, accepted.json
    return {
        "token": accepted.json["token"],
        "id": accepted.json["principal"]["id"],
        "email": email,
        "invite_token": token,
    }


def test_invite_accept_and_list(client, deps):
    owner = business(client)
    mate = invite_and_accept(client, deps, owner, "manager")
    members = call(client, "GET", "/api/v1/team/members", token=mate["token"])
    assert {m["role"] for m in members.json["members"]} == {"owner", "manager"}
    # the invitation is single-use
    again = call(
        client, "POST", f"/api/v1/invites/{mate['invite_token']}/accept", {"name": "X", "password": STRONG}
    )
    assert again.status_code == 404


def test_managers_cannot_manage_the_team(client, deps):
    owner = business(client)
    manager = invite_and_accept(client, deps, owner, "manager")
    response = call(
        client,
        "POST",
        "/api/v1/team/invites",
        {"email": unique("z") + "@example.com", "role": "manager"},
        token=manager["token"],
    )
    assert response.status_code == 403
    assert call(client, "GET", "/api/v1/audit-log", token=manager["token"]).status_code == 403


def test_admin_cannot_make_or_touch_owners(client, deps):
    owner = business(client)
    admin = invite_and_accept(client, deps, owner, "admin")
    response = call(
        client,
        "POST",
        "/api/v1/team/invites",
        {"email": unique("z") + "@example.com", "role": "owner"},
        token=admin["token"],
    )
    assert response.status_code == 403 and response.json["error"]["field"] == "role"
    response = call(client, "DELETE", f"/api/v1/team/members/{owner['member_id']}", token=admin["token"])
    assert response.status_code == 403


def test_last_owner_cannot_leave_or_be_demoted(client, deps):
    owner = business(client)
    demote = call(
        client, "PATCH", f"/api/v1/team/members/{owner['member_id']}", {"role": "admin"}, token=owner["token"]
    )
    assert demote.status_code == 409 and demote.json["error"]["code"] == "last_owner"
    remove = call(client, "DELETE", f"/api/v1/team/members/{owner['member_id']}", token=owner["token"])
    assert remove.status_code == 409
    # with a second owner, the first may step down
    second = invite_and_accept(client, deps, owner, "owner")
    demote = call(
        client,
        "PATCH",
        f"/api/v1/team/members/{owner['member_id']}",
        {"role": "admin"},
        token=second["token"],
    )
    assert demote.status_code == 200 and demote.json["role"] == "admin"
    # and now the second is the last owner
    assert (
        call(client, "DELETE", f"/api/v1/team/members/{second['id']}", token=second["token"]).status_code
        == 409
    )


def test_role_change_ends_the_members_sessions(client, deps):
    owner = business(client)
    mate = invite_and_accept(client, deps, owner, "manager")
    assert (
        call(
            client, "PATCH", f"/api/v1/team/members/{mate['id']}", {"role": "admin"}, token=owner["token"]
        ).status_code
        == 200
    )
    assert call(client, "GET", "/api/v1/me", token=mate["token"]).status_code == 401
    relogin = call(client, "POST", "/api/v1/sessions", {"email": mate["email"], "password": STRONG})
    assert relogin.json["principal"]["role"] == "admin"


def test_removed_member_loses_access_and_email_is_free_again(client, deps):
    owner = business(client)
    mate = invite_and_accept(client, deps, owner, "manager")
    assert (
        call(client, "DELETE", f"/api/v1/team/members/{mate['id']}", token=owner["token"]).status_code == 204
    )
    assert call(client, "GET", "/api/v1/me", token=mate["token"]).status_code == 401
    again = call(
        client,
        "POST",
        "/api/v1/team/invites",
        {"email": mate["email"], "role": "manager"},
        token=owner["token"],
    )
    assert again.status_code == 201


def test_inviting_an_existing_account_is_409(client, deps):
    owner = business(client)
    other = business(client)
    response = call(
        client,
        "POST",
        "/api/v1/team/invites",
        {"email": other["email"], "role": "admin"},
        token=owner["token"],
    )
    assert response.status_code == 409 and response.json["error"]["field"] == "email"


def test_api_key_lifecycle(client, deps):
    owner = business(client)
    created = call(client, "POST", "/api/v1/api-keys", {"name": "Helpdesk sync"}, token=owner["token"])
    assert created.status_code == 201
    secret = created.json["secret"]
    assert secret.startswith(created.json["prefix"])
    listed = call(client, "GET", "/api/v1/api-keys", token=owner["token"]).json["api_keys"]
    assert [k["prefix"] for k in listed] == [created.json["prefix"]] and "secret" not in listed[0]

    whoami = call(client, "GET", "/api/v1/integrations/whoami", token=secret)
    assert whoami.status_code == 200 and whoami.json == {
        "tenant_id": owner["tenant_id"],
        "authenticated_as": "api_key",
    }
    # an API key opens only integration routes
    assert call(client, "GET", "/api/v1/team/members", token=secret).status_code == 403
    assert call(client, "POST", "/api/v1/api-keys", {"name": "escalate"}, token=secret).status_code == 403

    assert (
        call(client, "DELETE", f"/api/v1/api-keys/{created.json['id']}", token=owner["token"]).status_code
        == 204
    )
    assert call(client, "GET", "/api/v1/integrations/whoami", token=secret).status_code == 401
    assert (
        call(client, "DELETE", f"/api/v1/api-keys/{created.json['id']}", token=owner["token"]).status_code
        == 404
    )
    assert (
        call(client, "GET", "/api/v1/api-keys", token=owner["token"]).json["api_keys"][0]["status"]
        == "revoked"
    )


def test_audit_log_records_changes_newest_first_and_paginates(client, deps):
    owner = business(client)
    call(client, "POST", "/api/v1/api-keys", {"name": "k1"}, token=owner["token"])
    deps.clock.advance(seconds=1)
    call(client, "POST", "/api/v1/api-keys", {"name": "k2"}, token=owner["token"])
    first = call(client, "GET", "/api/v1/audit-log?limit=2", token=owner["token"])
    assert first.status_code == 200
    actions = [e["action"] for e in first.json["entries"]]
    assert actions == ["api_key.created", "api_key.created"]
    assert first.json["entries"][0]["summary"]["after"]["name"] == "k2"
    rest = call(
        client, "GET", f"/api/v1/audit-log?limit=50&cursor={first.json['next_cursor']}", token=owner["token"]
    )
    assert "business.signed_up" in [e["action"] for e in rest.json["entries"]]
    tampered = call(client, "GET", "/api/v1/audit-log?cursor=abc.def", token=owner["token"])
    assert tampered.status_code == 400 and tampered.json["error"]["field"] == "cursor"
