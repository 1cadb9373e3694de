"""The review of a locked week: early approval, the dispute pre-check, disputes and their endings,
the operator's resolution, the review close, and the minutes billing reads."""

import pytest

from chalicelib.domain.tenancy import TenantId
from chalicelib.domain.time import BillingWeek
from tests.integration.contract_helpers import at, hire, log, run_job, sign_in, timesheet
from tests.integration.helpers import call

pytestmark = pytest.mark.integration
W48 = BillingWeek(2026, 48)


@pytest.fixture
def week_logged(fresh_table, client, deps):
    """Four entries in W48 (60, 90, 30 and 45 minutes); the clock at Monday 13:00 of W49, locked.
    A table of its own, so that the jobs see this business only."""
    hired = hire(client, deps)
    someone, cid = hired["agent"], hired["contract"]["id"]
    deps.clock.now = at(27, 20)
    sign_in(client, someone)
    ids = []
    for start, end, tickets in (
        (at(24, 9), at(24, 10), ["ZD-101", "ZD-102"]),
        (at(25, 9), at(25, 10, 30), []),
        (at(26, 9), at(26, 9, 30), []),
        (at(27, 9), at(27, 9, 45), []),
    ):
        ids.append(log(client, someone, cid, start, end, tickets=tickets).json["entries"][0]["id"])
    deps.clock.now = at(30, 13)
    sign_in(client, someone), sign_in(client, hired["owner"]), sign_in(client, hired["ops"])
    hired["entries"] = ids
    return hired


def url(hired, entry_id, tail=""):
    return f"/api/v1/contracts/{hired['contract']['id']}/entries/{entry_id}{tail}"


def week_minutes(hired):
    from chalicelib.services.timesheets import week_minutes as read

    (line,) = read(TenantId(hired["owner"]["tenant_id"]), W48)
    return line


def test_review_actions_wait_for_the_lock(client, deps):
    hired = hire(client, deps)
    someone, owner, cid = hired["agent"], hired["owner"], hired["contract"]["id"]
    deps.clock.now = at(24, 12)
    sign_in(client, someone), sign_in(client, owner)
    entry = log(client, someone, cid, at(24, 9), at(24, 10)).json["entries"][0]
    early = call(
        client, "POST", url(hired, entry["id"], "/dispute"), {"reason": "too long"}, token=owner["token"]
    )
    assert early.status_code == 409 and early.json["error"]["code"] == "week_open"
    approve = call(
        client, "POST", f"/api/v1/contracts/{cid}/timesheets/2026-W48/approve", token=owner["token"]
    )
    assert approve.status_code == 409 and approve.json["error"]["code"] == "week_open"


def test_approve_early_dispute_and_concede(client, deps, week_logged):
    owner, someone, ids = week_logged["owner"], week_logged["agent"], week_logged["entries"]
    cid = week_logged["contract"]["id"]
    # the lock job has not run, but the week is past its lock: review locks it on the spot
    approved = call(client, "POST", url(week_logged, ids[0], "/approve"), token=owner["token"])
    assert approved.status_code == 200
    assert approved.json["minutes"]["billed"] == 225 and approved.json["minutes"]["approved"] == 60
    assert call(client, "POST", url(week_logged, ids[0], "/approve"), token=owner["token"]).status_code == 409

    evidence = call(client, "GET", url(week_logged, ids[0], "/evidence"), token=owner["token"]).json
    assert (
        evidence["entry"]["tickets"] == ["ZD-101", "ZD-102"] and "2 ticket references" in evidence["backing"]
    )
    bare = call(client, "GET", url(week_logged, ids[1], "/evidence"), token=owner["token"]).json
    assert bare["backing"] == "a memo" and bare["inquiries_available"] is False

    no_reason = call(
        client, "POST", url(week_logged, ids[1], "/dispute"), {"reason": "  "}, token=owner["token"]
    )
    assert no_reason.status_code == 400 and no_reason.json["error"]["field"] == "reason"
    filed = call(
        client,
        "POST",
        url(week_logged, ids[1], "/dispute"),
        {"reason": "No tickets that morning"},
        token=owner["token"],
    )
    assert filed.status_code == 201 and filed.json["status"] == "open" and filed.json["minutes"] == 90
    assert "No tickets that morning" in deps.mailer.last_to(someone["email"]).text
    twice = call(
        client, "POST", url(week_logged, ids[1], "/dispute"), {"reason": "again"}, token=owner["token"]
    )
    assert twice.status_code == 409
    approved_one = call(
        client, "POST", url(week_logged, ids[0], "/dispute"), {"reason": "x"}, token=owner["token"]
    )
    assert approved_one.status_code == 409  # approved is final

    answered = call(
        client,
        "POST",
        url(week_logged, ids[1], "/dispute/messages"),
        {"body": "I was on chat"},
        token=someone["token"],
    )
    assert [m["side"] for m in answered.json["messages"]] == ["agent"]
    not_theirs = call(
        client,
        "POST",
        url(week_logged, ids[1], "/dispute/concede"),
        {"keep_minutes": 30},
        token=owner["token"],
    )
    assert not_theirs.status_code == 403
    too_many = call(
        client,
        "POST",
        url(week_logged, ids[1], "/dispute/concede"),
        {"keep_minutes": 90},
        token=someone["token"],
    )
    assert too_many.status_code == 400 and too_many.json["error"]["field"] == "keep_minutes"
    conceded = call(
        client,
        "POST",
        url(week_logged, ids[1], "/dispute/concede"),
        {"keep_minutes": 60},
        token=someone["token"],
    )
    assert conceded.json["status"] == "resolved" and conceded.json["outcome"] == "conceded"
    assert (conceded.json["upheld_minutes"], conceded.json["released_minutes"]) == (30, 60)

    line = week_minutes(week_logged)
    assert (line.minutes.billed, line.minutes.approved, line.minutes.disputed) == (225, 60, 0)
    assert (line.minutes.upheld, line.minutes.released, line.minutes.payable) == (30, 60, 120)
    assert line.rate_minor == 2500 and line.status == "locked"
    statuses = [e["status"] for e in timesheet(client, owner, cid, "2026-W48")["entries"]]
    assert statuses == ["approved", "resolved", "in_review", "in_review"]


def test_contest_and_the_operator_resolves(client, deps, week_logged):
    owner, someone, ops, ids = (
        week_logged["owner"],
        week_logged["agent"],
        week_logged["ops"],
        week_logged["entries"],
    )
    dispute = call(
        client, "POST", url(week_logged, ids[2], "/dispute"), {"reason": "Duplicate"}, token=owner["token"]
    ).json
    assert (
        call(client, "POST", url(week_logged, ids[2], "/dispute/contest"), token=owner["token"]).status_code
        == 403
    )
    contested = call(client, "POST", url(week_logged, ids[2], "/dispute/contest"), token=someone["token"])
    assert contested.json["status"] == "contested"
    queue = call(client, "GET", "/api/v1/admin/disputes", token=ops["token"]).json["disputes"]
    assert dispute["id"] in [d["id"] for d in queue]
    bad = call(
        client,
        "POST",
        f"/api/v1/admin/disputes/{dispute['id']}/resolve",
        {"outcome": "upheld", "upheld_minutes": 31},
        token=ops["token"],
    )
    assert bad.status_code == 400 and bad.json["error"]["field"] == "upheld_minutes"
    upheld = call(
        client,
        "POST",
        f"/api/v1/admin/disputes/{dispute['id']}/resolve",
        {"outcome": "upheld", "upheld_minutes": 30, "note": "Same tickets as Tuesday"},
        token=ops["token"],
    )
    assert upheld.json["outcome"] == "upheld" and upheld.json["upheld_minutes"] == 30
    assert "Same tickets as Tuesday" in deps.mailer.last_to(someone["email"]).text
    assert "upheld" in deps.mailer.last_to(owner["email"]).subject
    assert dispute["id"] not in [
        d["id"] for d in call(client, "GET", "/api/v1/admin/disputes", token=ops["token"]).json["disputes"]
    ]
    again = call(
        client,
        "POST",
        f"/api/v1/admin/disputes/{dispute['id']}/resolve",
        {"outcome": "rejected"},
        token=ops["token"],
    )
    assert again.status_code == 409
    assert (
        call(
            client,
            "POST",
            "/api/v1/admin/disputes/NOSUCH/resolve",
            {"outcome": "rejected"},
            token=ops["token"],
        ).status_code
        == 404
    )
    assert [
        d["id"]
        for d in call(client, "GET", "/api/v1/agent/disputes", token=someone["token"]).json["disputes"]
    ] == [dispute["id"]]
    withdrawn_case = call(
        client, "POST", url(week_logged, ids[3], "/dispute"), {"reason": "Unclear"}, token=owner["token"]
    )
    assert withdrawn_case.status_code == 201
    withdrawn = call(client, "POST", url(week_logged, ids[3], "/dispute/withdraw"), token=owner["token"])
    assert (withdrawn.json["outcome"], withdrawn.json["released_minutes"]) == ("withdrawn", 45)
    line = week_minutes(week_logged)
    assert (line.minutes.upheld, line.minutes.released, line.minutes.disputed) == (30, 45, 0)


def test_the_review_close_approves_the_rest_and_escalates_open_disputes(client, deps, week_logged):
    owner, ids, cid = week_logged["owner"], week_logged["entries"], week_logged["contract"]["id"]
    locked = run_job("lock-week", deps, week=W48)
    assert (locked.planned, locked.changed) == (1, 1)
    assert run_job("lock-week", deps, week=W48).changed == 0  # idempotent
    call(client, "POST", url(week_logged, ids[0], "/dispute"), {"reason": "Not agreed"}, token=owner["token"])
    with pytest.raises(Exception, match="may run from"):
        run_job("close-review", deps, week=W48)
    deps.clock.now = at(5, 0, 1, month=12)  # Saturday of W49
    closed = run_job("close-review", deps)
    assert (closed.week, closed.planned, closed.changed) == ("2026-W48", 1, 1)
    assert run_job("close-review", deps).changed == 0
    line = week_minutes(week_logged)
    assert (line.status, line.minutes.approved, line.minutes.disputed) == ("closed", 165, 60)
    sign_in(client, owner)
    late = call(
        client, "POST", url(week_logged, ids[1], "/dispute"), {"reason": "late"}, token=owner["token"]
    )
    assert late.status_code == 409 and late.json["error"]["code"] == "review_window_closed"
    dispute = call(client, "GET", url(week_logged, ids[0], "/dispute"), token=owner["token"]).json
    assert dispute["status"] == "contested"
    statuses = [e["status"] for e in timesheet(client, owner, cid, "2026-W48")["entries"]]
    assert statuses == ["disputed", "approved", "approved", "approved"]


def test_the_lock_snapshots_what_is_billed(client, deps, week_logged):
    report = run_job("lock-week", deps)
    assert report.week == "2026-W48" and report.changed == 1
    line = week_minutes(week_logged)
    assert (line.status, line.minutes.billed, line.minutes.awaiting_review) == ("locked", 225, 225)
