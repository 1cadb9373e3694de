"""Matching benchmark: one opening against N approved agents (default 10,000) in DynamoDB Local.

Reports the items the candidate retrieval reads, the DynamoDB requests, and the latency of
ranking the top 50 (p50/p95 over repeated runs). Goal (issue 4): items read under 5x the agents
that pass the hard filters."""

from __future__ import annotations

import os
import random
import statistics
import time
from datetime import UTC, date, datetime

AGENTS = int(os.environ.get("BENCH_AGENTS", "10000"))
RUNS = 10
ZONES = ["Europe/Lisbon", "America/New_York", "Asia/Manila", "Asia/Kolkata", "America/Denver", "Africa/Lagos"]
LANGUAGES = ["en", "es", "pt", "de", "fr"]
LEVELS = ["a2", "b1", "b2", "c1", "c2", "native"]
SKILLS = ["zendesk", "freshdesk", "intercom", "gorgias", "email", "chat", "phone", "social"]


def _agent_card(rng: random.Random, index: int) -> dict:
    zone = rng.choice(ZONES)
    start = rng.choice(range(6, 16))
    days = rng.sample(["mon", "tue", "wed", "thu", "fri", "sat", "sun"], rng.randint(3, 6))
    languages = {"en": rng.choice(LEVELS)} if rng.random() < 0.8 else {}
    for code in rng.sample(LANGUAGES[1:], rng.randint(0, 2)):
        languages[code] = rng.choice(LEVELS)
    if not languages:
        languages = {rng.choice(LANGUAGES[1:]): rng.choice(LEVELS)}
    return {
        "agent_id": f"BENCH{index:06d}",
        "name": f"Agent {index}",
        "headline": "",
        "languages": languages,
        "skills": rng.sample(SKILLS, rng.randint(1, 4)),
        "products": rng.sample(["shopify", "notion", "iphone"], 1),
        "tier": rng.choice([1, 1, 2, 3]),
        "min_rate_minor": rng.randrange(1200, 4000, 50),
        "currency": "usd" if rng.random() < 0.85 else "eur",
        "availability": {
            "time_zone": zone,
            "windows": [{"day": d, "start": f"{start:02d}:00", "end": f"{start + 8:02d}:00"} for d in days],
        },
        "rating_count": rng.randint(0, 200),
        "rating_total": 0,
    }


def _load_agents(rng: random.Random) -> None:
    from chalicelib.domain.vocabulary import LEVELS as ORDER
    from chalicelib.store import keys
    from chalicelib.store.marketplace import MatchIndexItem

    with MatchIndexItem.batch_write() as batch:
        for index in range(AGENTS):
            card = _agent_card(rng, index)
            card["rating_total"] = card["rating_count"] * rng.choice([4, 5])
            for code, level in card["languages"].items():
                batch.save(
                    MatchIndexItem(
                        keys.platform_pk("IDX", f"{card['currency']}#{code}"),
                        keys.sort_key(f"{ORDER.index(level):02d}", card["agent_id"]),
                        agent_id=card["agent_id"],
                        card=card,
                    )
                )


class RequestCounter:
    """Counts DynamoDB API calls made through PynamoDB."""

    def __init__(self):
        from pynamodb.connection.base import Connection

        self.calls = 0
        self._cls = Connection
        self._original = Connection._make_api_call

    def __enter__(self):
        original = self._original

        def counting(connection, operation_name, operation_kwargs):
            self.calls += 1
            return original(connection, operation_name, operation_kwargs)

        self._cls._make_api_call = counting
        return self

    def __exit__(self, *exc):
        self._cls._make_api_call = self._original


def run() -> dict:
    from chalicelib import composition
    from chalicelib.domain.matching import refusals
    from chalicelib.domain.money import Money
    from chalicelib.services import accounts, matching, openings
    from chalicelib.settings import Settings
    from chalicelib.store import principals
    from chalicelib.store.marketplace import candidates_for, need_of

    settings = Settings.from_environ()
    composition.override_deps(
        composition.Deps(
            settings=settings, mailer=composition_mailer(), clock=lambda: datetime(2026, 11, 25, tzinfo=UTC)
        )
    )
    rng = random.Random(48)
    started = time.perf_counter()
    _load_agents(rng)
    load_seconds = time.perf_counter() - started

    _, owner = accounts.sign_up_business(
        accounts.BusinessSignup(
            company_name="Bench Co",
            slug="bench-co",
            owner_name="B",
            email="bench@example.com",
            password="violet-harbor-92-lantern",
            time_zone="America/New_York",
            currency="usd",
        ),
        deps=composition.deps(),
    )
    actor = principals.principal_of(owner)
    record = openings.post(
        actor,
        openings.OpeningDraft(
            title="Bench opening",
            description="",
            skills=["zendesk", "email"],
            products=["shopify"],
            languages=[("en", "b2")],
            coverage=[(d, "09:00", "17:00") for d in ("mon", "tue", "wed", "thu", "fri")],
            hours_per_week=20,
            block_hours=None,
            seats=1,
            rate_min=Money(1500, "usd"),
            rate_max=Money(3000, "usd"),
            tier=1,
            start_date=date(2027, 1, 4),
        ),
        deps=composition.deps(),
    )
    need = need_of(record)
    candidates, read = candidates_for(need)
    passing = sum(1 for c in candidates if not refusals(need, c))

    timings, requests = [], []
    for _ in range(RUNS):
        with RequestCounter() as counter:
            begun = time.perf_counter()
            ranked = matching.agents_for_opening(actor, record.opening_id)
            timings.append((time.perf_counter() - begun) * 1000)
        requests.append(counter.calls)
    composition.override_deps(None)
    first, warm = timings[0], sorted(timings[1:])
    return {
        "first_ms": round(first, 1),
        "agents": AGENTS,
        "load_seconds": round(load_seconds, 1),
        "items_read": read,
        "passing_filters": passing,
        "read_ratio": round(read / passing, 2) if passing else None,
        "requests": max(requests),
        "returned": len(ranked.matches),
        "p50_ms": round(statistics.median(warm), 1),
        "p95_ms": round(warm[min(len(warm) - 1, round(0.95 * (len(warm) - 1)))], 1),
    }


def composition_mailer():
    class Silent:
        def send(self, mail, *, now):
            pass

    return Silent()
