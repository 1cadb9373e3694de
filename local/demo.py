"""Demo data for `make run`, loaded once, on the first start (when the table is new).

Logins printed by `make run`:
- a business owner of Northwind Coffee, with an admin teammate, an API key and a published
  opening that has explained matches and an application with a message;
- approved agents with profiles (Lia has applied), and one waiting for vetting (Ana);
- a platform operator."""

from __future__ import annotations

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


def load() -> list[tuple[str, str]]:
    from datetime import timedelta

    from chalicelib import composition
    from chalicelib.domain.identity import Role
    from chalicelib.domain.money import Money
    from chalicelib.services import accounts, api_keys, applications, openings, profiles, team, vetting
    from chalicelib.store import principals

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
    owner_principal = principals.principal_of(owner)
    invite = team.invite(owner_principal, email="admin@northwind.example", role=Role.ADMIN, deps=deps)
    team.accept_invite(invite.token, name="Adam Admin", password=DEMO_PASSWORD, deps=deps)
    api_keys.create(owner_principal, name="Shopify order sync", deps=deps)
    operator = accounts.create_operator(
        name="Olga Operator", email="ops@deskhire.example", password=DEMO_PASSWORD, deps=deps
    )
    ops = principals.principal_of(operator)

    agents = {}
    for name, email, zone, hours, languages, skills, rate in DEMO_AGENTS:
        record = accounts.sign_up_agent(
            accounts.AgentSignup(name=name, email=email, password=DEMO_PASSWORD, time_zone=zone), deps=deps
        )
        me = principals.principal_of(record)
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
            seats=1,
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
    return LOGINS
