"""Metrics through the real services (issue 16, M1): inquiries made through the API, answered and
resolved by an agent on shift and by the business's team, on several days; every business-day
and agent-day aggregate equals a recomputation from the raw inquiries; the `metrics-rollup` job
rolls the days into the week and month, a run again changes nothing, and a day whose contacts
stand out of 28 days is recorded once and mailed once."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest

from chalicelib.domain import metrics as figures
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.jobs import registry
from chalicelib.store import metric_spikes
from chalicelib.store import metrics as store
from chalicelib.store.support import InquiryRecord, head_key
from tests.integration.contract_helpers import at, run_job
from tests.integration.helpers import call
from tests.integration.portal_helpers import signed_in
from tests.integration.support_helpers import ask, clock_in, hire_team

pytestmark = pytest.mark.integration

SPIKE_SUBJECT = "Your customers are contacting you more than usual"


@pytest.fixture
def team(fresh_table, client, deps):
    return hire_team(client, deps, agents=1)


def test_every_aggregate_equals_a_recomputation_from_the_raw_inquiries(client, deps, team):
    lia = team["agents"][0]
    owner = team["owner"]["token"]
    deps.clock.now = at(23, 9)
    clock_in(client, lia)
    made = []
    by_lia: set[str] = set()  # the inquiries whose first reply the agent sent (the raw events)
    plan = [  # (day, hour, minute, channel, who answers after how many minutes, resolve?)
        (23, 9, 0, "email", "agent", 3, True),
        (23, 10, 0, "chat", "agent", 70, False),
        (23, 23, 50, "email", "owner", 25, True),  # answered the next day
        (24, 1, 0, "phone", "agent", 1, True),
        (24, 2, 0, "email", None, 0, False),
    ]
    for day, hour, minute, channel, who, minutes, resolve in plan:
        deps.clock.now = at(day, hour, minute)
        inquiry = ask(client, team["key"], channel=channel, customer_email=f"c{len(made)}@example.com")
        made.append(inquiry["id"])
        if who is not None:
            deps.clock.now = at(day, hour, minute) + timedelta(minutes=minutes)
            seen = call(client, "GET", f"/api/v1/inquiries/{inquiry['id']}", token=owner).json
            routed = (seen["agent"] or {}).get("id") == lia["id"]
            token = lia["token"] if who == "agent" and routed else owner
            if token == lia["token"]:
                by_lia.add(inquiry["id"])
            response = call(
                client,
                "POST",
                f"/api/v1/inquiries/{inquiry['id']}/replies",
                {"body": "On its way."},
                token=token,
            )
            assert response.status_code in (200, 201), response.json
            if resolve:
                response = call(client, "POST", f"/api/v1/inquiries/{inquiry['id']}/resolve", {}, token=token)
                assert response.status_code == 200, response.json
    tenant = TenantId(_owner_tenant(made[0]))
    heads = [InquiryRecord.load(*head_key(tenant, i)) for i in made]

    # the recomputation from the raw inquiries
    first, last = date(2026, 11, 23), date(2026, 11, 24)
    days = {d.day: d for d in store.business_days(tenant, first, last)}
    for day in (first, last):
        mine = [h for h in heads if h.created_at.date() == day]
        replied = [h for h in heads if h.first_response_at and h.first_response_at.date() == day]
        resolved = [h for h in heads if h.resolved_at and h.resolved_at.date() == day]
        seen = days[day]
        assert seen.contacts == len(mine)
        assert dict(seen.by_channel) == {c: sum(h.channel == c for h in mine) for c in store.CHANNEL_NAMES}
        assert seen.by_source["api"] == len(mine)
        waits = [int((h.first_response_at - h.created_at).total_seconds()) for h in replied]
        assert (seen.first_replies, seen.frt_sum_s) == (len(waits), sum(waits))
        assert seen.frt == figures.Histogram.of(waits)
        assert seen.resolved == len(resolved)
        assert seen.sla_met == sum(h.first_response_at <= h.sla_due_at for h in replied)
        assert seen.sla_breached == sum(h.first_response_at > h.sla_due_at for h in replied)
    hours = store.business_hours(tenant, at(23, 0), at(24, 23))
    assert hours == {
        h.created_at.replace(minute=0, second=0, microsecond=0): sum(
            x.created_at.replace(minute=0, second=0, microsecond=0)
            == h.created_at.replace(minute=0, second=0, microsecond=0)
            for x in heads
        )
        for h in heads
    }
    agent = AgentId(lia["id"])
    by_agent = [h for h in heads if h.inquiry_id in by_lia]
    assert by_agent  # the agent on shift answered some, the team the others
    for own in (store.agent_days(tenant, agent, first, last), store.agent_own_days(agent, first, last)):
        assert sum(d.first_replies for d in own) == len(by_agent)
        assert sum((d.frt for d in own), figures.Histogram()) == figures.Histogram.of(
            int((h.first_response_at - h.created_at).total_seconds()) for h in by_agent
        )
        assert sum(d.resolved for d in own) == sum(1 for h in by_agent if h.resolved_at)  # she resolved hers

    # the job: the week and the month, from those days; a second run changes nothing
    deps.clock.now = at(25, 0, 35)
    report = run_job("metrics-rollup", deps)
    assert report.planned == 1 and report.changed == 1 and not report.failures
    (week,) = store.rollups(tenant, "week", first, last)
    (month,) = store.rollups(tenant, "month", first, last)
    for rolled in (week, month):
        assert rolled.totals.contacts == len(heads)
        waits = [
            int((h.first_response_at - h.created_at).total_seconds()) for h in heads if h.first_response_at
        ]
        assert rolled.totals.frt == figures.Histogram.of(waits)
        assert rolled.figures["frt_median_s"] == Fraction(
            figures.Histogram.of(waits).quantile(Fraction(1, 2))
        ).limit_denominator(1000)
        met = sum(h.first_response_at <= h.sla_due_at for h in heads if h.first_response_at)
        assert rolled.figures["sla_attainment"] == Fraction(met, len(waits))
        assert rolled.figures["contact_intensity"] is None  # no orders posted
    assert week.key == "2026-W48" and month.key == "2026-11"
    again = run_job("metrics-rollup", deps)
    assert again.planned == 1 and again.changed == 0
    assert store.rollups(tenant, "week", first, last)[0].computed_at == week.computed_at


def _owner_tenant(inquiry_id: str) -> str:
    from chalicelib.services.support import inquiries

    found = inquiries.tenant_of(inquiry_id)
    assert found is not None
    return found.value


def test_a_spike_is_recorded_and_mailed_once(client, deps, team):
    from chalicelib.store import metric_writes
    from chalicelib.store.transactions import transaction

    made = ask(client, team["key"])
    tenant = TenantId(_owner_tenant(made["id"]))
    spike_day = date(2026, 11, 20)
    for back in range(28, 0, -1):  # four quiet weeks of 8 to 12 contacts a day, then 40
        day = spike_day - timedelta(days=back)
        with transaction() as tx:
            metric_writes.day_update(metric_writes.pending(tx), tenant, day, {"contacts": 8 + back % 5})
            metric_writes.reason_update(metric_writes.pending(tx), tenant, day, "shipping", {"contacts": 8})
    with transaction() as tx:
        metric_writes.day_update(metric_writes.pending(tx), tenant, spike_day, {"contacts": 40})
        metric_writes.reason_update(metric_writes.pending(tx), tenant, spike_day, "refund", {"contacts": 30})
        metric_writes.reason_update(
            metric_writes.pending(tx), tenant, spike_day, "shipping", {"contacts": 10}
        )
    deps.clock.now = at(23, 9)
    for _ in range(2):
        report = run_job("metrics-rollup", deps, first=spike_day - timedelta(days=1), last=spike_day)
        assert not report.failures
    mails = [m for m in deps.mailer.sent if m.subject == SPIKE_SUBJECT]
    assert len(mails) == 1 and mails[0].to == team["owner"]["email"]
    assert "refund" in mails[0].text and "40 times" in mails[0].text
    (banner,) = store.open_spikes(tenant)
    assert (banner.day, banner.measure, banner.contacts, banner.drivers[0]) == (
        spike_day,
        "contacts",
        40,
        "refund",
    )
    assert (
        metric_spikes.spikes_between(tenant, spike_day - timedelta(days=1), spike_day - timedelta(days=1))
        == []
    )

    # the owner closes the banner from the dashboard: once; the figures keep the spike
    owner = signed_in(client, team["owner"]["email"])
    page = owner.get(f"/app/metrics?from={spike_day - timedelta(days=6)}&to={spike_day}")
    path = f"/app/metrics/spikes/{banner.key}/dismiss"
    assert page.status_code == 200 and f'action="{path}"' in page.text
    dismissed = owner.post(path)
    assert dismissed.status_code == 303 and "dismissed" in owner.flash(owner.follow(dismissed))
    assert store.open_spikes(tenant) == []
    assert metric_spikes.spikes_between(tenant, spike_day, spike_day)[0].dismissed_at is not None
    assert f'action="{path}"' not in owner.get("/app/metrics").text
    assert owner.post(path).status_code == 404  # closed already
    assert owner.post("/app/metrics/spikes/2026-11-21/dismiss").status_code == 404  # no such spike


def test_the_job_is_registered_with_its_schedule():
    job = registry.load()["metrics-rollup"]
    assert job.cron == "35 * * * ? *"
