"""The other two ways in (issue 15, slice 2): the help centre's contact form and the inbound-mail
webhook. Each files the inquiry under the business of its address (the page's slug, the webhook's
secret), never one the input names (PROMISES R2); each is rate-limited per business and per
address (T5); a customer's words reach no header and no page unescaped (R4)."""

from __future__ import annotations

import base64
import json

import pytest

from tests.integration.helpers import business, call
from tests.integration.portal_helpers import PortalSession
from tests.integration.support_helpers import ask, inbound_secret, post_mail

pytestmark = pytest.mark.integration

MAIL = {
    "from": "Jane Doe <jane@example.com>",
    "to": ["support@northwind.example"],
    "subject": "Broken grinder",
    "text": "My grinder arrived broken. What can I do?",
    "message_id": "<a1@example.com>",
}


def _visitor(client, slug: str) -> PortalSession:
    browser = PortalSession(client)
    page = browser.get(f"/help/{slug}/contact")
    assert page.status_code == 200, page.text[:500]
    return browser


def test_the_contact_form_files_an_inquiry_for_the_business_at_its_address(client, deps):
    owner = business(client, company_name="Northwind Coffee")
    browser = _visitor(client, owner["slug"])
    sent = browser.post(
        f"/help/{owner['slug']}/contact?lang=en",
        {
            "customer_name": "Jane",
            "customer_email": "jane@example.com",
            "subject": "Grinder <b>broken</b>",
            "body": "It arrived broken. <img src=x onerror=alert(1)>",
            "tenant_id": "someone-else",
        },
    )
    assert sent.status_code == 303, sent.text[:1000]
    page = browser.follow(sent)
    assert "your request #1 is with Northwind Coffee" in page.text
    listed = call(client, "GET", "/api/v1/inquiries", token=owner["token"]).json["inquiries"]
    assert [i["number"] for i in listed] == [1]
    made = call(client, "GET", f"/api/v1/inquiries/{listed[0]['id']}", token=owner["token"]).json
    assert made["source"] == "help_page" and made["customer_name"] == "Jane"
    # the business's own page shows the customer's words escaped (R4)
    from tests.integration.portal_helpers import signed_in

    portal = signed_in(client, owner["email"])
    shown = portal.get(f"/app/inquiries/{made['id']}")
    assert shown.status_code == 200
    assert "<img src=x" not in shown.text and "&lt;img src=x onerror=alert(1)&gt;" in shown.text


def test_the_contact_form_refuses_bad_input_beside_its_field_and_keeps_what_was_typed(client, deps):
    owner = business(client)
    browser = _visitor(client, owner["slug"])
    refused = browser.post(
        f"/help/{owner['slug']}/contact",
        {"customer_email": "jane@example.com\r\nBcc: x@example.com", "subject": "Hi", "body": "Help"},
    )
    assert refused.status_code == 400
    assert 'href="#customer_email"' in refused.text and 'value="Hi"' in refused.text
    large = browser.post(
        f"/help/{owner['slug']}/contact",
        {"customer_email": "jane@example.com", "subject": "Hi", "body": "x" * 20_001},
    )
    assert large.status_code == 413 and 'href="#body"' in large.text
    assert call(client, "GET", "/api/v1/inquiries", token=owner["token"]).json["inquiries"] == []


def test_a_business_that_turned_its_help_centre_off_has_no_contact_form(client, deps):
    owner = business(client)
    settings = call(client, "GET", "/api/v1/support/settings", token=owner["token"]).json
    body = {"sla": settings["sla"], "help_page": False, "version": 0}
    assert call(client, "PUT", "/api/v1/support/settings", body, token=owner["token"]).status_code == 200
    assert PortalSession(client).get(f"/help/{owner['slug']}/contact").status_code == 404
    assert PortalSession(client).get("/help/no-such-business/contact").status_code == 404


def test_the_contact_form_is_limited_per_customer_address(client, deps):
    from dataclasses import replace

    from chalicelib import composition
    from chalicelib.domain.limits import HOUR, Limits, Rate

    owner = business(client)
    composition.override_deps(
        replace(deps, limits=replace(Limits.relaxed(), contact_per_email=Rate(2, HOUR)))
    )
    browser = _visitor(client, owner["slug"])
    form = {"customer_email": "noisy@example.com", "subject": "Hi", "body": "Again and again"}
    statuses = [browser.post(f"/help/{owner['slug']}/contact", form).status_code for _ in range(3)]
    assert statuses == [303, 303, 429]
    other = browser.post(f"/help/{owner['slug']}/contact", {**form, "customer_email": "calm@example.com"})
    assert other.status_code == 303


def test_inbound_mail_starts_an_inquiry_for_the_secrets_business_once(client, deps):
    owner = business(client)
    secret = inbound_secret(client, owner)
    first = post_mail(client, secret, MAIL)
    assert first.status_code == 202 and first.json["status"] == "created" and first.json["number"] == 1
    again = post_mail(client, secret, MAIL)  # the provider retries: the same answer, no second inquiry
    assert again.json == {**first.json, "status": "duplicate"}
    made = call(client, "GET", f"/api/v1/inquiries/{first.json['inquiry_id']}", token=owner["token"]).json
    assert made["source"] == "email" and made["customer_email"] == "jane@example.com"
    assert made["customer_name"] == "Jane Doe" and made["subject"] == "Broken grinder"
    assert post_mail(client, "dhm_not-a-secret", MAIL).status_code == 404


def test_inbound_mail_refuses_what_is_not_one_plain_sender_and_oversized_text(client, deps):
    owner = business(client)
    secret = inbound_secret(client, owner)
    bad = post_mail(
        client, secret, {**MAIL, "from": "x@example.com\nBcc: all@example.com", "message_id": None}
    )
    assert bad.status_code == 400 and bad.json["error"]["field"] == "from"
    large = post_mail(client, secret, {**MAIL, "text": "x" * 20_001, "message_id": None})
    assert large.status_code == 413
    unknown = post_mail(client, secret, {**MAIL, "tenant": "other"})
    assert unknown.status_code == 400 and unknown.json["error"]["field"] == "tenant"
    assert post_mail(client, secret, b"not json").status_code == 400


def test_a_reply_address_of_another_business_does_not_thread_into_its_inquiry(client, deps):
    from tests.integration.support_helpers import hire_team

    team = hire_team(client, deps)
    a_inquiry = ask(client, team["key"])
    call(
        client,
        "POST",
        f"/api/v1/inquiries/{a_inquiry['id']}/replies",
        {"body": "Hello from A"},
        token=team["owner"]["token"],
    )
    reply_to = deps.mailer.last_to("jane@example.com").reply_to
    b = business(client)
    b_secret = inbound_secret(client, b)
    posted = post_mail(client, b_secret, {**MAIL, "to": [reply_to], "message_id": "<x1@example.com>"})
    assert posted.json["status"] == "created"  # a new inquiry of B's, nothing added to A's
    a_thread = call(client, "GET", f"/api/v1/inquiries/{a_inquiry['id']}", token=team["owner"]["token"]).json
    assert len(a_thread["messages"]) == 2
    # a forged signature does not thread either, even at A's own webhook
    a_secret = inbound_secret(client, team["owner"])
    forged = reply_to.split("-")[0] + "-aaaaaaaaaaaaa@" + reply_to.split("@")[1]
    posted = post_mail(client, a_secret, {**MAIL, "to": [forged], "message_id": "<x2@example.com>"})
    assert posted.json["status"] == "created"
    # and someone other than the customer, with the real address, starts their own
    posted = post_mail(
        client,
        a_secret,
        {**MAIL, "from": "mallory@example.com", "to": [reply_to], "message_id": "<x3@example.com>"},
    )
    assert posted.json["status"] == "created"


def test_inbound_mail_as_ses_posts_it_through_sns(client, deps):
    owner = business(client)
    secret = inbound_secret(client, owner)
    raw = (
        "From: =?utf-8?q?Jo=C3=A3o?= <joao@example.pt>\r\nTo: support@northwind.example\r\n"
        "Subject: Encomenda\r\nMessage-ID: <ses1@example.pt>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Olá, a minha encomenda ainda não chegou. Podem ajudar?\r\n"
    )
    notification = {
        "notificationType": "Received",
        "mail": {
            "messageId": "ses-id-1",
            "commonHeaders": {
                "from": ["João <joao@example.pt>"],
                "to": ["support@northwind.example"],
                "subject": "Encomenda",
            },
        },
        "receipt": {"action": {"type": "SNS", "encoding": "BASE64"}},
        "content": base64.b64encode(raw.encode()).decode(),
    }
    envelope = {"Type": "Notification", "MessageId": "sns-1", "Message": json.dumps(notification)}
    posted = post_mail(client, secret, envelope, content_type="text/plain; charset=UTF-8")
    assert posted.status_code == 202, posted.json
    made = call(client, "GET", f"/api/v1/inquiries/{posted.json['inquiry_id']}", token=owner["token"]).json
    assert made["customer_email"] == "joao@example.pt" and made["language"] == "pt"
    assert made["messages"][0]["body"].startswith("Olá, a minha encomenda")
    confirm = post_mail(
        client, secret, {"Type": "SubscriptionConfirmation", "SubscribeURL": "https://sns.example"}
    )
    assert confirm.status_code == 202 and confirm.json["status"] == "ignored"


def test_inbound_mail_is_limited_per_sender(client, deps):
    from dataclasses import replace

    from chalicelib import composition
    from chalicelib.domain.limits import HOUR, Limits, Rate

    owner = business(client)
    secret = inbound_secret(client, owner)
    composition.override_deps(
        replace(deps, limits=replace(Limits.relaxed(), inbound_per_sender=Rate(2, HOUR)))
    )
    statuses = [
        post_mail(client, secret, {**MAIL, "message_id": f"<n{i}@example.com>"}).status_code for i in range(3)
    ]
    assert statuses == [202, 202, 429]
    other = post_mail(client, secret, {**MAIL, "from": "calm@example.com", "message_id": "<c@example.com>"})
    assert other.status_code == 202
