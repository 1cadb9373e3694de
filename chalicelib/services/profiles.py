"""An agent's marketplace profile: edited by the agent, vetted by operators, listed in the match
index once approved and complete."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from chalicelib.composition import Deps
from chalicelib.domain.bounds import check_rate
from chalicelib.domain.countries import check_country
from chalicelib.domain.errors import Forbidden, InvalidInput, NotFound
from chalicelib.domain.identity import Principal, PrincipalKind, check_time_zone
from chalicelib.domain.money import Money
from chalicelib.domain.schedule import WeeklySchedule, Window
from chalicelib.domain.tenancy import AgentId
from chalicelib.domain.vocabulary import check_language, check_skills, level_rank, normalise_tags
from chalicelib.services.contracts import agent_zone
from chalicelib.store import keys
from chalicelib.store.identity import AgentRecord
from chalicelib.store.marketplace import MatchIndexItem, index_items
from chalicelib.store.transactions import Transaction, transaction


@dataclass(frozen=True)
class ProfileUpdate:
    headline: str
    bio: str
    skills: list[str]
    products: list[str]
    languages: list[tuple[str, str]]  # (code, level)
    availability: list[tuple[str, str, str]]  # (day, start, end) in the agent's time zone
    min_rate: Money
    # where they live, when they say (None: unchanged); the windows are read in this zone
    country: str | None = None
    time_zone: str | None = None


def _agent(agent_id: str) -> AgentRecord:
    try:
        pk = keys.agent_pk(AgentId(agent_id))
    except ValueError:
        raise NotFound("no such agent") from None
    record = AgentRecord.find(pk, "AGENT", consistent=True)
    if record is None:
        raise NotFound("no such agent")
    return record


def my_profile(actor: Principal) -> AgentRecord:
    if actor.kind is not PrincipalKind.AGENT:
        raise Forbidden("only agents have a profile")
    return _agent(actor.id)


def is_complete(record: AgentRecord) -> bool:
    return bool(record.languages) and record.availability is not None and record.min_rate_minor is not None


def update_profile(actor: Principal, change: ProfileUpdate, *, deps: Deps) -> AgentRecord:
    record = my_profile(actor)
    country = check_country(change.country) if change.country is not None else record.country
    time_zone = check_time_zone(change.time_zone) if change.time_zone is not None else record.time_zone
    if country != record.country:
        _check_payout_country(record, country)
    skills = check_skills(change.skills)
    products = normalise_tags(change.products)
    languages = {}
    for index, (code, level) in enumerate(change.languages):
        check_language(code, field=f"languages.{index}.code")
        level_rank(level, field=f"languages.{index}.level")
        if code in languages:
            raise InvalidInput(f"{code} is listed twice", field=f"languages.{index}.code")
        languages[code] = level
    if not languages:
        raise InvalidInput("list at least one language", field="languages")
    windows = [
        Window.parse(day, start, end, field=f"availability.{i}")
        for i, (day, start, end) in enumerate(change.availability)
    ]
    schedule = WeeklySchedule.build(time_zone, windows, field="availability")
    check_rate(change.min_rate, field="min_rate.amount")
    record.country, record.time_zone = country, time_zone
    record.headline, record.bio = change.headline, change.bio
    record.skills, record.products = sorted(skills), sorted(products)
    record.languages = languages
    record.availability = schedule.to_json()
    record.min_rate_minor, record.rate_currency = change.min_rate.minor, change.min_rate.currency
    save_with_index(record)
    # the zone the agent reads their contracts' times in moves with them (issue 14, item 8)
    agent_zone.follow(AgentId(record.agent_id), time_zone)
    return record


def _check_payout_country(record: AgentRecord, country: str | None) -> None:
    """A Stripe account's country is fixed once it exists: an agent already onboarded in another
    country keeps being paid there, so the profile may not say otherwise."""
    from chalicelib.services.payouts import account_of

    account = account_of(AgentId(record.agent_id))
    if account.account_id and account.country and country != account.country.upper():
        from chalicelib.domain.countries import COUNTRY_NAMES

        raise InvalidInput(
            f"your Stripe payout account is in {COUNTRY_NAMES.get(account.country.upper(), account.country)}, "
            "and a payout account's country cannot change; write to support to be paid elsewhere",
            field="country",
        )


def save_with_index(record: AgentRecord, *, also: Callable[[Transaction], None] | None = None) -> None:
    """Save the agent and, in the same transaction, bring its match-index items in line: listed
    while approved and complete, not listed otherwise. `also` adds to the transaction (what the
    change counts)."""
    listed = index_items(record) if record.status == "approved" and is_complete(record) else []
    stale = set(record.index_keys) - {f"{i.pk}|{i.sk}" for i in listed}
    record.index_keys = sorted(f"{i.pk}|{i.sk}" for i in listed)
    # 35 actions at most: a card per language listed, and there are 15 (vocabulary.LANGUAGE_NAMES),
    # so 15 stale and 15 new (a change of rate currency moves them all), and what `also` counts (4)
    with transaction() as tx:
        tx.save(record)
        for key in stale:
            pk, sk = key.split("|", 1)
            tx.delete(MatchIndexItem(pk, sk))
        for item in listed:
            tx.save(item)
        if also is not None:
            also(tx)


def public_profile(agent_id: str) -> AgentRecord:
    """What businesses see: approved agents only; anyone else is 'not found'."""
    record = _agent(agent_id)
    if record.status != "approved":
        raise NotFound("no such agent")
    return record
