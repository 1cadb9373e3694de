"""People before hiring, and a thread after (issue 14, item 7): a business reads an approved
agent's profile (languages and skills by name, availability on its own clock, hours worked on
deskhire, tier, reputation) from matches, applications and offers; an agent who is not approved,
or who does not exist, is 404. After hiring, each contract has a message thread for its two
parties only, escaped, bounded, rate-limited, and mailed to the other side without their words in
the subject."""

import dataclasses

import pytest

from chalicelib import composition
from chalicelib.domain.limits import HOUR, Limits, Rate
from tests.integration.contract_helpers import apply, approved, at, hire, log, published_opening, sign_in
from tests.integration.helpers import agent, business, call, operator
from tests.integration.portal_helpers import signed_in

pytestmark = pytest.mark.integration


def test_a_business_reads_an_approved_agent_before_hiring(client, deps):
    hired = hire(client, deps)  # Monday 23 Nov 2026; the agent works weekdays 14:00-22:00 Lisbon
    someone, owner, cid = hired["agent"], hired["owner"], hired["contract"]["id"]
    # an hour logged on Tuesday and approved once the week locks: 1 h worked on deskhire
    deps.clock.now = at(24, 12)
    sign_in(client, someone)
    assert log(client, someone, cid, at(24, 9), at(24, 10)).status_code == 201
    deps.clock.now = at(30, 13)
    sign_in(client, owner)
    approve = call(
        client, "POST", f"/api/v1/contracts/{cid}/timesheets/2026-W48/approve", token=owner["token"]
    )
    assert approve.status_code == 200, approve.json

    shop = signed_in(client, owner["email"])
    page = shop.get(f"/app/agents/{someone['id']}")
    assert page.status_code == 200
    text = page.text
    assert "English (C2 proficient)" in text and "Portuguese (Native)" in text  # names, not en / c2
    assert "Zendesk, Email, Chat" in text
    # Lisbon 14:00-22:00 is 09:00-17:00 in New York (the business's zone), named
    assert "Available (your time, America/New_York)" in text and "Mon 09:00–17:00" in text
    assert "14:00" not in text.split("Available", 1)[1].split("</dd>", 1)[0]
    assert "Hours worked on deskhire</dt>\n  <dd>1 h" in text
    assert "Tier 2" in text and "Reputation" in text
    # linked from the application, the offer form, the opening's applicants and the contract
    assert (
        f'href="/app/agents/{someone["id"]}"'
        in shop.get(f"/app/applications/{hired['application']['id']}").text
    )
    assert f'href="/app/agents/{someone["id"]}"' in shop.get(f"/app/openings/{hired['opening']['id']}").text
    assert f'href="/app/agents/{someone["id"]}"' in shop.get(f"/app/contracts/{cid}").text


def test_matches_and_the_offer_form_link_the_profile(client, deps):
    ops = operator(client, deps)
    someone = approved(client, ops)
    owner = business(client)
    opening = published_opening(client, owner)
    application = apply(client, someone, opening)
    shop = signed_in(client, owner["email"])
    assert f'href="/app/agents/{someone["id"]}"' in shop.get(f"/app/openings/{opening['id']}").text
    form = shop.get(f"/app/offers/new?application={application['id']}")
    assert f'href="/app/agents/{someone["id"]}"' in form.text


def test_an_agent_not_approved_or_unknown_is_not_found(client, deps):
    ops = operator(client, deps)
    pending = agent(client)  # signed up, never vetted
    shop = signed_in(client, business(client)["email"])
    assert shop.get(f"/app/agents/{pending['id']}").status_code == 404
    assert shop.get("/app/agents/01NOSUCHAGENT000000000000").status_code == 404
    assert shop.get(f"/app/agents/{approved(client, ops)['id']}").status_code == 200


def test_a_contract_thread_for_its_two_parties(client, deps):
    hired = hire(client, deps)
    someone, owner, cid = hired["agent"], hired["owner"], hired["contract"]["id"]
    shop = signed_in(client, owner["email"])
    worker = signed_in(client, someone["email"])
    assert f"/app/contracts/{cid}/messages" in shop.get(f"/app/contracts/{cid}").text
    assert f"/agent/contracts/{cid}/messages" in worker.get(f"/agent/contracts/{cid}").text

    deps.mailer.sent.clear()
    sent = shop.post(f"/app/contracts/{cid}/messages", {"body": "<script>alert(1)</script> Welcome aboard!"})
    assert sent.status_code == 303
    page = shop.follow(sent)
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt; Welcome aboard!" in page.text
        and "<script>alert" not in page.text
    )
    (mail,) = [m for m in deps.mailer.sent if m.to == someone["email"]]
    assert mail.subject == "New message about a contract"  # deskhire's words only
    assert "Welcome aboard!" in mail.text and f"/agent/contracts/{cid}/messages" in mail.text

    deps.mailer.sent.clear()
    answer = worker.post(f"/agent/contracts/{cid}/messages", {"body": "Thanks, starting Monday."})
    assert answer.status_code == 303
    (mail,) = [m for m in deps.mailer.sent if m.to == owner["email"]]
    assert mail.subject == "New message about a contract" and f"/app/contracts/{cid}/messages" in mail.text
    both = shop.get(f"/app/contracts/{cid}/messages").text
    assert both.index("Welcome aboard!") < both.index("Thanks, starting Monday.")

    # empty and too long: said beside the field, what was typed kept
    empty = worker.post(f"/agent/contracts/{cid}/messages", {"body": "   "})
    assert empty.status_code == 400 and "Write a message" in empty.text
    long = worker.post(f"/agent/contracts/{cid}/messages", {"body": "x" * 4001})
    assert long.status_code == 400 and "at most 4,000 characters" in long.text


def test_another_business_and_another_agent_never_reach_a_thread(client, deps):
    hired = hire(client, deps)
    cid = hired["contract"]["id"]
    signed_in(client, hired["owner"]["email"]).post(f"/app/contracts/{cid}/messages", {"body": "Private"})
    stranger = signed_in(client, business(client)["email"])
    assert stranger.get(f"/app/contracts/{cid}/messages").status_code == 404
    assert stranger.post(f"/app/contracts/{cid}/messages", {"body": "Hello"}).status_code == 404
    other = signed_in(client, approved(client, hired["ops"])["email"])
    assert other.get(f"/agent/contracts/{cid}/messages").status_code == 404
    assert other.post(f"/agent/contracts/{cid}/messages", {"body": "Hello"}).status_code == 404
    assert (
        "Private" in signed_in(client, hired["agent"]["email"]).get(f"/agent/contracts/{cid}/messages").text
    )


def test_an_ended_contract_keeps_its_messages_but_takes_no_new_one(client, deps):
    hired = hire(client, deps)
    cid, owner = hired["contract"]["id"], hired["owner"]
    shop = signed_in(client, owner["email"])
    assert shop.post(f"/app/contracts/{cid}/messages", {"body": "Before the end"}).status_code == 303
    ended = call(
        client, "POST", f"/api/v1/contracts/{cid}/end", {"reason": "Season over"}, token=owner["token"]
    )
    assert ended.status_code == 200, ended.json
    refused = shop.post(f"/app/contracts/{cid}/messages", {"body": "After the end"})
    assert refused.status_code == 409 and "takes no new one" in refused.text
    page = shop.get(f"/app/contracts/{cid}/messages")
    assert "Before the end" in page.text and "After the end" not in page.text


def test_messages_are_limited_per_author(client, deps):
    hired = hire(client, deps)
    cid = hired["contract"]["id"]
    composition.override_deps(
        dataclasses.replace(
            deps, limits=dataclasses.replace(Limits.relaxed(), contract_messages_per_author=Rate(2, HOUR))
        )
    )
    shop = signed_in(client, hired["owner"]["email"])
    for n in range(2):
        assert shop.post(f"/app/contracts/{cid}/messages", {"body": f"Note {n}"}).status_code == 303
    refused = shop.post(f"/app/contracts/{cid}/messages", {"body": "One too many"})
    assert refused.status_code == 429 and refused.headers.get("Retry-After")
    # the other side has a bucket of its own
    worker = signed_in(client, hired["agent"]["email"])
    assert worker.post(f"/agent/contracts/{cid}/messages", {"body": "Fine"}).status_code == 303


def test_unread_messages_are_counted_per_side_until_the_thread_is_read(client, deps):
    """A contract thread's unread messages (issue 14, item 7): counted on the contract for the side
    that has not read them, shown on the contracts list and the contract's link to its thread,
    beside Contracts in the menu and on the home page's action list; opening the thread reads them."""
    from tests.integration.test_portal_needs import nav_count, needs

    hired = hire(client, deps)
    someone, owner, cid = hired["agent"], hired["owner"], hired["contract"]["id"]
    shop = signed_in(client, owner["email"])
    worker = signed_in(client, someone["email"])
    for body in ("Welcome aboard!", "Here is the macro list."):
        assert shop.post(f"/app/contracts/{cid}/messages", {"body": body}).status_code == 303

    badge = '<span class="count">2<span class="sr-only"> unread'
    listed = worker.get("/agent/contracts")
    assert f'<a href="/agent/contracts/{cid}/messages" class="unread">Messages {badge}' in listed.text
    page = worker.get(f"/agent/contracts/{cid}")
    assert f'<a href="/agent/contracts/{cid}/messages">Messages with Acme Widgets {badge}' in page.text
    assert nav_count(page, "/agent/contracts") == 1  # one contract with something to read
    assert needs(worker.get("/agent"))["Unread messages"] == (1, [f"/agent/contracts/{cid}/messages"])
    assert "2 unread messages from Acme Widgets about" in worker.get("/agent").text
    # the writer's side has nothing unread
    assert 'class="unread"' not in shop.get("/app/contracts").text
    assert nav_count(shop.get("/app"), "/app/contracts") == 0

    # reading the thread reads them: the badge, the count and the line are gone
    assert "Here is the macro list." in worker.get(f"/agent/contracts/{cid}/messages").text
    assert 'class="unread"' not in worker.get("/agent/contracts").text
    home = worker.get("/agent")
    assert "Unread messages" not in needs(home) and nav_count(home, "/agent/contracts") == 0

    # the agent answers: the business's side counts it, for its whole team, until one of it reads
    assert worker.post(f"/agent/contracts/{cid}/messages", {"body": "Thanks!"}).status_code == 303
    listed = shop.get("/app/contracts")
    assert f'<a href="/app/contracts/{cid}/messages" class="unread">Messages <span class="count">1' in (
        listed.text
    )
    assert nav_count(listed, "/app/contracts") == 1
    assert needs(shop.get("/app"))["Unread messages"] == (1, [f"/app/contracts/{cid}/messages"])
    assert "1 unread message from Ada Agent about" in shop.get("/app").text
    shop.get(f"/app/contracts/{cid}/messages")
    assert nav_count(shop.get("/app/contracts"), "/app/contracts") == 0
    # the contract was not made stale for either side: its lifecycle still works from a fresh read
    paused = call(
        client, "POST", f"/api/v1/contracts/{cid}/pause", {"reason": "Holiday"}, token=owner["token"]
    )
    assert paused.status_code == 200, paused.json
