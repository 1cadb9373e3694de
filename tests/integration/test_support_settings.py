"""A business's support settings (issue 15, slice 1): the API and the portal page, the defaults,
refusals beside their field, optimistic locking, the roles that may change them, the audit entry,
and the inbound-mail secret that is shown once."""

from __future__ import annotations

import pytest

from tests.integration.helpers import STRONG, business, call, unique
from tests.integration.portal_helpers import signed_in

pytestmark = pytest.mark.integration

SETTINGS = {
    "sla": {"urgent": 30, "high": 120, "normal": 480, "low": 1440},
    "reason_tags": [{"tag": "order-status", "tier": 1}, {"tag": "refund", "tier": 2}],
    "language_level": "c1",
    "help_page": True,
    "version": 0,
}


def _manager(client, owner):
    email = unique("manager-") + "@example.com"
    call(client, "POST", "/api/v1/team/invites", {"email": email, "role": "manager"}, token=owner["token"])
    return email


def test_defaults_then_saved_settings_with_their_version_and_audit(client, deps):
    owner = business(client)
    shown = call(client, "GET", "/api/v1/support/settings", token=owner["token"])
    assert shown.status_code == 200
    assert shown.json == {
        "sla": {"urgent": 60, "high": 240, "normal": 480, "low": 1440},
        "reason_tags": [],
        "language_level": "b2",
        "help_page": True,
        "version": 0,
        "inbound_mail_prefix": None,
    }
    saved = call(client, "PUT", "/api/v1/support/settings", SETTINGS, token=owner["token"])
    assert saved.status_code == 200, saved.json
    assert saved.json["reason_tags"] == SETTINGS["reason_tags"]
    assert saved.json["language_level"] == "c1"
    assert saved.json["version"] == 1
    # a second save from the same stale read is refused: nobody's change is lost
    stale = call(client, "PUT", "/api/v1/support/settings", SETTINGS, token=owner["token"])
    assert stale.status_code == 409
    again = call(client, "PUT", "/api/v1/support/settings", {**SETTINGS, "version": 1}, token=owner["token"])
    assert again.status_code == 200 and again.json["version"] == 2
    log = call(client, "GET", "/api/v1/audit-log", token=owner["token"]).json
    assert any(e["action"] == "support.settings_changed" for e in log["entries"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"sla": {"urgent": 600, "high": 120, "normal": 480, "low": 1440}}, "sla.urgent"),
        ({"sla": {"urgent": 2, "high": 120, "normal": 480, "low": 1440}}, "sla.urgent"),
        ({"reason_tags": [{"tag": "Order Status", "tier": 1}]}, "reason_tags.0.tag"),
        ({"reason_tags": [{"tag": "refund", "tier": 1}, {"tag": "refund", "tier": 2}]}, "reason_tags.1.tag"),
        ({"reason_tags": [{"tag": "refund", "tier": 3}]}, "reason_tags.0.tier"),
        ({"language_level": "b3"}, "language_level"),
        ({"tenant_id": "someone-else"}, "tenant_id"),
    ],
)
def test_bad_settings_are_refused_naming_the_field(client, deps, change, field):
    owner = business(client)
    refused = call(client, "PUT", "/api/v1/support/settings", {**SETTINGS, **change}, token=owner["token"])
    assert refused.status_code == 400, refused.json
    assert refused.json["error"]["field"] == field


def test_only_owners_and_admins_change_them_and_api_keys_cannot_read_them(client, deps):
    owner = business(client)
    email = _manager(client, owner)
    token = deps.mailer.last_to(email).text.split("/invites/")[1].split()[0]
    manager = call(
        client, "POST", f"/api/v1/invites/{token}/accept", {"name": "Max", "password": STRONG}
    ).json
    assert call(client, "GET", "/api/v1/support/settings", token=manager["token"]).status_code == 200
    assert (
        call(client, "PUT", "/api/v1/support/settings", SETTINGS, token=manager["token"]).status_code == 403
    )
    key = call(client, "POST", "/api/v1/api-keys", {"name": "shop"}, token=owner["token"]).json["secret"]
    assert call(client, "GET", "/api/v1/support/settings", token=key).status_code == 403


def test_the_inbound_mail_secret_is_shown_once_and_a_new_one_retires_the_old(client, deps):
    from chalicelib.services.support import settings

    owner = business(client)
    first = call(client, "POST", "/api/v1/support/inbound-mail-secret", token=owner["token"])
    assert first.status_code == 201
    secret = first.json["secret"]
    assert first.json["path"] == f"/api/v1/inbound-mail/{secret}"
    assert settings.tenant_of_inbound_secret(secret).value == owner["tenant_id"]
    shown = call(client, "GET", "/api/v1/support/settings", token=owner["token"]).json
    assert secret.startswith(shown["inbound_mail_prefix"]) and secret not in str(shown)
    second = call(client, "POST", "/api/v1/support/inbound-mail-secret", token=owner["token"]).json["secret"]
    assert settings.tenant_of_inbound_secret(secret) is None
    assert settings.tenant_of_inbound_secret(second).value == owner["tenant_id"]
    assert settings.tenant_of_inbound_secret("dhm_made-up") is None


def test_the_settings_page_saves_in_hours_and_shows_a_refusal_beside_its_field(client, deps):
    owner = business(client)
    browser = signed_in(client, owner["email"])
    page = browser.get("/app/support/settings")
    assert page.status_code == 200
    assert 'name="sla_urgent"' in page.text and 'value="1"' in page.text
    form = {
        "version": "0",
        "sla_urgent": "0.5",
        "sla_high": "2",
        "sla_normal": "8",
        "sla_low": "24",
        "tag_0": "order-status",
        "tier_0": "1",
        "tag_1": "",
        "tag_2": "refund",
        "tier_2": "2",
        "language_level": "c1",
        "help_page": "on",
    }
    saved = browser.post("/app/support/settings", form)
    assert saved.status_code == 303, saved.text[:2000]
    shown = browser.follow(saved)
    assert "Support settings saved." in shown.text
    api = call(client, "GET", "/api/v1/support/settings", token=owner["token"]).json
    assert api["sla"] == {"urgent": 30, "high": 120, "normal": 480, "low": 1440}
    assert api["reason_tags"] == [{"tag": "order-status", "tier": 1}, {"tag": "refund", "tier": 2}]
    assert api["version"] == 1
    # a typo is refused beside the row it was typed in, with what was typed kept
    refused = browser.post("/app/support/settings", {**form, "version": "1", "tag_2": "Refund Please"})
    assert refused.status_code == 400
    assert 'href="#tag_2"' in refused.text and 'value="Refund Please"' in refused.text
    slow = browser.post("/app/support/settings", {**form, "version": "1", "sla_urgent": "30"})
    assert slow.status_code == 400 and 'href="#sla_urgent"' in slow.text


def test_the_new_inbound_address_is_confirmed_first_then_shown_once(client, deps):
    owner = business(client)
    browser = signed_in(client, owner["email"])
    browser.get("/app/support/settings")
    asked = browser.post("/app/support/settings/inbound-mail")
    assert asked.status_code == 200 and "Make a new address" in asked.text
    made = browser.post("/app/support/settings/inbound-mail", {"confirm": "yes"})
    assert made.status_code == 201
    assert "/api/v1/inbound-mail/dhm_" in made.text
    again = browser.get("/app/support/settings")
    assert "/api/v1/inbound-mail/dhm_" not in again.text
