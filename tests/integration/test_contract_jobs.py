"""The scheduled jobs of contracts and the diary: each idempotent (run twice, or again after a crash
half-way, changes nothing more), and each runnable by hand for a given week."""

import dataclasses

import pytest

from chalicelib.domain.tenancy import TenantId
from chalicelib.domain.time import BillingWeek
from chalicelib.jobs import registry, runner
from chalicelib.services.timesheets import week_minutes
from tests.integration.contract_helpers import (
    apply,
    approved,
    at,
    hire,
    log,
    offer,
    published_opening,
    run_job,
    sign_in,
)
from tests.integration.helpers import business, call

pytestmark = pytest.mark.integration
W48 = BillingWeek(2026, 48)


@pytest.fixture
def own_table(fresh_table):
    """The jobs read platform indexes: each test gets a table of its own to count what they do."""
    return fresh_table


def test_the_schedule_in_app_matches_the_jobs(app):
    jobs = registry.load()
    scheduled = {
        source.name.replace("_", "-"): source.schedule_expression.to_string()
        for source in app.event_sources
        if hasattr(source, "schedule_expression")
    }
    assert scheduled == {name: f"cron({job.cron})" for name, job in jobs.items() if job.scheduled}
    assert all(name.startswith("backfill-") for name, job in jobs.items() if not job.scheduled)


def test_a_weekly_job_refuses_a_week_whose_time_has_not_come(own_table, deps):
    deps.clock.now = at(30, 11, 59)
    with pytest.raises(runner.NotReady, match="Mon 30 Nov 12:00"):
        runner.run("lock-week", deps=deps, week=W48)
    deps.clock.now = at(30, 12, 0)
    assert runner.run("lock-week", deps=deps).week == "2026-W48"


def test_the_lock_after_a_crash_half_way_ends_as_one_clean_run(own_table, client, deps, monkeypatch):
    contracts = [hire(client, deps, now=at(23, 8)) for _ in range(3)]
    deps.clock.now = at(27, 20)
    for hired in contracts:
        sign_in(client, hired["agent"])
        log(client, hired["agent"], hired["contract"]["id"], at(26, 9), at(26, 10))
    deps.clock.now = at(30, 12, 5)
    job = registry.load()["lock-week"]
    real = job.work
    calls = []

    def crash_on_second(run, task):
        calls.append(task)
        if len(calls) == 2:
            raise RuntimeError("the worker died")
        return real(run, task)

    monkeypatch.setitem(registry.JOBS, "lock-week", dataclasses.replace(job, work=crash_on_second))
    first = runner.run("lock-week", deps=deps)
    monkeypatch.setitem(registry.JOBS, "lock-week", job)
    assert (first.planned, first.changed, len(first.failures)) == (3, 2, 1)
    second = runner.run("lock-week", deps=deps)
    assert (second.planned, second.changed, second.failures) == (3, 1, [])
    third = runner.run("lock-week", deps=deps)
    assert third.changed == 0
    for hired in contracts:
        (line,) = week_minutes(TenantId(hired["owner"]["tenant_id"]), W48)
        assert (line.status, line.minutes.billed) == ("locked", 60)


def test_the_lock_closes_forgotten_clocks_first(own_table, client, deps):
    hired = hire(client, deps, now=at(29, 8), start_date="2026-11-29")
    someone, cid = hired["agent"], hired["contract"]["id"]
    deps.clock.now = at(29, 21)  # Sunday 21:00; due 12 hours later, Monday 09:00
    assert (
        call(client, "POST", f"/api/v1/contracts/{cid}/clock-in", token=someone["token"]).status_code == 201
    )
    deps.clock.now = at(30, 12, 1)  # nothing swept it before the lock
    report = run_job("lock-week", deps)
    assert report.prepared == 1
    (line,) = week_minutes(TenantId(hired["owner"]["tenant_id"]), W48)
    assert (line.status, line.minutes.billed) == ("locked", 180)  # Sunday 21:00 to Monday 00:00
    sign_in(client, someone)
    w49 = call(client, "GET", f"/api/v1/contracts/{cid}/timesheets/2026-W49", token=someone["token"]).json
    assert [e["minutes"] for e in w49["entries"]] == [540]
    assert w49["entries"][0]["flag"] == "closed automatically after 12 hours"


def test_offers_expire_once_with_a_mail(own_table, client, deps):
    hired = hire(client, deps)
    opening = published_opening(client, hired["owner"], seats=1)
    someone = approved(client, hired["ops"])
    sent = offer(client, hired["owner"], apply(client, someone, opening)["id"])
    deps.clock.advance(days=6, hours=23)
    assert run_job("expire-offers", deps).planned == 0
    deps.clock.advance(hours=2)
    report = run_job("expire-offers", deps)
    assert (report.planned, report.changed) == (1, 1)
    assert run_job("expire-offers", deps).planned == 0
    assert "expired" in deps.mailer.last_to(hired["owner"]["email"]).subject
    sign_in(client, hired["owner"])
    assert (
        call(client, "GET", f"/api/v1/contracts/{sent['id']}", token=hired["owner"]["token"]).json["status"]
        == "expired"
    )
    application = call(
        client, "GET", f"/api/v1/openings/{opening['id']}/applications", token=hired["owner"]["token"]
    ).json
    assert application["applications"][0]["status"] == "shortlisted"


def test_an_idle_hourly_contract_pauses_itself_after_30_days(own_table, client, deps):
    hired = hire(client, deps)
    other = hire(client, deps, ops=hired["ops"], owner=business(client), now=None)
    deps.clock.now = at(23, 20)
    sign_in(client, other["agent"])
    log(client, other["agent"], other["contract"]["id"], at(23, 9), at(23, 10))
    deps.clock.now = at(22, 9, month=12)  # 29 days after the start, 29 days after the entry
    assert run_job("pause-idle", deps).changed == 0
    deps.clock.now = at(23, 8, 1, month=12)  # 30 days after the first contract started
    report = run_job("pause-idle", deps)
    assert report.changed == 1
    assert run_job("pause-idle", deps).changed == 0
    sign_in(client, hired["owner"]), sign_in(client, other["owner"])
    first = call(
        client, "GET", f"/api/v1/contracts/{hired['contract']['id']}", token=hired["owner"]["token"]
    ).json
    assert (first["status"], first["pause_reason"]) == ("paused", "no time logged for 30 days")
    assert "paused" in deps.mailer.last_to(hired["agent"]["email"]).subject
    assert "paused" in deps.mailer.last_to(hired["owner"]["email"]).subject
    # deskhire's reason is given as deskhire's, not quoted as the parties' words
    told = deps.mailer.last_to(hired["agent"]["email"]).text
    assert told.startswith("deskhire paused the contract: no time logged for 30 days.")
    assert "no time logged" not in told.split("own words (not deskhire's):")[1]
    second = call(
        client, "GET", f"/api/v1/contracts/{other['contract']['id']}", token=other["owner"]["token"]
    ).json
    assert second["status"] == "active"  # its entry ended 09:00-10:00 on the 23rd: due an hour later
