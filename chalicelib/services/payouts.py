"""An agent's payouts: a Stripe Express connected account, onboarded through Account Links.

The account's state is read from Stripe, never assumed: visiting the return URL proves nothing
(the agent may have left half-way), so the return page and the `account.updated` webhook both
re-fetch the account and read its capabilities and requirements. An agent may accept offers
before payouts are enabled; their transfers wait and go out on a later payout run.

An agent in a country outside the platform's region (settings: `platform_country`) is onboarded
on the recipient service agreement, as Stripe requires for cross-border payouts
(domain/payouts.py); one inside it on the full agreement."""

from __future__ import annotations

from chalicelib.composition import Deps
from chalicelib.domain import payouts as payout_rules
from chalicelib.domain.countries import COUNTRY_NAMES
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.tenancy import AgentId
from chalicelib.ids import new_id
from chalicelib.store import keys, platform_metrics
from chalicelib.store.billing import PayoutAccount, payout_key
from chalicelib.store.identity import AgentRecord
from chalicelib.store.transactions import transaction

# Every country an agent may live in (ISO 3166-1, domain/countries.py); which of them this platform
# can pay is domain/payouts.py's one list (`can_pay_out`, Stripe's cross-border payout countries).
COUNTRIES = COUNTRY_NAMES
# A first guess from the agent's time zone (they can change it on the form).
ZONE_COUNTRY = {
    "Europe/Lisbon": "PT",
    "Europe/Madrid": "ES",
    "Europe/Paris": "FR",
    "Europe/Berlin": "DE",
    "Europe/Amsterdam": "NL",
    "Europe/Dublin": "IE",
    "Europe/London": "GB",
    "America/New_York": "US",
    "America/Chicago": "US",
    "America/Denver": "US",
    "America/Los_Angeles": "US",
    "America/Toronto": "CA",
    "Australia/Sydney": "AU",
    "Asia/Tokyo": "JP",
}


def _agent(actor: Principal) -> AgentRecord:
    if actor.kind is not PrincipalKind.AGENT:
        raise Forbidden("only agents are paid out")
    from chalicelib.services.profiles import my_profile

    return my_profile(actor)


def account_of(agent: AgentId) -> PayoutAccount:
    return PayoutAccount.find(*payout_key(agent), consistent=True) or PayoutAccount(*payout_key(agent))


def suggested_country(time_zone: str, country: str | None = None) -> str:
    """The agent's own country when they gave one, else a guess from their time zone."""
    return country or ZONE_COUNTRY.get(time_zone, "US")


def countries_for(platform_country: str) -> dict[str, str]:
    """The countries this platform can pay out to (domain/payouts.py `can_pay_out`), by name:
    its region, and from a US platform Stripe's cross-border payout countries too."""
    payable = payout_rules.payable_countries(platform_country)
    return dict(sorted(((c, n) for c, n in COUNTRIES.items() if c in payable), key=lambda item: item[1]))


def cannot_pay(country: str, *, platform_country: str) -> str | None:
    """Why an agent in `country` cannot be paid from this platform, in plain words; None if they can."""
    if payout_rules.can_pay_out(country, platform_country=platform_country):
        return None
    name = COUNTRIES.get(country.upper(), country)
    return (
        f"deskhire cannot pay agents in {name}: Stripe does not pay out there from this platform "
        f"(in {COUNTRIES.get(platform_country.upper(), platform_country)}), so you could work but never "
        "receive your earnings"
    )


def onboarding_link(actor: Principal, *, country: str | None, deps: Deps) -> str:
    """Where the agent goes to give Stripe their details: a fresh, single-use Account Link."""
    agent = _agent(actor)
    record = account_of(AgentId(agent.agent_id))
    if not record.account_id:
        country = (country or suggested_country(agent.time_zone, agent.country)).upper()
        if country not in COUNTRIES:
            raise InvalidInput("choose a country deskhire pays out to", field="country")
        why = cannot_pay(country, platform_country=deps.settings.platform_country)
        if why is not None:
            # Stripe would refuse the account or its transfers: no cross-border payouts there
            raise InvalidInput(why, field="country")
        agreement = payout_rules.service_agreement(country, platform_country=deps.settings.platform_country)
        account = deps.stripe.find_account(agent.agent_id) or deps.stripe.create_express_account(
            agent.agent_id,
            email=agent.email,
            country=country,
            recipient=agreement is payout_rules.ServiceAgreement.RECIPIENT,
        )
        _apply(record, account, deps=deps)
    link = deps.stripe.create_account_link(
        record.require_account_id(),
        attempt_id=new_id(),
        refresh_url=deps.link("/agent/payouts/refresh"),
        return_url=deps.link("/agent/payouts/return"),
    )
    return link["url"]


def refresh(actor: Principal, *, deps: Deps) -> PayoutAccount:
    """The return page: read the account from Stripe and keep what it says."""
    agent = _agent(actor)
    record = account_of(AgentId(agent.agent_id))
    if not record.account_id:
        return record
    return _apply(record, deps.stripe.retrieve_account(record.account_id), deps=deps)


def apply_account_update(account: dict, *, deps: Deps) -> PayoutAccount | None:
    """`account.updated`: the account re-fetched by the webhook handler, kept on the agent."""
    agent_id = (account.get("metadata") or {}).get("deskhire_agent")
    if not agent_id:
        return None
    try:
        agent = AgentId(agent_id)
    except ValueError:
        return None
    record = account_of(agent)
    if record.account_id and record.account_id != account["id"]:
        return None  # not the account deskhire keeps for this agent
    return _apply(record, account, deps=deps)


def status_of(account: dict) -> str:
    """enabled when transfers are active and payouts on; pending while the agent has not finished
    onboarding or Stripe is verifying; restricted when Stripe disabled a finished account."""
    capabilities = account.get("capabilities") or {}
    requirements = account.get("requirements") or {}
    if capabilities.get("transfers") == "active" and account.get("payouts_enabled"):
        return "enabled"
    # a new account is disabled too ("requirements.past_due") until its details are in
    if account.get("details_submitted") and requirements.get("disabled_reason") not in (
        None,
        "requirements.pending_verification",
    ):
        return "restricted"
    return "pending"


def _apply(record: PayoutAccount, account: dict, *, deps: Deps) -> PayoutAccount:
    for _attempt in range(3):
        record.account_id = account["id"]
        record.country = account.get("country")
        record.service_agreement = (account.get("tos_acceptance") or {}).get("service_agreement") or "full"
        record.currency = account.get("default_currency")
        record.status = status_of(account)
        record.payouts_enabled = 1 if account.get("payouts_enabled") else 0
        record.transfers_active = 1 if (account.get("capabilities") or {}).get("transfers") == "active" else 0
        record.requirements_due = list((account.get("requirements") or {}).get("currently_due") or [])
        record.disabled_reason = (account.get("requirements") or {}).get("disabled_reason")
        record.updated_at = deps.now()
        try:
            with transaction() as tx:
                tx.save(record)
                if record.status == "enabled":
                    platform_metrics.payouts_enabled(
                        tx, AgentId(record.pk.removeprefix(keys.AGENT_PREFIX)), at=record.updated_at
                    )
            break
        except Conflict:
            record = account_of(AgentId(record.pk.removeprefix(keys.AGENT_PREFIX)))
    else:
        raise Conflict("the payout account kept changing; try again", code="contended")
    # the profile shows the payout status too; updated on the item as read, so that its version
    # goes up (a bare instance would reset it) without refusing a profile edit in between
    agent = AgentRecord.find(record.pk, "AGENT", consistent=True)
    if agent is not None and agent.payout_status != record.status:
        agent.update(actions=[AgentRecord.payout_status.set(record.status)], add_version_condition=False)
    return record


def can_receive(record: PayoutAccount) -> bool:
    return bool(record.account_id) and record.status == "enabled"


def transfers_wait(actor: Principal, account: PayoutAccount | None = None, *, now) -> bool:
    """Whether the agent should be reminded that their transfers wait: payouts are not enabled,
    and they have a contract (running or past) whose time would be paid out."""
    from chalicelib.domain.contracts import OFFER_STATES
    from chalicelib.services.contracts import records

    if account is None:
        account = account_of(AgentId(actor.id))
    if can_receive(account):
        return False
    return any(records.status_of(c, now) not in OFFER_STATES for c in records.listed(actor))
