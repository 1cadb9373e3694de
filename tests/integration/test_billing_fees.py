"""Operators set the fees (DESIGN.md: "set fees"). A change applies from the next invoice planned;
an invoice billed already keeps the schedule it was billed under for its payouts, so changing the
fees never moves money already invoiced. Bad schedules are refused naming the field, a change made
on an older read is a 409, and every change is kept with who made it and why."""

import html

import pytest

from chalicelib.domain.tenancy import TenantId
from chalicelib.domain.time import BillingWeek
from chalicelib.jobs import runner
from chalicelib.services import reconciliation, settlement
from chalicelib.store.billing import InvoiceRecord, invoice_key
from tests.integration.billing_helpers import payout_day, worked_week
from tests.integration.contract_helpers import at, log, sign_in
from tests.integration.helpers import business, call, operator
from tests.integration.portal_helpers import fits_a_phone, signed_in

pytestmark = pytest.mark.integration
W48, W49 = BillingWeek(2026, 48), BillingWeek(2026, 49)
DEFAULTS = {"client_fee_bps": 500, "agent_fee_bps": {"1": 1000, "2": 800, "3": 500}}


def put_fees(client, token, **body):
    return call(client, "PUT", "/api/v1/admin/fees", body, token=token)


def test_operators_change_the_fees_and_bad_schedules_are_refused_by_field(client, paying):
    ops = operator(client, paying.deps)
    shown = call(client, "GET", "/api/v1/admin/fees", token=ops["token"])
    assert shown.status_code == 200
    assert {k: shown.json[k] for k in DEFAULTS} == DEFAULTS
    assert shown.json["version"] == 0 and shown.json["changes"] == []

    for body, field in (
        ({"client_fee_bps": 5000, "agent_fee_bps": DEFAULTS["agent_fee_bps"]}, "client_fee_bps"),
        ({"client_fee_bps": -1, "agent_fee_bps": DEFAULTS["agent_fee_bps"]}, "client_fee_bps"),
        ({"client_fee_bps": 500, "agent_fee_bps": {"1": 1000, "2": 800}}, "agent_fee_bps"),
        ({"client_fee_bps": 500, "agent_fee_bps": {"1": 1000, "2": 3500, "3": 500}}, "agent_fee_bps.2"),
        ({"client_fee_bps": 500, "agent_fee_bps": {"1": 1000, "2": 800, "3": 900}}, "agent_fee_bps.3"),
    ):
        refused = put_fees(client, ops["token"], version=0, **body)
        assert refused.status_code == 400, body
        assert refused.json["error"]["field"] == field, refused.json
    unknown_tier = put_fees(client, ops["token"], client_fee_bps=500, agent_fee_bps={"4": 100})
    assert unknown_tier.status_code == 400 and unknown_tier.json["error"]["field"].startswith("agent_fee_bps")
    assert call(client, "GET", "/api/v1/admin/fees", token=ops["token"]).json["version"] == 0  # nothing saved

    new = {"client_fee_bps": 700, "agent_fee_bps": {"1": 1500, "2": 1200, "3": 600}}
    changed = put_fees(client, ops["token"], version=0, note="pricing review", **new)
    assert changed.status_code == 200, changed.json
    assert {k: changed.json[k] for k in new} == new and changed.json["version"] == 1
    (change,) = changed.json["changes"]
    assert change["before"] == DEFAULTS and change["after"] == new
    assert change["operator"] == "Olga Ops" and change["note"] == "pricing review"

    # a colleague who read version 0 does not overwrite it unseen
    stale = put_fees(client, ops["token"], version=0, **DEFAULTS)
    assert stale.status_code == 409 and stale.json["error"]["field"] == "version"
    # the same schedule sent again changes nothing and adds no history
    again = put_fees(client, ops["token"], version=1, **new)
    assert again.status_code == 200 and again.json["version"] == 1 and len(again.json["changes"]) == 1

    owner = business(client)
    assert call(client, "GET", "/api/v1/admin/fees", token=owner["token"]).status_code == 403
    assert put_fees(client, owner["token"], **DEFAULTS).status_code == 403


def test_a_fee_change_applies_to_the_next_invoice_and_never_to_one_billed_already(client, paying):
    """W48 is billed at the defaults (5% client fee, 8% for the tier-2 agent); the fees then rise to
    7% and 12%. W49's invoice is billed at the new fees; W48 is still paid out at 8%."""
    hired = worked_week(client, paying)  # 3 h at 25.00 USD in W48
    paying.add_card(hired["owner"])
    paying.enable_payouts(hired["agent"], country="US")
    assert runner.run("bill-week", deps=paying.deps).failures == []
    tenant = TenantId(hired["owner"]["tenant_id"])
    w48 = InvoiceRecord.find(*invoice_key(tenant, W48), consistent=True)
    assert (w48.subtotal, w48.client_fee, w48.status) == (7500, 375, "paid")

    new = {"client_fee_bps": 700, "agent_fee_bps": {"1": 1500, "2": 1200, "3": 600}}
    assert put_fees(client, hired["ops"]["token"], version=0, **new).status_code == 200

    paying.deps.clock.now = at(2, 18, month=12)
    sign_in(client, hired["agent"])
    logged = log(client, hired["agent"], hired["contract"]["id"], at(1, 9, month=12), at(1, 12, month=12))
    assert logged.status_code == 201, logged.json
    paying.deps.clock.now = at(7, 12, 30, month=12)
    assert runner.run("bill-week", deps=paying.deps).failures == []
    w49 = InvoiceRecord.find(*invoice_key(tenant, W49), consistent=True)
    assert (w49.subtotal, w49.client_fee, w49.total) == (7500, 525, 8025)
    assert w49.fee_schedule == new
    assert w48.fee_schedule == DEFAULTS  # kept as it was billed

    payout_day(paying)  # Wednesday of W50: W48's payout day
    assert runner.run("settle-payouts", deps=paying.deps).failures == []
    (first,) = settlement.transfers_of(InvoiceRecord.find(w48.pk, w48.sk, consistent=True))
    assert (first.gross, first.fee, first.amount) == (7500, 600, 6900)  # 8%, as billed

    paying.deps.clock.now = at(16, 14, month=12)  # Wednesday of W51: W49's payout day
    assert runner.run("settle-payouts", deps=paying.deps).failures == []
    (second,) = settlement.transfers_of(InvoiceRecord.find(w49.pk, w49.sk, consistent=True))
    assert (second.gross, second.fee, second.amount) == (7500, 900, 6600)  # 12%, as billed
    assert reconciliation.reconcile_tenant(tenant, deps=paying.deps).differences == []


def test_the_operator_sets_fees_in_the_portal(client, paying):
    ops = operator(client, paying.deps)
    desk = signed_in(client, ops["email"])
    assert 'href="/admin/fees"' in desk.get("/admin").text
    page = desk.get("/admin/fees")
    assert page.status_code == 200 and "The defaults: never changed." in page.text
    assert 'name="client_fee"' in page.text and 'value="5"' in page.text and 'value="10"' in page.text
    assert 'name="version" value="0"' in page.text

    form = {
        "client_fee": "6.5",
        "agent_fee_1": "12",
        "agent_fee_2": "9",
        "agent_fee_3": "9.5",
        "version": "0",
    }
    refused = desk.post("/admin/fees", {**form, "note": "try"})
    assert refused.status_code == 400
    text = html.unescape(refused.text)
    assert (
        'id="agent_fee_3-error" class="error"><span class="sr-only">Error: </span>Tier 3 may not pay a higher fee than tier 2'
        in text
    )
    assert '<a href="#agent_fee_3">Tier 3 may not pay a higher fee than tier 2' in text  # the summary
    assert 'value="9.5"' in text  # what was typed stays
    words = desk.post("/admin/fees", {**form, "client_fee": "lots"})
    assert words.status_code == 400 and 'id="client_fee-error"' in words.text

    asked = desk.post("/admin/fees", {**form, "agent_fee_3": "4.25", "note": "Q1 pricing"})
    asked_text = html.unescape(asked.text)
    assert "The client fee added to each invoice goes from 5% to 6.5%." in asked_text
    assert "The agent fee of tier 3 goes from 5% to 4.25%." in asked_text
    assert call(client, "GET", "/api/v1/admin/fees", token=ops["token"]).json["client_fee_bps"] == 500
    done = desk.confirm(asked)
    assert done.status_code == 303
    saved = desk.follow(done)
    text = html.unescape(saved.text)
    assert "Saved: invoices planned from now on" in text
    assert "client fee <strong>6.5%</strong>" in text and "tier 3 <strong>4.25%</strong>" in text
    assert "5% → 6.5%" in text and "Q1 pricing" in text and "Olga Ops" in text
    fits_a_phone(saved)
    assert 'name="version" value="1"' in text
    shown = call(client, "GET", "/api/v1/admin/fees", token=ops["token"]).json
    assert shown["client_fee_bps"] == 650 and shown["agent_fee_bps"] == {"1": 1200, "2": 900, "3": 425}

    stale = desk.post("/admin/fees", {**form, "agent_fee_3": "5"})  # read at version 0
    assert stale.status_code == 409 and "Reload" in stale.text

    owner = business(client)
    shop = signed_in(client, owner["email"])
    assert shop.get("/admin/fees").status_code == 403
    assert shop.post("/admin/fees", form).status_code == 403


def test_one_billing_run_bills_every_business_under_the_fees_read_when_it_was_planned(client, paying):
    """The run reads the fees once, when it plans its tasks (one read, not one per business); a
    change made while its tasks wait in the queue applies from the next run."""
    hired = worked_week(client, paying)
    paying.add_card(hired["owner"])

    class Queue:
        bodies: list[str] = []

        def send(self, bodies):
            self.bodies.extend(bodies)

    queue = Queue()
    assert runner.run("bill-week", deps=paying.deps, queue=queue).planned == 1
    new = {"client_fee_bps": 700, "agent_fee_bps": {"1": 1500, "2": 1200, "3": 600}}
    assert put_fees(client, hired["ops"]["token"], version=0, **new).status_code == 200
    for body in queue.bodies:
        assert runner.work_message(body, deps=paying.deps)
    w48 = InvoiceRecord.find(*invoice_key(TenantId(hired["owner"]["tenant_id"]), W48), consistent=True)
    assert (w48.client_fee, w48.fee_schedule) == (375, DEFAULTS)
