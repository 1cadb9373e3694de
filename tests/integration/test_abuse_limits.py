"""PROMISES T5 (one tenant cannot exhaust shared capacity) and issue 12 items 2 and 5: rate limits
per API key, session, tenant, client address and email, kept in DynamoDB Local, answered with 429
and Retry-After; and a password reset that does the same work whether or not the address has an
account.

Each test tightens the one limit it is about (the suite's `deps` relaxes the request rates, since
its clock moves only by hand): `tight(deps, api_key=Rate(5, MINUTE))`."""

import dataclasses
import threading
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from chalicelib import composition
from chalicelib.domain.limits import DAY, HOUR, MINUTE, Limits, Rate
from tests.integration.helpers import STRONG, business, call, unique
from tests.integration.portal_helpers import PortalSession, signed_in

pytestmark = [pytest.mark.integration, pytest.mark.dynamodb_limiter]


def tight(deps, **rates):
    value = dataclasses.replace(deps, limits=dataclasses.replace(Limits.relaxed(), **rates))
    composition.override_deps(value)
    return value


def signup_body(**overrides):
    slug = unique("lim-")
    return {
        "company_name": "Limits Ltd",
        "slug": slug,
        "owner_name": "Lou",
        "email": f"{slug}@example.com",
        "password": STRONG,
        "time_zone": "UTC",
        **overrides,
    }


def test_an_api_key_has_its_own_bucket_with_retry_after(client, deps):
    owner = business(client)
    first = call(client, "POST", "/api/v1/api-keys", {"name": "one"}, token=owner["token"]).json["secret"]
    second = call(client, "POST", "/api/v1/api-keys", {"name": "two"}, token=owner["token"]).json["secret"]
    tight(deps, api_key=Rate(5, MINUTE))
    answers = [call(client, "GET", "/api/v1/integrations/whoami", token=first) for _ in range(7)]
    assert [a.status_code for a in answers] == [200] * 5 + [429] * 2
    refused = answers[-1]
    assert refused.json["error"]["code"] == "rate_limited"
    assert refused.headers["Retry-After"] == "12"  # one token comes back every 12 seconds
    # the other key of the same business is not held back
    assert call(client, "GET", "/api/v1/integrations/whoami", token=second).status_code == 200
    deps.clock.advance(seconds=12)
    assert call(client, "GET", "/api/v1/integrations/whoami", token=first).status_code == 200
    assert call(client, "GET", "/api/v1/integrations/whoami", token=first).status_code == 429


def test_a_session_has_its_own_bucket_on_the_api_and_the_portal(client, deps):
    owner = business(client)
    other = call(client, "POST", "/api/v1/sessions", {"email": owner["email"], "password": STRONG}).json[
        "token"
    ]
    browser = signed_in(client, owner["email"])
    tight(deps, session=Rate(4, MINUTE))
    statuses = [call(client, "GET", "/api/v1/me", token=owner["token"]).status_code for _ in range(5)]
    assert statuses == [200] * 4 + [429]
    assert call(client, "GET", "/api/v1/me", token=other).status_code == 200
    pages = [browser.get("/app/team") for _ in range(5)]
    assert [p.status_code for p in pages] == [200] * 4 + [429]
    assert "Slow down" in pages[-1].text and int(pages[-1].headers["Retry-After"]) >= 1


def test_one_noisy_tenant_cannot_spend_another_tenants_capacity(client, deps):
    noisy, quiet = business(client), business(client)
    second = call(client, "POST", "/api/v1/sessions", {"email": noisy["email"], "password": STRONG}).json[
        "token"
    ]
    key = call(client, "POST", "/api/v1/api-keys", {"name": "k"}, token=noisy["token"]).json["secret"]
    tight(deps, tenant=Rate(6, MINUTE))
    # every credential of the tenant spends from the one tenant bucket
    spent = [
        call(client, "GET", path, token=token).status_code
        for token, path in (
            (noisy["token"], "/api/v1/me"),
            (second, "/api/v1/me"),
            (key, "/api/v1/integrations/whoami"),
        )
        * 3
    ]
    assert spent == [200] * 6 + [429] * 3
    assert [call(client, "GET", "/api/v1/me", token=quiet["token"]).status_code for _ in range(6)] == [
        200
    ] * 6


def test_signups_are_limited_per_client_address_on_the_api_and_the_portal(client, deps):
    tight(deps, signup_per_address=Rate(3, HOUR))
    answers = [call(client, "POST", "/api/v1/signup/business", signup_body()) for _ in range(4)]
    assert [a.status_code for a in answers] == [201, 201, 201, 429]
    assert answers[-1].headers["Retry-After"] == "1200"
    agent = call(
        client,
        "POST",
        "/api/v1/signup/agent",
        {"name": "A", "email": unique("a") + "@example.com", "password": STRONG, "time_zone": "UTC"},
    )
    assert agent.status_code == 429
    browser = PortalSession(client)
    browser.get("/signup")
    page = browser.post("/signup", {**signup_body(), "currency": "usd"})
    assert page.status_code == 429 and page.headers["Retry-After"] and "Slow down" in page.text


def test_a_reset_mail_at_most_every_five_minutes_per_address_silently(client, deps):
    owner = business(client)
    answers = [call(client, "POST", "/api/v1/password-resets", {"email": owner["email"]}) for _ in range(20)]
    assert {a.status_code for a in answers} == {202} and len({a.body for a in answers}) == 1
    assert [m.to for m in deps.mailer.sent].count(owner["email"]) == 1
    deps.clock.advance(minutes=5)
    call(client, "POST", "/api/v1/password-resets", {"email": owner["email"]})
    assert [m.to for m in deps.mailer.sent].count(owner["email"]) == 2


def test_reset_requests_are_limited_per_client_address(client, deps):
    tight(deps, reset_per_address=Rate(2, HOUR))
    statuses = [
        call(client, "POST", "/api/v1/password-resets", {"email": unique("r") + "@example.com"}).status_code
        for _ in range(3)
    ]
    assert statuses == [202, 202, 429]
    browser = PortalSession(client)
    browser.get("/password-reset")
    assert browser.post("/password-reset", {"email": unique("r") + "@example.com"}).status_code == 429


def test_a_new_business_sends_a_few_invitations_a_day(client, deps):
    tight(deps, invites_new_tenant=Rate(3, DAY), invites_tenant=Rate(5, DAY))
    owner = business(client)
    statuses = [
        call(
            client,
            "POST",
            "/api/v1/team/invites",
            {"email": unique("i") + "@example.com", "role": "manager"},
            token=owner["token"],
        ).status_code
        for _ in range(4)
    ]
    assert statuses == [201, 201, 201, 429]
    browser = signed_in(client, owner["email"])
    browser.get("/app/team")
    page = browser.post("/app/team/invites", {"email": unique("i") + "@example.com", "role": "manager"})
    assert page.status_code == 429 and "invitations" in page.text
    assert len([m for m in deps.mailer.sent if "/invites/" in m.text]) == 3
    # a week on, the business is no longer new: the larger daily allowance applies
    deps.clock.advance(days=8)
    owner["token"] = call(
        client, "POST", "/api/v1/sessions", {"email": owner["email"], "password": STRONG}
    ).json["token"]
    later = [
        call(
            client,
            "POST",
            "/api/v1/team/invites",
            {"email": unique("i") + "@example.com", "role": "manager"},
            token=owner["token"],
        ).status_code
        for _ in range(6)
    ]
    assert later == [201] * 5 + [429]


def test_one_outside_address_is_not_invited_over_and_over(client, deps):
    tight(deps, invite_per_email=Rate(2, DAY))
    first, second = business(client), business(client)
    target = unique("target-") + "@example.com"
    statuses = []
    for owner in (first, second, first):
        invited = call(
            client, "POST", "/api/v1/team/invites", {"email": target, "role": "manager"}, token=owner["token"]
        )
        statuses.append(invited.status_code)
        if invited.status_code == 201:
            call(client, "DELETE", f"/api/v1/team/invites/{invited.json['id']}", token=owner["token"])
    assert statuses == [201, 201, 429]


def test_parallel_requests_cannot_slip_past_a_bucket(deps):
    """The atomic update: 30 threads at once against a bucket of 10 get exactly 10 tokens."""
    from chalicelib.store import limits

    rate, subject = Rate(10, HOUR), unique("parallel-")
    results, gate = [], threading.Barrier(30)

    def spend():
        gate.wait()
        results.append(limits.take(rate, "parallel", subject, deps=deps))

    threads = [threading.Thread(target=spend) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(None) == 10 and len(results) == 30
    assert all(wait == 360 for wait in results if wait is not None)  # one token every 6 minutes


def test_a_bucket_refills_at_its_rate(deps):
    from chalicelib.store import limits

    rate, subject = Rate(2, MINUTE, burst=3), unique("refill-")
    taken = [limits.take(rate, "refill", subject, deps=deps) for _ in range(4)]
    assert taken == [None, None, None, 30]
    deps.clock.advance(seconds=29)
    assert limits.take(rate, "refill", subject, deps=deps) == 1
    deps.clock.advance(seconds=1)
    assert limits.take(rate, "refill", subject, deps=deps) is None
    deps.clock.now -= timedelta(days=3)  # a clock set back (a test's, a demo's) starts afresh
    assert limits.take(rate, "refill", subject, deps=deps) is None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(
        st.tuples(st.integers(min_value=0, max_value=90_000), st.integers(min_value=1, max_value=4)),
        min_size=1,
        max_size=12,
    )
)
@example(steps=[(0, 1), (0, 1), (0, 1), (0, 1), (20_000, 2), (0, 1), (500, 3)])  # to the last token
def test_the_suites_in_memory_buckets_answer_as_dynamodbs_do(deps, steps):
    """The suite keeps other tests' buckets in memory (tests/limiter.py): the same spends at the
    same times get the same answers from it as from the DynamoDB buckets, refusals and waits too."""
    from chalicelib.store import limits
    from tests.limiter import InMemoryBuckets

    rate, subject, fake = Rate(3, MINUTE), unique("twin-"), InMemoryBuckets()
    for advance_ms, cost in steps:
        deps.clock.advance(milliseconds=advance_ms)
        real = limits.take(rate, "twin", subject, deps=deps, cost=cost)
        assert fake.take(rate, "twin", subject, deps=deps, cost=cost) == real


def test_a_limited_call_costs_one_request_unless_its_bucket_is_bursting(deps):
    """Requests per spend, counted: a new bucket (its first touch), an idle one and an empty one
    (a refusal) cost one UpdateItem each and no read; only a caller bursting costs two."""
    from chalicelib.store import limits

    rate, subject = Rate(2, MINUTE), unique("cost-")  # 2 at once, a token back every 30 seconds

    def spend():
        with Recorder() as recorded:
            wait = limits.take(rate, "cost", subject, deps=deps)
        return wait, recorded.calls

    assert spend() == (None, ["UpdateItem"])  # the bucket's first touch
    assert spend() == (None, ["UpdateItem", "UpdateItem"])  # the second at once: bursting
    assert spend() == (30, ["UpdateItem"])  # empty: refused, Retry-After without a read
    deps.clock.advance(minutes=5)
    assert spend() == (None, ["UpdateItem"])  # idle again


def test_production_numbers_are_the_documented_ones():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "identity.md").read_text()
    production = Limits()
    for field in dataclasses.fields(Limits):
        value = getattr(production, field.name)
        if isinstance(value, Rate):
            assert f"| `{field.name}` | {value} |" in doc, field.name
    assert f"first {production.new_tenant_for.days} days" in doc
    # API Gateway's own throttles, in front of the function
    from local.table import template

    api = template()["Resources"]
    stage = api["RestAPI"]["Properties"]["MethodSettings"][0]
    plan = api["IntegrationKeysUsagePlan"]["Properties"]
    flat = " ".join(doc.split())
    assert f"({stage['ThrottlingRateLimit']} a second, {stage['ThrottlingBurstLimit']:,} at once)" in flat
    assert (
        f"{plan['Throttle']['RateLimit']} a second, {plan['Throttle']['BurstLimit']} at once, "
        f"{plan['Quota']['Limit']:,} a day" in flat
    )


# -- item 5: the same work for a known and an unknown address -----------------------------------


class Recorder:
    """Every DynamoDB call PynamoDB makes, by operation and table, and every mail handed over."""

    def __init__(self):
        from pynamodb.connection.base import Connection

        self.calls, self._cls, self._original = [], Connection, Connection._make_api_call

    def __enter__(self):
        original, calls = self._original, self.calls

        def recording(connection, operation_name, operation_kwargs):
            calls.append(operation_name)
            return original(connection, operation_name, operation_kwargs)

        self._cls._make_api_call = recording
        return self

    def __exit__(self, *exc):
        self._cls._make_api_call = self._original


def test_a_reset_does_the_same_store_and_mail_work_for_a_known_and_an_unknown_address(client, deps):
    from chalicelib.services import password_resets

    owner = business(client)
    sent_before = len(deps.mailer.sent)
    with Recorder() as known:
        password_resets.request_reset(owner["email"], deps=deps)
    mails_known = len(deps.mailer.sent) - sent_before
    with Recorder() as unknown:
        password_resets.request_reset(unique("nobody-") + "@example.com", deps=deps)
    mails_unknown = len(deps.mailer.sent) - sent_before - mails_known
    assert known.calls == unknown.calls and "PutItem" in known.calls
    assert mails_known == mails_unknown == 1
    # the unknown address's mail says so, and carries no usable link
    note = deps.mailer.sent[-1]
    assert "no account uses it" in note.text and "/password-reset/dhr_" not in note.text
