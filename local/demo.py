"""Demo data for `make run`, loaded once, on the first start (when the table is new).

Logins printed by `make run`:
- a business owner of Northwind Coffee, with an admin teammate, an API key and a published
  opening that has explained matches and an application with a message;
- Lia under contract with Northwind since last week: a work diary with clocked and manual time,
  last week locked and in review (one entry disputed), this week open; Raj invited and offered
  a contract he has not answered yet;
- Stripe (the local emulator): Northwind's card on file, Lia's payouts enabled, last week's
  invoice paid (it pays Lia out on the Wednesday after next);
- approved agents with profiles (Lia has applied), and one waiting for vetting (Ana);
- support: Northwind's reasons (a refund needs tier 2), Lia clocked in now, four inquiries from
  the help centre, mail and the API: routed to her (one answered), the refund waiting for tier 2;
- a platform operator;
- Northwind's knowledge base: categories and published articles (English and Portuguese) on its
  help centre at /help/northwind, and one draft."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.domain.identity import Principal

DEMO_PASSWORD = "demo-harbor-lantern-42"
LOGINS = [
    ("business owner", "owner@northwind.example"),
    ("business admin", "admin@northwind.example"),
    ("agent (approved)", "lia@agents.example"),
    ("agent (pending)", "ana@agents.example"),
    ("operator", "ops@deskhire.example"),
]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
# name, email, time zone, daily hours, languages, skills, lowest rate (cents)
DEMO_AGENTS = [
    (
        "Lia Lisboa",
        "lia@agents.example",
        "Europe/Lisbon",
        ("14:00", "22:00"),
        [("en", "c2"), ("pt", "native")],
        ["zendesk", "email", "chat"],
        2000,
    ),
    (
        "Raj Pune",
        "raj@agents.example",
        "Asia/Kolkata",
        ("18:00", "23:59"),
        [("en", "c1"), ("hi", "native")],
        ["zendesk", "email"],
        1500,
    ),
    (
        "Mary Denver",
        "mary@agents.example",
        "America/Denver",
        ("07:00", "15:00"),
        [("en", "native")],
        ["intercom", "chat", "phone"],
        2600,
    ),
    (
        "Ana Agent",
        "ana@agents.example",
        "Europe/Lisbon",
        ("09:00", "13:00"),
        [("en", "b2"), ("es", "c1")],
        ["email"],
        1800,
    ),
]


def _acting(record: object) -> Principal:
    """The principal of an account the demo has just made: active, so it may act."""
    from chalicelib.store import principals

    principal = principals.principal_of(record)
    if principal is None:
        raise RuntimeError(f"the demo's new account {record!r} may not act")
    return principal


def load() -> list[tuple[str, str]]:
    from datetime import timedelta

    from chalicelib import composition
    from chalicelib.domain.identity import Role
    from chalicelib.domain.money import Money
    from chalicelib.services import accounts, api_keys, applications, openings, profiles, team, vetting

    composition.install()
    deps = composition.deps()
    _, owner = accounts.sign_up_business(
        accounts.BusinessSignup(
            company_name="Northwind Coffee",
            slug="northwind",
            owner_name="Nora Northwind",
            email="owner@northwind.example",
            password=DEMO_PASSWORD,
            time_zone="America/New_York",
            currency="usd",
        ),
        deps=deps,
    )
    owner_principal = _acting(owner)
    invite = team.invite(owner_principal, email="admin@northwind.example", role=Role.ADMIN, deps=deps)
    team.accept_invite(invite.token, name="Adam Admin", password=DEMO_PASSWORD, deps=deps)
    api_keys.create(owner_principal, name="Shopify order sync", deps=deps)
    operator = accounts.create_operator(
        name="Olga Operator", email="ops@deskhire.example", password=DEMO_PASSWORD, deps=deps
    )
    ops = _acting(operator)

    agents = {}
    for name, email, zone, hours, languages, skills, rate in DEMO_AGENTS:
        record = accounts.sign_up_agent(
            accounts.AgentSignup(name=name, email=email, password=DEMO_PASSWORD, time_zone=zone), deps=deps
        )
        me = _acting(record)
        profiles.update_profile(
            me,
            profiles.ProfileUpdate(
                headline=f"{', '.join(skills)} support",
                bio="",
                skills=skills,
                products=["Shopify"],
                languages=languages,
                availability=[(day, hours[0], hours[1]) for day in WEEKDAYS],
                min_rate=Money(rate, "usd"),
            ),
            deps=deps,
        )
        agents[email] = me
    for email, me in agents.items():
        if email != "ana@agents.example":  # Ana waits in the vetting queue
            vetting.approve(ops, me.id, tier=2 if email.startswith("raj") else 1, deps=deps)

    starts = deps.now().date() + timedelta(days=14)
    opening = openings.post(
        owner_principal,
        openings.OpeningDraft(
            title="Weekday email and chat support",
            description="Order questions, returns and subscriptions for our online coffee shop.",
            skills=["zendesk", "email", "chat"],
            products=["Shopify"],
            languages=[("en", "c1")],
            coverage=[(day, "09:00", "17:00") for day in WEEKDAYS],
            hours_per_week=12.5,
            block_hours=None,
            seats=2,
            rate_min=Money(1800, "usd"),
            rate_max=Money(2800, "usd"),
            tier=1,
            start_date=starts,
        ),
        deps=deps,
    )
    openings.act(owner_principal, opening.opening_id, "publish", deps=deps)
    lia = agents["lia@agents.example"]
    application = applications.apply(
        lia,
        opening.opening_id,
        applications.Proposal(
            cover_note="Three years of Shopify support in English and Portuguese.",
            proposed_rate=Money(2200, "usd"),
            earliest_start=starts,
        ),
        deps=deps,
    )
    applications.send(lia, application.application_id, "Happy to do a trial week if that helps.", deps=deps)
    _contracts(owner_principal, agents, opening, application, deps=deps)
    _billing(owner_principal, agents["lia@agents.example"], deps=deps)
    _knowledge(owner_principal, deps=deps)
    _support(owner_principal, agents["lia@agents.example"], deps=deps)
    return LOGINS


def _support(owner, lia, *, deps) -> None:
    """Northwind's support (issue 15): its reasons, Lia on shift now, a few inquiries from the help
    centre, the API and mail; one answered by Lia, one waiting for tier 2 (a refund)."""
    import contextlib

    from chalicelib.domain import contracts as terms
    from chalicelib.domain import inquiries as rules
    from chalicelib.domain.errors import DomainError
    from chalicelib.services.contracts import records
    from chalicelib.services.diary import clock
    from chalicelib.services.support import conversations, inquiries, settings

    tenant = owner.require_tenant()
    settings.update(
        owner,
        rules.SupportSettings.of(
            sla=rules.SlaTargets.default().to_json(),
            reason_tags=[
                rules.ReasonTag("order-status"),
                rules.ReasonTag("subscription"),
                rules.ReasonTag("refund", 2),
            ],
            language_level=rules.SupportSettings.default().language_level,
            help_page=True,
        ),
        version=0,
        deps=deps,
    )
    running = [c for c in records.listed(lia) if records.status_of(c, deps.now()) is terms.Status.ACTIVE]
    if running and clock.current_clock(lia) is None:
        # her weekly cap may be used up today: the inquiries then wait in the queue
        with contextlib.suppress(DomainError):
            clock.clock_in(lia, running[0].contract_id, memo="Inbox", deps=deps)
    asked = [
        (
            "help_page",
            "jane@example.com",
            "Where is my order?",
            "I ordered beans on Monday and nothing yet.",
            "order-status",
            "normal",
        ),
        (
            "email",
            "joao@example.pt",
            "Encomenda atrasada",
            "Olá, a minha encomenda ainda não chegou. Podem ver?",
            None,
            "high",
        ),
        (
            "api",
            "sam@example.com",
            "Pause my subscription",
            "Please pause my monthly box for two months.",
            "subscription",
            "low",
        ),
        (
            "help_page",
            "kim@example.com",
            "Refund for a broken grinder",
            "It arrived broken; I want my money back.",
            "refund",
            "urgent",
        ),
    ]
    made = [
        inquiries.create(
            tenant,
            inquiries.NewInquiry(
                customer_email=email, subject=subject, body=body, reason=reason, priority=priority
            ),
            source=rules.Source(source),
            deps=deps,
        )
        for source, email, subject, body, reason, priority in asked
    ]
    if made[0].agent_id == lia.id:
        conversations.reply(
            lia,
            made[0].inquiry_id,
            "Hi Jane, it left our roastery today: you will have it by Thursday.",
            deps=deps,
        )


def _billing(owner, lia, *, deps) -> None:
    """Northwind's card, Lia's payouts and last week's invoice, through the Stripe emulator that
    `make run` started (the card page and the onboarding page done by their test controls)."""
    import json
    import urllib.request
    from datetime import timedelta

    from chalicelib.domain.time import BillingWeek
    from chalicelib.services import billing_accounts, payouts
    from chalicelib.services.invoicing import planning

    gateway = deps.payments
    setup = billing_accounts.start_card_setup(owner, deps=deps)
    gateway.client.v1.setup_intents.confirm(setup.setup_intent_id, params={"payment_method": "pm_card_visa"})
    billing_accounts.finish_card_setup(owner, setup.setup_intent_id, deps=deps)
    payouts.onboarding_link(lia, country="PT", deps=deps)
    account = payouts.account_of(lia_id(lia))
    request = urllib.request.Request(
        f"{deps.settings.stripe_api_base}/_emulator/accounts/{account.account_id}/complete_onboarding",
        data=json.dumps({"verified": True}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request, timeout=10).close()
    payouts.refresh(lia, deps=deps)
    last_week = BillingWeek.containing(deps.now() - timedelta(days=7))
    if deps.now() >= last_week.locks_at:
        planning.bill_week(owner.require_tenant(), last_week, deps=deps)


def lia_id(principal):
    from chalicelib.domain.tenancy import AgentId

    return AgentId(principal.id)


def _contracts(owner, agents, opening, application, *, deps) -> None:
    """Lia's contract since last Monday with a diary in both weeks; Raj's offer waiting.

    Services take the clock from `deps`, so the history is written with the clock set back to
    when each thing happened; nothing is written that the rules would refuse at that time."""
    from dataclasses import replace
    from datetime import timedelta

    from chalicelib.domain import contracts as terms
    from chalicelib.domain.money import Money
    from chalicelib.domain.time import BillingWeek
    from chalicelib.jobs import runner
    from chalicelib.services import applications, disputes
    from chalicelib.services.contracts import offers, records
    from chalicelib.services.diary import entries

    now = deps.now()
    last_week = BillingWeek.containing(now - timedelta(days=7))

    def at(moment):
        return replace(deps, clock=lambda: moment)

    monday = last_week.starts_at
    lia, raj = agents["lia@agents.example"], agents["raj@agents.example"]
    offer = offers.make_offer(
        owner,
        offers.OfferDraft(
            title="Weekday email and chat support",
            kind=terms.Kind.HOURLY,
            rate=Money(2200, "usd"),
            weekly_cap_minutes=750,
            block_minutes=None,
            start_date=(monday - timedelta(hours=12)).date(),  # Sunday in New York
            end_date=None,
            tier=1,
            coverage=[(day, "09:00", "12:00") for day in WEEKDAYS],
            note="Welcome aboard! Mornings in New York, afternoons for you.",
            application_id=application.application_id,
        ),
        deps=at(monday - timedelta(hours=6)),
    )
    offers.accept(lia, offer.contract_id, deps=at(monday + timedelta(hours=1)))
    # Lia's diary: weekday afternoons in Lisbon (mornings in New York), with ticket references
    for day in range(7 * 2):
        start = monday + timedelta(days=day, hours=14)
        end = start + timedelta(hours=2, minutes=30)
        if start.weekday() >= 5 or end > now:
            continue
        note = ("Order status and refunds", [f"ZD-{4100 + day * 3}", f"ZD-{4101 + day * 3}"])
        if day == 2:
            note = ("Subscription changes", [])
        entries.log_time(
            lia,
            offer.contract_id,
            entries.EntryDraft(start, end, note[0], tuple(note[1])),
            deps=at(end + timedelta(minutes=5)),
        )
    if now >= last_week.locks_at:
        runner.run("lock-week", deps=deps, week=last_week)
        logged = entries.week_entries(records.tenant_of(offer), offer.contract_id, last_week)
        disputed = next((e for e in logged if not e.tickets), None)
        if disputed is not None and now < last_week.review_closes_at:
            disputes.file(
                owner,
                offer.contract_id,
                disputed.entry_id,
                reason="We had no subscription tickets that afternoon; can you point to the work?",
                deps=deps,
            )
    # Raj: invited to the opening, then offered a contract straight away; he has not answered
    applications.invite(owner, opening.opening_id, raj.id, note="Your evenings are our mornings.", deps=deps)
    offers.make_offer(
        owner,
        offers.OfferDraft(
            title="Evening chat cover",
            kind=terms.Kind.BLOCK,
            rate=Money(1800, "usd"),
            weekly_cap_minutes=None,
            block_minutes=40 * 60,
            start_date=now.date() + timedelta(days=7),
            end_date=None,
            tier=1,
            coverage=[(day, "08:30", "10:30") for day in WEEKDAYS],
            opening_id=opening.opening_id,
            agent_id=raj.id,
        ),
        deps=deps,
    )


# title, category, language, markdown, published
DEMO_ARTICLES = [
    (
        "How do I get a refund?",
        "Orders and refunds",
        "en",
        "We refund any order within **30 days** of delivery, no questions asked.\n\n"
        "1. Open your order confirmation mail.\n2. Press *Return or refund*.\n"
        "3. Send the coffee back with the label we mail you.\n\n"
        "Refunds reach your card within 5 working days of the return arriving.",
        True,
    ),
    (
        "Shipping times and costs",
        "Orders and refunds",
        "en",
        "Orders placed before 14:00 (New York time) ship the same day.\n\n"
        "| where | takes | costs |\n|---|---|---|\n| United States | 2-3 days | free over 40 USD |\n"
        "| Canada | 4-6 days | 9 USD |\n| Europe | 5-8 days | 14 USD |",
        True,
    ),
    (
        "Pausing or cancelling your subscription",
        "Subscriptions",
        "en",
        "You can pause a subscription for up to three months, or cancel it, from "
        "[your account](https://northwind.example/account) at any time before the next roast date.",
        True,
    ),
    (
        "Changing your grind or roast",
        "Subscriptions",
        "en",
        "Each delivery can have its own grind: whole bean, espresso, filter or French press. "
        "Change it up to two days before the roast date.",
        True,
    ),
    (
        "Como peço um reembolso?",
        "Orders and refunds",
        "pt",
        "Reembolsamos qualquer encomenda até **30 dias** após a entrega. "
        "Os reembolsos chegam ao seu cartão em 5 dias úteis.",
        True,
    ),
    (
        "Holiday gift boxes (coming soon)",
        None,
        "en",
        "Draft: gift boxes for the holidays, with a card and a mug.",
        False,
    ),
]


def _knowledge(owner, *, deps) -> None:
    """Northwind's knowledge base: its help centre has something to find (try "refunds")."""
    from chalicelib.domain.knowledge import slug_from
    from chalicelib.services.knowledge import articles

    categories = {}
    for _, category, _, _, _ in DEMO_ARTICLES:
        if category and category not in categories:
            categories[category] = articles.create_category(owner, category, deps=deps).category
    for title, category, language, body, published in DEMO_ARTICLES:
        articles.create(
            owner,
            articles.ArticleDraft(
                title=title,
                body=body,
                language=language,
                slug=slug_from(title),
                category=categories.get(category) if category else None,
            ),
            publish=published,
            deps=deps,
        )
