"""Marketplace health (issue 16): a known set of events made through the real services and routes
(signups, a card, an opening with two seats, applications, hires, a week's entries, the invoice,
its payment and its payout), then every figure checked against a recomputation from the events
and from the table's own records (the invoice, its fees). Repeats (a webhook delivered again, the
billing run again, a second card) count nothing more."""

from __future__ import annotations

import html
from datetime import date, timedelta
from fractions import Fraction

import pytest

from chalicelib.domain import metrics as metric_rules
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.tenancy import TenantId
from chalicelib.domain.time import BillingWeek
from chalicelib.jobs import runner
from chalicelib.services.metrics import health
from chalicelib.store.billing import InvoiceRecord, invoice_key
from tests.integration.billing_helpers import payout_day
from tests.integration.contract_helpers import (
    MONDAY,
    accept,
    apply,
    approved,
    at,
    log,
    offer,
    published_opening,
    sign_in,
)
from tests.integration.helpers import agent, business, call, operator
from tests.integration.portal_helpers import signed_in

pytestmark = pytest.mark.integration

OPS = Principal(PrincipalKind.OPERATOR, "ops", "Olga Ops")
NOVEMBER, DECEMBER = (date(2026, 11, 1), date(2026, 11, 30)), (date(2026, 12, 1), date(2026, 12, 31))


def _events(client, paying):
    """The scenario; returns what the figures are recomputed from."""
    deps = paying.deps
    deps.clock.now = MONDAY  # 2026-11-23 08:00 UTC
    ops = operator(client, deps)
    first, second = approved(client, ops), approved(client, ops)  # tier 2
    agent(client)  # signs up, never approved
    owner = business(client)
    business(client)  # signs up, does nothing more
    opening = published_opening(client, owner, seats=2)
    applications = [apply(client, someone, opening) for someone in (first, second)]
    offers = [offer(client, owner, a["id"]) for a in applications]
    deps.clock.now = MONDAY + timedelta(hours=1)
    accept(client, first, offers[0]["id"])  # the first seat: time to hire 1 h
    deps.clock.now = MONDAY + timedelta(hours=5)
    accept(client, second, offers[1]["id"])  # the last seat: time to fill 5 h

    deps.clock.now = at(27, 20)
    sign_in(client, first)
    for day, start, end in ((24, 9, 10), (25, 9, 11)):
        assert log(client, first, offers[0]["id"], at(day, start), at(day, end)).status_code == 201
    deps.clock.now = at(30, 12, 30)
    for person in (first, owner):
        sign_in(client, person)
    paying.add_card(owner)
    paying.add_card(owner, card="pm_card_mastercard")  # a replaced card is no new funnel step
    paying.enable_payouts(first, country="US")
    assert all(status == 200 for _, status, _ in paying.forward())
    assert runner.run("bill-week", deps=deps).changed == 1
    assert runner.run("bill-week", deps=deps).changed == 0  # again: nothing new
    assert all(status == 200 for _, status, _ in paying.forward())
    paying.emulator.flush_webhooks()
    for receiver in (paying.webhooks,):  # every platform event delivered a second time
        for delivery in receiver.deliveries:
            if delivery.event is not None:
                paying.post(
                    "/api/v1/webhooks/stripe", delivery.payload, delivery.headers.get("Stripe-Signature", "")
                )
    payout_day(paying)
    assert runner.run("settle-payouts", deps=deps).failures == []
    record = InvoiceRecord.find(
        *invoice_key(TenantId(owner["tenant_id"]), BillingWeek(2026, 48)), consistent=True
    )
    assert record is not None
    return {"owner": owner, "agent": first, "invoice": record}


def test_every_figure_agrees_with_the_events(client, paying):
    world = _events(client, paying)
    invoice = world["invoice"]
    found = health.marketplace_health(OPS, *NOVEMBER)

    # recomputed from the scenario: 2 businesses and 3 agents signed up, 2 approved...
    totals = found.totals
    assert (totals.get("b_signups"), totals.get("a_signups")) == (2, 3)
    assert (totals.get("b_cards"), totals.get("b_first_openings"), totals.get("b_first_hires")) == (1, 1, 1)
    assert (totals.get("a_approved"), totals.get("a_payouts"), totals.get("a_first_contracts")) == (2, 1, 2)
    assert (found.openings, found.openings_filled, found.applications, found.hires) == (1, 1, 2, 2)
    assert found.fill_rate == 1 and found.applications_per_opening == 2
    assert (totals.get("entries"), totals.get("entry_minutes")) == (2, 60 + 120)

    # time to hire (1 h) and to fill (5 h): the mean exactly, median and p90 within the histogram's bound
    assert (found.time_to_hire.count, found.time_to_hire.mean_s) == (1, 3600)
    assert (found.time_to_fill.count, found.time_to_fill.mean_s) == (1, 5 * 3600)
    for figure, exact in ((found.time_to_hire, 3600), (found.time_to_fill, 5 * 3600)):
        for quantile in (figure.median_s, figure.p90_s):
            assert quantile is not None and abs(quantile - exact) <= exact * metric_rules.QUANTILE_ERROR

    # money: the invoice as the table holds it (3 h at 25.00 plus the 5 % client fee), paid once
    assert invoice.total == 7500 + 375 and invoice.amount_paid == invoice.total
    (usd,) = found.money
    assert (usd.currency, usd.gmv, usd.paid) == ("usd", invoice.total, invoice.total)
    assert totals.get("invoices") == totals.get("invoices_paid") == 1
    assert usd.revenue == 0  # recognised on the payout day, in December
    december = health.marketplace_health(OPS, *DECEMBER)
    (usd_december,) = december.money
    fees = invoice.reloaded()
    assert usd_december.revenue == fees.fee_kept + fees.agent_fees == 375 + 600
    assert usd_december.gmv == 0 and usd_december.take_rate is None
    whole = health.marketplace_health(OPS, NOVEMBER[0], DECEMBER[1])
    (usd_whole,) = whole.money
    assert usd_whole.take_rate == Fraction(975, 7875)

    # active: the business (entries, the invoice) and the agent who logged time
    assert (found.businesses.active, found.agents.active) == (1, 1)
    assert (december.businesses.active, december.agents.active) == (0, 0)
    # churn: active in November (the business last on the 30th, the agent on the 25th)
    assert (december.businesses.churn.base, december.businesses.churn.churned) == (1, 1)
    assert (december.agents.churn.base, december.agents.churn.churned) == (1, 1)
    early = health.marketplace_health(OPS, date(2026, 12, 1), date(2026, 12, 27))
    assert (early.businesses.churn.churned, early.agents.churn.churned) == (0, 1)
    assert early.agents.churn.rate == 1 and early.businesses.churn.rate == 0
    assert usd_december.business_ltv is None  # nobody active in December
    assert found.businesses.churn.base == 0 and usd.business_ltv is None

    # funnels and cohorts: November's signups
    assert [(s.stage, s.count) for s in found.businesses.funnel] == [
        ("signup", 2),
        ("card", 1),
        ("opening", 1),
        ("hire", 1),
    ]
    assert found.businesses.funnel[1].drop_off == Fraction(1, 2)
    assert [(s.stage, s.count) for s in found.agents.funnel] == [
        ("signup", 3),
        ("approved", 2),
        ("payouts", 1),
        ("contract", 2),
    ]
    (row,) = found.agents.cohorts
    assert row.month == "2026-11" and row.signups == 3
    assert [r.month for r in whole.businesses.cohorts] == ["2026-11", "2026-12"]
    assert whole.businesses.cohorts[1].signups == 0

    # the daily series covers every day of the period and adds up to the totals
    assert [d for d, _ in found.daily] == [NOVEMBER[0] + timedelta(days=n) for n in range(30)]
    assert sum(c.get("b_signups") for _, c in found.daily) == 2

    # the JSON route says the same, to operators only
    ops = operator(client, paying.deps)
    november = "from=2026-11-01&to=2026-11-30"
    answer = call(client, "GET", f"/api/v1/admin/marketplace-health?{november}", token=ops["token"])
    assert answer.status_code == 200, answer.json
    body = answer.json
    assert (body["from"], body["to"]) == ("2026-11-01", "2026-11-30")
    assert body["currencies"] == [
        {
            "currency": "usd",
            "gmv": {"amount": 7875, "currency": "usd"},
            "paid": {"amount": 7875, "currency": "usd"},
            "revenue": {"amount": 0, "currency": "usd"},
            "take_rate": 0.0,
            "business_lifetime_value": None,
            "agent_lifetime_value": None,
        }
    ]
    assert body["businesses"]["funnel"][1] == {
        "stage": "card",
        "label": "Card on file",
        "count": 1,
        "share_of_first": 0.5,
        "drop_off": 0.5,
    }
    assert (body["openings"], body["hires"], body["fill_rate"]) == (1, 2, 1.0)
    assert body["time_to_fill"]["mean_seconds"] == 5 * 3600
    assert body["agents"]["active"] == 1 and body["agents"]["signups"] == 3
    assert sum(d["counters"].get("entries", 0) for d in body["days"]) == 2
    backwards = call(
        client, "GET", "/api/v1/admin/marketplace-health?from=2026-12-01&to=2026-11-01", token=ops["token"]
    )
    assert backwards.status_code == 400
    owner = world["owner"]
    for person in (owner, world["agent"]):
        sign_in(client, person)
        refused = call(client, "GET", f"/api/v1/admin/marketplace-health?{november}", token=person["token"])
        assert refused.status_code in (403, 404), refused.json
        assert "7875" not in refused.body.decode()

    # the page: figures, funnels with drop-off, cohorts, bars, CSV of each table
    desk = signed_in(client, ops["email"])
    assert 'href="/admin/health"' in desk.get("/admin").text
    page = desk.get(f"/admin/health?{november}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "78.75 USD" in text and "Card on file" in text and "50.0 %" in text
    assert "2026-11" in text and text.count("<svg") == 3
    assert f"/admin/health.csv?table=cohorts&{november}" in text
    csv = desk.get(f"/admin/health.csv?table=funnels&{november}")
    assert csv.status_code == 200 and "attachment" in csv.headers["Content-Disposition"]
    lines = csv.body.decode("utf-8-sig").splitlines()
    assert lines[0] == "side,stage,count,share_of_first,drop_off"
    assert lines[2] == "businesses,Card on file,1,0.5000,0.5000"
    money_csv = desk.get(f"/admin/health.csv?table=money&{november}").body.decode("utf-8-sig").splitlines()
    assert money_csv[1].startswith("usd,78.75,78.75,0.00,0.0000")
    assert desk.get("/admin/health?from=2026-13-01").status_code == 400
    business_desk = signed_in(client, owner["email"])
    assert business_desk.get(f"/admin/health?{november}").status_code in (403, 404)


def test_only_operators_read_it(client, paying):
    from chalicelib.domain.errors import Forbidden

    with pytest.raises(Forbidden):
        health.marketplace_health(Principal(PrincipalKind.AGENT, "a", "Ada"), *NOVEMBER)
    del client
