"""Demo-like data for the browser walks (accessibility, phones): a business in New York with a
teammate invited, an API key, two openings (one hired, one with a live application, a message and
an interview), a running contract whose last week is in review with a dispute, time this week, a
change waiting for an answer, unread messages both ways, a knowledge base and an inquiry, an hour
spike on the metrics dashboard, an invoice paid out with refunds after payout in each state; an
agent in Lisbon with a complete profile; an agent whose payout to their bank failed; an agent
waiting for vetting; an operator. Seeded through the JSON API, relative to the portal's fixed clock
(PORTAL_NOW, Wednesday 25 Nov 2026 15:10 UTC): the contract started on Monday of the week before,
so that week is locked and in review. What only the jobs or Stripe write (the peer review, the
spike, the paid-out invoice and its refunds, the bank's failure) is written as they write it.

Every GET page route of the portal gets its path filled from here (`page_paths`); a route added
later without a way to fill it fails the walks until it is given one, as the isolation probe
does for every route."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

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

# What the walks must find on a page (by its label: the route, or the label of `Demo.also`), so
# that a state the demo stops reaching fails the walk instead of leaving its markup unchecked.
SHOWN = {
    "/signup": ["input[list] + datalist option"],
    "/agent/board": ["select#language option"],
    "/app": ["#needs a[href$='/messages']", "nav a[href='/app/contracts'] .count"],
    "/app/contracts": ["a.unread .count"],
    "/app/contracts/{contract_id}": ["a[href$='/messages'] .count"],
    "/agent": ["#needs a[href$='/messages']", "nav a[href='/agent/contracts'] .count"],
    "/agent/contracts": ["a.unread .count"],
    "/agent/contracts/{contract_id}": ["a[href$='/messages'] .count"],
    "/app/metrics": ["#spike"],
    "/app/billing": [".refunds .after-payout strong.error", ".refunds .after-payout strong"],
    "/admin/payouts": ["#bank-payouts-failed article", "#refunds-after-payout li strong.error"],
    "Bea: /agent": [
        "#needs a[href='/agent/payouts#bank-payout-failed']",
        "nav a[href='/agent/earnings'] .count",
    ],
    "Bea: /agent/payouts": ["#bank-payout-failed", "form[action='/agent/payouts'] button"],
    "Bea: /agent/earnings": ["#bank-payout-failed a[href='/agent/payouts#bank-payout-failed']"],
}

# GET pages that mark something read (a contract's thread: its unread count goes back to 0), walked
# after every other page so that the pages before them show it unread (the menu's count, the
# contracts list's, the contract page's and the home page's).
READ_LAST = {"/app/contracts/{contract_id}/messages", "/agent/contracts/{contract_id}/messages"}


@dataclass
class Demo:
    owner: dict
    someone: dict
    ops: dict
    ids: dict = field(default_factory=dict)
    skipped: dict = field(default_factory=dict)  # a route whose data could not be seeded: why
    # states only another person's pages show, walked as them too: (email, [(label, path)])
    also: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)

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
    _seed_unread(deps, demo)
    _seed_spike(deps, demo)
    _seed_refunds_after_payout(deps, demo)
    _seed_bank_failure(client, deps, ops, demo)
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


def _seed_unread(deps, demo: Demo) -> None:
    """A message each way on the contract, unread by the other side: the badges of the contracts
    list, the contract page and the menu, and the home pages' 'Unread messages'."""
    from chalicelib.domain.identity import Principal, PrincipalKind, Role
    from chalicelib.domain.tenancy import TenantId
    from chalicelib.services import contract_messages

    owner, someone, cid = demo.owner, demo.someone, demo.ids["contract_id"]
    business_side = Principal(
        PrincipalKind.MEMBER, owner["member_id"], "Olivia Owner", TenantId(owner["tenant_id"]), Role.OWNER
    )
    agent_side = Principal(PrincipalKind.AGENT, someone["id"], "Ana Agent", email=someone["email"])
    contract_messages.post(business_side, cid, "Can you cover Friday afternoon too?", deps=deps)
    contract_messages.post(agent_side, cid, "Yes, from 14:00.", deps=deps)


def _seed_spike(deps, demo: Demo) -> None:
    """An hour spike of contacts, as the metrics-rollup job records it: the dashboard's banner."""
    from fractions import Fraction

    from chalicelib.domain import metrics as figures
    from chalicelib.domain.tenancy import TenantId
    from chalicelib.store import metric_spikes

    hour = at(25, 13)
    metric_spikes.add_spike(
        TenantId(demo.owner["tenant_id"]),
        metric_spikes.hour_key(hour),
        figures.Spike(value=Fraction(14), baseline=Fraction(3), threshold=Fraction(6)),
        measure="contacts",
        contacts=14,
        orders=0,
        drivers=["shipping"],
        at=hour + timedelta(hours=1, minutes=5),
    )


def _seed_refunds_after_payout(deps, demo: Demo) -> None:
    """The invoice of 2026-W45 (3 h at 25.00 USD and the 5% client fee), paid out on Wed 18 Nov,
    and four refunds after payout as the clawback service and Stripe's answers leave them:
    refunded, pending at Stripe, refused by Stripe, and decided with Stripe's part still to do
    (the billing page's Refunded cell; the operators' payouts page of the business)."""
    from chalicelib.domain.tenancy import TenantId
    from chalicelib.domain.time import BillingWeek
    from chalicelib.ids import new_id
    from chalicelib.store.billing import ClawbackRecord, InvoiceRecord, clawback_key, invoice_key

    tenant, cid, agent_id = TenantId(demo.owner["tenant_id"]), demo.ids["contract_id"], demo.someone["id"]
    invoice_id = new_id()
    refunds = [  # minutes, gross, client fee, agent fee, and what Stripe made of it
        (
            60,
            2500,
            125,
            200,
            {"stripe_refund_id": "re_demo_1", "refund_status": "succeeded", "refunded_at": at(19, 14)},
        ),
        (
            30,
            1250,
            62,
            100,
            {"stripe_refund_id": "re_demo_2", "refund_status": "pending", "refunded_at": at(23, 14)},
        ),
        (
            30,
            1250,
            62,
            100,
            {
                "refund_failure": "Charge ch_demo has already been refunded.",
                "refund_failure_code": "charge_already_refunded",
                "refund_failed_at": at(24, 14),
            },
        ),
        (15, 625, 31, 50, {}),
    ]
    InvoiceRecord(
        *invoice_key(tenant, BillingWeek.parse("2026-W45")),
        invoice_id=invoice_id,
        week="2026-W45",
        business_name="Corner Shop",
        status="paid",
        currency="usd",
        lines=[
            {
                "line_id": "hours-1",
                "kind": "hours",
                "description": "Support agent: 3 h",
                "amount": 7500,
                "contract_id": cid,
                "agent_id": agent_id,
                "minutes": 180,
                "rate_minor": 2500,
            },
            {"line_id": "fee", "kind": "client_fee", "description": "Client fee (5%)", "amount": 375},
        ],
        subtotal=7500,
        client_fee=375,
        total=7875,
        number="DEMO-0001",
        stripe_charge_id="ch_demo",
        amount_paid=7875,
        created_at=at(14, 12),
        finalized_at=at(14, 12),
        paid_at=at(14, 12),
        settled_at=at(18, 14),
        transferred={agent_id: 6900},
        fee_kept=375,
        agent_fees=600,
        clawbacks=len(refunds),
        clawed_back={cid: {"minutes": 135, "gross": 5625, "agent_id": agent_id}},
    ).save()
    for seq, (minutes, gross, client_fee, agent_fee, stripe) in enumerate(refunds, start=1):
        ClawbackRecord(
            *clawback_key(tenant, invoice_id, seq),
            clawback_id=f"{invoice_id}-clawback-{seq}",
            invoice_id=invoice_id,
            tenant_id=tenant.value,
            week="2026-W45",
            contract_id=cid,
            agent_id=agent_id,
            minutes=minutes,
            gross=gross,
            agent_fee=agent_fee,
            client_fee=client_fee,
            refund=gross + client_fee,
            reversal=gross - agent_fee,
            currency="usd",
            reason="logged while the queue was closed",
            operator_id="demo-operator",
            status="done" if stripe.get("refund_status") == "succeeded" else "pending",
            created_at=at(19 + seq, 9),
            **stripe,
        ).save()


def _seed_bank_failure(client, deps, ops, demo: Demo) -> None:
    """Bea, approved and paid through Stripe, whose bank sent her last payout back (as
    services/bank_payouts.py keeps `payout.failed`): her payouts, earnings and home pages say it,
    and the operators' payouts page lists it."""
    from chalicelib.domain.tenancy import AgentId
    from chalicelib.store.billing import PayoutAccount, list_bank_failure, payout_key

    bea = approved(client, ops, name="Bea Bank")
    account = PayoutAccount(
        *payout_key(AgentId(bea["id"])),
        account_id="acct_demo_bea",
        country="US",
        currency="usd",
        status="enabled",
        payouts_enabled=1,
        transfers_active=1,
        service_agreement="full",
        updated_at=at(24, 9),
        bank_failure={
            "payout_id": "po_demo_bea",
            "amount": 6900,
            "currency": "usd",
            "code": "account_closed",
            "message": "The bank account has been closed.",
            "created": int(at(23, 9).timestamp()),
            "failed_at": at(24, 9).isoformat(),
        },
    )
    list_bank_failure(account, bea["id"])
    account.save()
    demo.also.append(
        (bea["email"], [(f"Bea: {path}", path) for path in ("/agent", "/agent/payouts", "/agent/earnings")])
    )
