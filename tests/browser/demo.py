"""Demo-like data for the browser walks (accessibility, phones): a business in New York with a
teammate invited, an API key, two openings (one hired, one with a live application, a message and
an interview), a running contract whose last week is in review with a dispute, time this week, a
change waiting for an answer, a knowledge base and an inquiry; an agent in Lisbon with a complete
profile; an agent waiting for vetting; an operator. Seeded through the JSON API, relative to the
portal's fixed clock (PORTAL_NOW, Wednesday 25 Nov 2026 15:10 UTC): the contract started on Monday
of the week before, so that week is locked and in review.

Every GET page route of the portal gets its path filled from here (`page_paths`); a route added
later without a way to fill it fails the walks until it is given one, as the isolation probe
does for every route."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tests.integration.contract_helpers import apply, approved, at, hire, log, published_opening, sign_in
from tests.integration.helpers import STRONG, agent, business, call, unique

# GET page routes that are no page to look at, each with why.
NOT_PAGES = {
    "/app/billing/card": "sends the browser to Stripe's card page (the emulator's, locally)",
    "/app/billing/card/return": "reads the outcome from Stripe and shows the billing page, walked itself",
    "/agent/payouts/return": "reads the account from Stripe and shows the payouts page, walked itself",
    "/agent/payouts/refresh": "sends the browser to Stripe's onboarding",
}

# Placeholders that mean something else on one route.
RENAMED = {
    "/password-reset/{token}": {"token": "reset_token"},
    "/agent/openings/{opening_id}": {"opening_id": "open_opening_id"},  # the hired one is filled
    "/help/{slug}/rate/{token}": {"token": "rating_token"},  # a link of a CSAT mail, not yet used
    "/help/{slug}/nps/{token}": {"token": "survey_token"},  # a link of a survey's mail
}

# Extra query strings some pages need.
QUERIES = {
    "/app/offers/new": "application={open_application_id}",
    "/admin/payouts": "tenant={tenant_id}",
    "/admin/businesses": "q=corner",
    "/app/timesheets": "week={week}",
    "/agent/diary": "week={this_week}",
}


@dataclass
class Demo:
    owner: dict
    someone: dict
    ops: dict
    ids: dict = field(default_factory=dict)
    skipped: dict = field(default_factory=dict)  # a route whose data could not be seeded: why

    def path(self, route_path: str) -> str | None:
        """The route's path with its ids filled in (and its query), or None when it cannot be."""
        values = {**self.ids}
        for placeholder, name in RENAMED.get(route_path, {}).items():
            values[placeholder] = self.ids.get(name, "")
        try:
            path = re.sub(r"{(\w+)}", lambda m: values[m.group(1)], route_path)
            query = QUERIES.get(route_path)
            return path + ("?" + re.sub(r"{(\w+)}", lambda m: values[m.group(1)], query) if query else "")
        except KeyError:
            return None


def seed(client, deps, *, operator_email: str) -> Demo:
    from chalicelib.services.accounts import create_operator

    deps.clock.now = at(16, 8)  # Monday of 2026-W47
    create_operator(name="Olga Ops", email=operator_email, password=STRONG, deps=deps)
    ops_token = call(client, "POST", "/api/v1/sessions", {"email": operator_email, "password": STRONG}).json
    ops = {"email": operator_email, "token": ops_token["token"]}
    owner = business(client, company_name="Corner Shop", owner_name="Olivia Owner")
    someone = approved(client, ops, name="Ana Agent")
    hired = hire(
        client, deps, ops=ops, someone=someone, owner=owner, now=None, start_date="2026-11-16", note="Welcome"
    )
    cid = hired["contract"]["id"]
    demo = Demo(owner=owner, someone=someone, ops=ops)
    ids = demo.ids
    ids.update(
        tenant_id=owner["tenant_id"],
        slug=owner["slug"],
        contract_id=cid,
        week="2026-W47",
        this_week="2026-W48",
        opening_id=hired["opening"]["id"],
        agent_id=someone["id"],  # the business's agent: their profile, their scorecard
    )

    # last week's time, in review now; one entry disputed
    deps.clock.now = at(20, 20)
    sign_in(client, someone)
    first = log(client, someone, cid, at(17, 14), at(17, 16), memo="Email queue", tickets=["ZD-1"]).json
    log(client, someone, cid, at(18, 14), at(18, 15), memo="Chat")
    ids["entry_id"] = first["entries"][0]["id"]
    deps.clock.now = at(24, 16)
    for person in (someone, owner, ops):
        sign_in(client, person)
    dispute = call(
        client,
        "POST",
        f"/api/v1/contracts/{cid}/entries/{ids['entry_id']}/dispute",
        {"reason": "The queue was empty that afternoon"},
        token=owner["token"],
    )
    assert dispute.status_code == 201, dispute.json
    ids["dispute_id"] = dispute.json["id"]
    assert log(client, someone, cid, at(24, 14), at(24, 15), memo="Returns").status_code == 201
    call(
        client,
        "POST",
        f"/api/v1/contracts/{cid}/amendments",
        {"weekly_cap_minutes": 900},
        token=owner["token"],
    )

    # a second opening with a live application, a message and an interview
    weekend = published_opening(client, owner, title="Weekend chat")
    application = apply(client, someone, weekend)
    ids["application_id"] = ids["open_application_id"] = application["id"]
    ids["open_opening_id"] = weekend["id"]
    call(
        client,
        "POST",
        f"/api/v1/applications/{application['id']}/messages",
        {"body": "Hello Ana"},
        token=owner["token"],
    )
    interview = call(
        client,
        "POST",
        f"/api/v1/applications/{application['id']}/interviews",
        {"slots": ["2026-12-01T15:00:00Z", "2026-12-02T15:00:00Z"], "duration_minutes": 30},
        token=owner["token"],
    )
    ids["interview_id"] = interview.json.get("id", "") if interview.status_code == 201 else ""

    # the team: an invitation waiting, an API key; someone waiting for vetting
    invited = unique("mate-") + "@example.com"
    call(client, "POST", "/api/v1/team/invites", {"email": invited, "role": "manager"}, token=owner["token"])
    ids["token"] = deps.mailer.last_to(invited).text.split("/invites/")[1].split()[0]
    key = call(client, "POST", "/api/v1/api-keys", {"name": "Helpdesk sync"}, token=owner["token"]).json
    reset_for = agent(client, name="Rita Reset")
    deps.clock.now = at(25, 15)  # a reset link lasts an hour: asked just before the portal's now
    call(client, "POST", "/api/v1/password-resets", {"email": reset_for["email"]})
    ids["reset_token"] = deps.mailer.last_to(reset_for["email"]).text.split("/password-reset/")[1].split()[0]
    agent(client, name="Pat Pending")

    # the knowledge base, its help centre, and an inquiry (support operations, issue 15)
    _seed_support(client, owner, key, demo)
    _seed_answers(client, deps, owner, key, demo)
    return demo


def _seed_support(client, owner, key, demo: Demo) -> None:
    ids = demo.ids
    category = call(client, "POST", "/api/v1/kb/categories", {"name": "Orders"}, token=owner["token"])
    article = call(
        client,
        "POST",
        "/api/v1/kb/articles",
        {
            "title": "Where is my order?",
            "body": "Orders ship in **two days**. Track yours from the mail we sent.",
            "language": "en",
            "category": category.json.get("slug") if category.status_code == 201 else None,
            "status": "published",
        },
        token=owner["token"],
    )
    if category.status_code == 201 and article.status_code == 201:
        ids.update(
            category=category.json["slug"], article_id=article.json["id"], article_slug=article.json["slug"]
        )
    else:
        demo.skipped["knowledge"] = (
            f"the knowledge base's API answered {category.status_code}/{article.status_code}"
        )
    inquiry = call(
        client,
        "POST",
        "/api/v1/inquiries",
        {
            "customer_email": "casey@example.com",
            "subject": "My order is late",
            "body": "It has been a week.",
            "language": "en",
        },
        token=key["secret"],
    )
    if inquiry.status_code == 201:
        ids["inquiry_id"] = inquiry.json["id"]
    else:
        demo.skipped["inquiry"] = f"the inquiries API answered {inquiry.status_code}"
    # a Zendesk ticket through the helpdesk integration, replied from an address nobody uses:
    # the integrations page lists the event and the address that needs attention (slice 10)
    for event in ("created", "replied"):
        sent = call(
            client,
            "POST",
            "/api/v1/integrations/helpdesk/events",
            {
                "product": "zendesk",
                "event": event,
                "ticket_id": "5158",
                "subject": "Grinder arrived broken",
                "requester_email": "robin@example.com",
                "agent_email": "temp@agency.example" if event == "replied" else "",
            },
            token=key["secret"],
        )
        if sent.status_code != 202:
            demo.skipped["helpdesk"] = f"the helpdesk events API answered {sent.status_code}"


def _seed_answers(client, deps, owner, key, demo: Demo) -> None:
    """What customers answer and agents review (issue 15, slices 7-9): an inquiry the business's
    team resolved (its CSAT mail's link), an NPS survey (its link), and a peer review waiting for
    Ana of a colleague's reply (written as the weekly job writes it: the demo has one agent)."""
    from chalicelib.domain.tenancy import AgentId, TenantId
    from chalicelib.ids import new_id
    from chalicelib.store.reputation import PeerReviewRecord, review_key, reviews_to_do_index

    ids = demo.ids
    made = call(
        client,
        "POST",
        "/api/v1/inquiries",
        {
            "customer_email": "robin@example.com",
            "subject": "Gift wrap?",
            "body": "Can you?",
            "language": "en",
        },
        token=key["secret"],
    )
    if made.status_code != 201:
        demo.skipped["rating"] = f"the inquiries API answered {made.status_code}"
        return
    path = f"/api/v1/inquiries/{made.json['id']}"
    call(client, "POST", f"{path}/replies", {"body": "Yes, at checkout."}, token=owner["token"])
    call(client, "POST", f"{path}/resolve", {}, token=owner["token"])
    if found := re.search(r"/help/[^/\s]+/rate/(\S+)", deps.mailer.last_to("robin@example.com").text):
        ids["rating_token"] = found.group(1)
    survey = call(
        client,
        "POST",
        "/api/v1/nps/surveys",
        {"name": "Autumn", "recipients": ["casey@example.com"]},
        token=key["secret"],
    )
    if survey.status_code == 201:
        ids["survey_id"] = survey.json["id"]
        if found := re.search(r"/help/[^/\s]+/nps/(\S+)", deps.mailer.last_to("casey@example.com").text):
            ids["survey_token"] = found.group(1)
    colleague = agent(client, name="Ben Colleague")
    review_id, tenant, week = new_id(), TenantId(owner["tenant_id"]), "2026-W47"
    PeerReviewRecord(
        *review_key(tenant, week, review_id),
        review_id=review_id,
        tenant_id=tenant.value,
        business_name="Corner Shop",
        week=week,
        agent_id=colleague["id"],
        agent_name="Ben Colleague",
        reviewer_id=demo.someone["id"],
        reviewer_name="Ana Agent",
        inquiry_id=made.json["id"],
        number=int(made.json["number"]),
        message_sk=None,
        replied_at=deps.now(),
        excerpt="Yes, at checkout.",
        assigned_at=deps.now(),
        status="to_do",
        gsi1pk=reviews_to_do_index(AgentId(demo.someone["id"])),
        gsi1sk=review_id,
    ).save()
    ids["review_id"] = review_id
