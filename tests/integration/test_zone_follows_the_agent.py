"""An agent who moves reads their contracts on their new clock (issue 14, item 8): the zone a
contract keeps for its agent follows the profile (services/contracts/agent_zone.py), on the
portal's profile page as through the API, on every contract of theirs, the offers waiting too;
while what the contract defines stays where it was: its dates and coverage on the business's
clock, and the business's own readers on theirs (docs/contracts.md, "Whose clock")."""

import pytest

from chalicelib.mail import Subject
from tests.integration.contract_helpers import (
    apply,
    approved,
    at,
    hire,
    log,
    offer,
    offer_body,
    published_opening,
    sign_in,
    timesheet,
)
from tests.integration.helpers import business, call, operator
from tests.integration.portal_helpers import signed_in

pytestmark = pytest.mark.integration

LISBON, SAO_PAULO, KOLKATA = "Europe/Lisbon", "America/Sao_Paulo", "Asia/Kolkata"
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]


def _contract(tenant_id: str, contract_id: str):
    from chalicelib.domain.tenancy import TenantId
    from chalicelib.store.contracts import ContractRecord, contract_key

    return ContractRecord.load(*contract_key(TenantId(tenant_id), contract_id))


def _refused(response, code: str) -> str:
    assert response.status_code == 409 and response.json["error"]["code"] == code, response.json
    return response.json["error"]["message"]


def _profile_form(time_zone: str) -> dict[str, str]:
    """The profile as contract_helpers.approved left it (helpers.profile_body), in a new zone."""
    fields = {
        "headline": "Calm, quick email support",
        "min_rate": "20",
        "currency": "usd",
        "language_0": "en",
        "level_0": "c2",
        "language_1": "pt",
        "level_1": "native",
        "time_zone": time_zone,
    }
    for row, day in enumerate(WEEKDAYS):
        fields |= {f"window_{row}_day": day, f"window_{row}_start": "14:00", f"window_{row}_end": "22:00"}
    return fields


def _world(client, deps) -> dict:
    """Ana in Lisbon: a running contract with a business in New York (from Mon 23 Nov 08:00 UTC),
    and an offer waiting from a second business; Bea, also in Lisbon, hired by the first."""
    ops = operator(client, deps)
    ana = approved(client, ops, time_zone=LISBON, name="Ana Lisboa")
    hired = hire(client, deps, ops=ops, someone=ana)
    other = business(client)
    waiting = offer(client, other, apply(client, ana, published_opening(client, other))["id"])
    bea = hire(client, deps, ops=ops, owner=hired["owner"])
    return {
        "hired": hired,
        "ana": ana,
        "owner": hired["owner"],
        "other": other,
        "waiting": waiting,
        "bea": bea,
    }


def test_an_agent_who_moves_reads_refusals_timesheets_and_mail_on_the_new_clock(client, deps):
    world = _world(client, deps)
    ana, owner, cid = world["ana"], world["owner"], world["hired"]["contract"]["id"]
    deps.clock.now = at(24, 12)
    sign_in(client, ana)
    sign_in(client, owner)
    contract_before = call(client, "GET", f"/api/v1/contracts/{cid}", token=owner["token"]).json
    logged = log(client, ana, cid, at(24, 9), at(24, 10))
    assert logged.status_code == 201, logged.json
    # in Lisbon, WET is UTC in November
    clash = _refused(log(client, ana, cid, at(24, 9, 30), at(24, 11)), "overlap")
    assert "(Tue 24 Nov 09:00–10:00 WET)" in clash

    # Ana moves to São Paulo, on the portal's profile page
    browser = signed_in(client, ana["email"])
    browser.get("/agent/profile")
    saved = browser.post("/agent/profile", _profile_form(SAO_PAULO))
    assert saved.status_code == 303, saved.text[:800]

    # the next refusals are on her new clock, with its zone named
    early = _refused(log(client, ana, cid, at(23, 7), at(23, 9)), "outside_contract")
    assert early == "this contract starts at Mon 23 Nov 05:00 America/Sao_Paulo"
    clash = _refused(log(client, ana, cid, at(24, 9, 30), at(24, 11)), "overlap")
    assert "(Tue 24 Nov 06:00–07:00 America/Sao_Paulo)" in clash and "WET" not in clash
    started = call(client, "POST", f"/api/v1/contracts/{cid}/clock-in", token=ana["token"])
    assert started.status_code == 201, started.json
    again = call(client, "POST", f"/api/v1/contracts/{cid}/clock-in", token=ana["token"])
    assert "since Tue 24 Nov 09:00 America/Sao_Paulo;" in _refused(again, "already_clocked_in")
    call(client, "POST", "/api/v1/clock-out", token=ana["token"])
    # ... and the times she logs come back on it
    more = log(client, ana, cid, at(24, 6), at(24, 7))
    assert more.status_code == 201, more.json
    assert more.json["entries"][0]["local_start"] == "2026-11-24T03:00:00-03:00"

    # the timesheet, on the portal and through the API
    page = browser.get(f"/agent/contracts/{cid}/timesheets/2026-W48")
    assert page.status_code == 200
    assert "Tue 24 Nov 06:00–07:00 America/Sao_Paulo" in page.text and "WET" not in page.text
    sheet = timesheet(client, ana, cid, "2026-W48")
    assert sheet["time_zone"] == SAO_PAULO
    assert sheet["local_starts_at"] == "2026-11-22T21:00:00-03:00"  # Monday 00:00 UTC
    assert [e["local_start"] for e in sheet["entries"]] == [
        "2026-11-24T03:00:00-03:00",
        "2026-11-24T06:00:00-03:00",
    ]

    # the business reads its own clock, as before: the review window in New York
    approve = call(
        client, "POST", f"/api/v1/contracts/{cid}/timesheets/2026-W48/approve", token=owner["token"]
    )
    assert "the agent may fix it until Mon 30 Nov 07:00 EST;" in _refused(approve, "week_open")
    # and what the contract defines has not moved: its dates, start and coverage on the business's clock
    contract_after = call(client, "GET", f"/api/v1/contracts/{cid}", token=owner["token"]).json
    for field in ("time_zone", "coverage", "start_date", "end_date", "periods"):
        assert contract_after[field] == contract_before[field], field
    assert contract_after["time_zone"] == "America/New_York"
    shown = browser.get(f"/agent/contracts/{cid}")
    assert "From 2026-11-23 (America/New_York)" in shown.text
    assert "on the business's clock, America/New_York" in shown.text

    # every contract of hers follows, the offer waiting too; another agent's stays
    assert _contract(owner["tenant_id"], cid).agent_time_zone == SAO_PAULO
    assert _contract(world["other"]["tenant_id"], world["waiting"]["id"]).agent_time_zone == SAO_PAULO
    bea = world["bea"]["contract"]["id"]
    assert _contract(owner["tenant_id"], bea).agent_time_zone == LISBON

    # the week locks: the refusal and the dispute's mail are on her new clock
    deps.clock.now = at(30, 13)
    sign_in(client, ana)
    sign_in(client, owner)
    late = _refused(log(client, ana, cid, at(27, 9), at(27, 10)), "week_locked")
    assert late.startswith("week 2026-W48 locked at Mon 30 Nov 09:00 America/Sao_Paulo;")
    entry = logged.json["entries"][0]["id"]
    filed = call(
        client,
        "POST",
        f"/api/v1/contracts/{cid}/entries/{entry}/dispute",
        {"reason": "No chats that hour"},
        token=owner["token"],
    )
    assert filed.status_code == 201, filed.json
    line = Subject.DISPUTE_FILED.line(minutes=60)
    (told,) = [m for m in deps.mailer.sent if m.to == ana["email"] and m.subject == line]
    assert "your entry of Tue 24 Nov 06:00 America/Sao_Paulo (60 minutes)" in told.text
    assert "WET" not in told.text

    # moved again, through the API this time: the contracts follow again
    body = {
        "languages": [{"code": "en", "level": "c2"}],
        "availability": [{"day": "mon", "start": "09:00", "end": "17:00"}],
        "min_rate": {"amount": 2000, "currency": "usd"},
        "time_zone": KOLKATA,
    }
    moved = call(client, "PUT", "/api/v1/agent/profile", body, token=ana["token"])
    assert moved.status_code == 200, moved.json
    late = _refused(log(client, ana, cid, at(27, 9), at(27, 10)), "week_locked")
    assert late.startswith("week 2026-W48 locked at Mon 30 Nov 17:30 IST;")
    assert _contract(world["other"]["tenant_id"], world["waiting"]["id"]).agent_time_zone == KOLKATA


def test_a_contract_left_behind_catches_up_and_an_older_change_never_overwrites_a_newer(client, deps):
    from chalicelib.domain.tenancy import AgentId
    from chalicelib.services.contracts import agent_zone
    from chalicelib.store.contracts import ContractRecord

    world = _world(client, deps)
    ana, owner, cid = world["ana"], world["owner"], world["hired"]["contract"]["id"]
    sign_in(client, ana)
    browser = signed_in(client, ana["email"])
    browser.get("/agent/profile")
    assert browser.post("/agent/profile", _profile_form(SAO_PAULO)).status_code == 303

    # a run that stopped half-way left a contract on the old zone: the next save finishes it,
    # even one that changes nothing else
    left = _contract(owner["tenant_id"], cid)
    left.update(actions=[ContractRecord.agent_time_zone.set(LISBON)])
    assert browser.post("/agent/profile", _profile_form(SAO_PAULO)).status_code == 303
    assert _contract(owner["tenant_id"], cid).agent_time_zone == SAO_PAULO
    # nothing left to write: nothing written
    assert agent_zone.follow(AgentId(ana["id"]), SAO_PAULO) == 0

    # a change the profile no longer says (a newer one came) writes nothing over the newer zone
    left = _contract(owner["tenant_id"], cid)
    left.update(actions=[ContractRecord.agent_time_zone.set(LISBON)])
    assert agent_zone.follow(AgentId(ana["id"]), KOLKATA) == 0
    assert _contract(owner["tenant_id"], cid).agent_time_zone == LISBON
    assert agent_zone.follow(AgentId(ana["id"]), SAO_PAULO) == 1
    assert _contract(owner["tenant_id"], cid).agent_time_zone == SAO_PAULO


def test_an_offer_made_as_the_agent_moves_is_refused_rather_than_kept_on_the_old_zone(
    client, deps, monkeypatch
):
    from chalicelib.services.contracts import offers
    from chalicelib.services.profiles import _agent

    world = _world(client, deps)
    ana = world["ana"]
    owner = business(client)
    application = apply(client, ana, published_opening(client, owner))
    as_read = _agent(ana["id"])  # the business's offer reads Ana in Lisbon ...
    body = {
        "languages": [{"code": "en", "level": "c2"}],
        "availability": [{"day": "mon", "start": "09:00", "end": "17:00"}],
        "min_rate": {"amount": 2000, "currency": "usd"},
        "time_zone": SAO_PAULO,
    }
    # ... she moves before it is written ...
    assert call(client, "PUT", "/api/v1/agent/profile", body, token=ana["token"]).status_code == 200
    # ... and the offer is refused, not made on the zone she has left
    with monkeypatch.context() as patched:
        patched.setattr(offers, "_approved_agent", lambda agent_id: as_read)
        made = call(client, "POST", "/api/v1/offers", offer_body(application["id"]), token=owner["token"])
    assert made.status_code == 409, made.json
    assert made.json["error"]["message"] == "the agent changed their time zone just now; send the offer again"
    again = call(client, "POST", "/api/v1/offers", offer_body(application["id"]), token=owner["token"])
    assert again.status_code == 201, again.json
    assert _contract(owner["tenant_id"], again.json["id"]).agent_time_zone == SAO_PAULO
