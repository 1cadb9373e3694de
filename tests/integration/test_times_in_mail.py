"""Times in mail and in refusals are on the reader's clock, with the zone named, written as the
portal writes them (issue 14, item 8): the business in New York reads EST, the agent in São Paulo
reads America/Sao_Paulo (its abbreviation is only "-03"); a mail to both sides gives each their
own."""

import pytest

from chalicelib.mail import Subject
from tests.integration.contract_helpers import approved, at, hire, log, sign_in
from tests.integration.helpers import call, operator

pytestmark = pytest.mark.integration

SAO_PAULO = "America/Sao_Paulo"


def mail(deps, to: str, subject):
    line = subject.line() if isinstance(subject, Subject) else subject
    (found,) = [m for m in deps.mailer.sent if m.to == to and m.subject == line]
    return found


def _hired(client, deps, **offer):
    ops = operator(client, deps)
    return hire(client, deps, ops=ops, someone=approved(client, ops, time_zone=SAO_PAULO), **offer)


def test_the_offer_and_its_acceptance_on_each_sides_clock(client, deps):
    hired = _hired(client, deps)  # offered and accepted Mon 23 Nov 08:00 UTC
    offered = mail(deps, hired["agent"]["email"], Subject.OFFER_RECEIVED)
    # the offer lasts 7 days: Mon 30 Nov 08:00 UTC, 05:00 in São Paulo
    assert "accept or decline by Mon 30 Nov 05:00 America/Sao_Paulo" in offered.text
    accepted = mail(deps, hired["owner"]["email"], Subject.OFFER_ACCEPTED)
    # the start date's midnight in New York has passed: it runs from the acceptance, 03:00 EST
    assert "The contract runs from Mon 23 Nov 03:00 EST." in accepted.text
    assert "UTC" not in accepted.text


def test_a_disputed_entry_is_named_on_each_readers_clock(client, deps):
    from tests.integration.test_team_api import invite_and_accept

    hired = _hired(client, deps)
    someone, owner, cid = hired["agent"], hired["owner"], hired["contract"]["id"]
    deps.clock.now = at(24, 12)
    sign_in(client, someone)
    entry = log(client, someone, cid, at(24, 9), at(24, 10)).json["entries"][0]["id"]
    deps.clock.now = at(30, 13)  # W48 locked
    sign_in(client, owner)
    mate = invite_and_accept(client, deps, owner, "manager")
    filed = call(
        client,
        "POST",
        f"/api/v1/contracts/{cid}/entries/{entry}/dispute",
        {"reason": "No chats that hour"},
        token=mate["token"],
    )
    assert filed.status_code == 201, filed.json

    told_agent = mail(deps, someone["email"], Subject.DISPUTE_FILED.line(minutes=60))
    # Tue 24 Nov 09:00 UTC; the review closes Sat 05 Dec 00:00 UTC
    assert "your entry of Tue 24 Nov 06:00 America/Sao_Paulo (60 minutes)" in told_agent.text
    assert "before the review closes at Fri 04 Dec 21:00 America/Sao_Paulo" in told_agent.text
    told_owner = mail(deps, owner["email"], Subject.DISPUTE_FILED_BY_TEAM.line(minutes=60))
    assert "the agent's entry of Tue 24 Nov 04:00 EST (60 minutes)" in told_owner.text
    for told in (told_agent, told_owner):
        assert "UTC" not in told.text


def test_a_refusal_names_its_times_on_the_clock_of_the_one_refused(client, deps):
    hired = _hired(client, deps)  # runs from Mon 23 Nov 08:00 UTC
    someone, owner, cid = hired["agent"], hired["owner"], hired["contract"]["id"]
    deps.clock.now = at(24, 12)
    sign_in(client, someone), sign_in(client, owner)

    def refused(response, code: str) -> str:
        assert response.status_code == 409 and response.json["error"]["code"] == code, response.json
        message = response.json["error"]["message"]
        assert "UTC" not in message
        return message

    early = refused(log(client, someone, cid, at(23, 7), at(23, 9)), "outside_contract")
    assert early == "this contract starts at Mon 23 Nov 05:00 America/Sao_Paulo"
    logged = log(client, someone, cid, at(24, 9), at(24, 10))
    assert logged.status_code == 201, logged.json
    clash = refused(log(client, someone, cid, at(24, 9, 30), at(24, 11)), "overlap")
    assert "(Tue 24 Nov 06:00–07:00 America/Sao_Paulo)" in clash
    approve = call(
        client, "POST", f"/api/v1/contracts/{cid}/timesheets/2026-W48/approve", token=owner["token"]
    )
    assert "the agent may fix it until Mon 30 Nov 07:00 EST;" in refused(approve, "week_open")
    started = call(client, "POST", f"/api/v1/contracts/{cid}/clock-in", token=someone["token"])
    assert started.status_code == 201, started.json
    again = call(client, "POST", f"/api/v1/contracts/{cid}/clock-in", token=someone["token"])
    assert "since Tue 24 Nov 09:00 America/Sao_Paulo;" in refused(again, "already_clocked_in")
    call(client, "POST", "/api/v1/clock-out", token=someone["token"])

    deps.clock.now = at(30, 13)  # W48 locked at Mon 30 Nov 12:00 UTC
    sign_in(client, someone)
    late = refused(log(client, someone, cid, at(27, 9), at(27, 10)), "week_locked")
    assert late.startswith("week 2026-W48 locked at Mon 30 Nov 09:00 America/Sao_Paulo;")
