"""Demo data for `make run`, loaded once, on the first start (when the table is new).

Logins printed by `make run`:
- a business owner of Northwind Coffee, with an admin teammate and an API key;
- an agent waiting for vetting;
- a platform operator."""

from __future__ import annotations

DEMO_PASSWORD = "demo-harbor-lantern-42"
LOGINS = [
    ("business owner", "owner@northwind.example"),
    ("business admin", "admin@northwind.example"),
    ("agent", "ana@agents.example"),
    ("operator", "ops@deskhire.example"),
]


def load() -> list[tuple[str, str]]:
    from chalicelib import composition
    from chalicelib.domain.identity import Role
    from chalicelib.services import accounts, api_keys, team
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
    accounts.sign_up_agent(
        accounts.AgentSignup(
            name="Ana Agent", email="ana@agents.example", password=DEMO_PASSWORD, time_zone="Europe/Lisbon"
        ),
        deps=deps,
    )
    accounts.create_operator(
        name="Olga Operator", email="ops@deskhire.example", password=DEMO_PASSWORD, deps=deps
    )
    return LOGINS
