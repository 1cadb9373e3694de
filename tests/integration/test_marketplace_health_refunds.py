"""Marketplace health and refunds (issue 16, docs/metrics.md "Marketplace health"): a refund after
payout gives back the platform's fees on its minutes (the ledger's `clawback.committed`), and the
operators' revenue and take rate lose them on the day of the refund, counted in the refund's own
transaction: once, whether the request is sent again or its transaction is retried after a
conflict; GMV and what was paid do not change. The backfill rebuilds the same figures from the
ledger. Minutes upheld before the payout never become revenue in the first place.

The scenario (test_billing_clawbacks.py): 3 h at 25.00 USD in 2026-W48, invoiced 78.75 USD on
Monday 30 Nov (75.00 and the 5 % client fee), paid out on Wednesday 9 Dec with the tier-2 agent's
8 % fee: revenue 3.75 + 6.00 = 9.75 USD that day."""

from __future__ import annotations

import html
from datetime import UTC, date, datetime
from fractions import Fraction

import pytest

from chalicelib.domain.ledger import balance
from chalicelib.domain.tenancy import TenantId
from chalicelib.jobs import registry, runner
from chalicelib.services.clawbacks import overview, refunds
from chalicelib.services.metrics import health
from chalicelib.store import ledger as ledger_store
from tests.integration.billing_helpers import payout_day, worked_week
from tests.integration.contract_helpers import at, sign_in
from tests.integration.helpers import call
from tests.integration.portal_helpers import signed_in
from tests.integration.test_billing_clawbacks import invoice, paid_out, refund
from tests.integration.test_marketplace_health import OPS
from tests.integration.test_marketplace_health_backfill import _comparable, _forget_the_counting

pytestmark = pytest.mark.integration

WHOLE = (date(2026, 11, 1), date(2026, 12, 31))
PAYOUT_DAY, REFUND_DAY, SECOND_REFUND_DAY = date(2026, 12, 9), date(2026, 12, 14), date(2026, 12, 16)


def usd(first: date, last: date) -> health.MoneyFigures:
    (figures,) = health.marketplace_health(OPS, first, last).money
    assert figures.currency == "usd"
    return figures


def revenue_by_day(first: date, last: date) -> dict[date, int]:
    found = health.marketplace_health(OPS, first, last)
    return {day: c.get("revenue_usd") for day, c in found.daily if c.get("revenue_usd")}


def on(paying, hired, moment: datetime) -> None:
    """The clock at `moment`, the operator signed in again."""
    paying.deps.clock.now = moment
    sign_in(paying.client, hired["ops"])


def ledger_revenue(hired) -> int:
    record = invoice(hired)
    postings = ledger_store.postings(TenantId(hired["owner"]["tenant_id"]), record.invoice_id)
    return -balance(postings, "revenue", "usd")


def test_a_refund_after_payout_takes_its_fees_off_revenue_on_its_day_once(client, paying, monkeypatch):
    hired = paid_out(client, paying)
    before = usd(*WHOLE)
    assert (before.gmv, before.paid, before.revenue) == (7875, 7875, 975)
    assert before.take_rate == Fraction(975, 7875)
    assert revenue_by_day(*WHOLE) == {PAYOUT_DAY: 975}

    # Monday 14 Dec: an hour refunded, 25.00 and its 1.25 client fee; the platform gives back the
    # client fee and its 8 % of 25.00 (2.00): 3.25 USD
    on(paying, hired, at(14, 10, month=12))
    made = refund(client, hired)
    assert made.status_code == 201, made.json
    (item,) = overview.of_invoice(invoice(hired))
    assert (int(item.client_fee), int(item.agent_fee)) == (125, 200)
    assert revenue_by_day(*WHOLE) == {PAYOUT_DAY: 975, REFUND_DAY: -325}
    after = usd(*WHOLE)
    assert (after.gmv, after.paid, after.revenue) == (7875, 7875, 650)  # a refund: not less GMV
    assert after.take_rate == Fraction(650, 7875)
    assert after.revenue == ledger_revenue(hired)  # paid 78.75 = transfers 46.00 + refunds 26.25 + 6.50
    assert usd(date(2026, 12, 1), date(2026, 12, 13)).revenue == 975  # the days before stay as they were
    assert usd(REFUND_DAY, date(2026, 12, 31)).revenue == -325
    later = call(
        client,
        "GET",
        "/api/v1/admin/marketplace-health?from=2026-12-14&to=2026-12-31",
        token=hired["ops"]["token"],
    )
    assert later.status_code == 200, later.json
    (money,) = later.json["currencies"]
    assert money["revenue"] == {"amount": -325, "currency": "usd"} and money["gmv"]["amount"] == 0

    # the same request sent again (a double click, a retry after a timeout) answers the refund made
    again = call(
        client,
        "POST",
        f"/api/v1/admin/businesses/{hired['owner']['tenant_id']}/invoices/2026-W48/refunds",
        {
            "contract_id": hired["contract"]["id"],
            "minutes": 60,
            "reason": "logged while the queue was closed",
            "number": 1,
        },
        token=hired["ops"]["token"],
    )
    assert again.status_code == 201 and again.json["id"] == made.json["id"]
    # the payout runs after it (the refund's Stripe part is done; a run finishes nothing more)
    paying.deps.clock.now = at(15, 14, month=12)
    assert runner.run("settle-payouts", deps=paying.deps).failures == []
    assert revenue_by_day(*WHOLE) == {PAYOUT_DAY: 975, REFUND_DAY: -325}

    # Wednesday 16 Dec, 30 minutes more; the invoice changes while the first attempt is made, so
    # its transaction is refused and the refund made again on the invoice as it is now
    on(paying, hired, at(16, 10, month=12))
    attempts = []
    claw_back = refunds.rules.claw_back

    def raced(minutes, line, *, fees):
        attempts.append(minutes)
        if len(attempts) == 1:  # another request saves the invoice meanwhile (its version moves)
            invoice(hired).save_checked()
        return claw_back(minutes, line, fees=fees)

    monkeypatch.setattr(refunds.rules, "claw_back", raced)
    second = refund(client, hired, minutes=30)
    assert second.status_code == 201, second.json
    assert attempts == [30, 30]
    # 12.50 for the half hour: its client fee 0.62 (5 % of 50.00, 2.50, less 5 % of 37.50, 1.88)
    # and the agent fee 1.00 (8 % of 50.00 less 8 % of 37.50)
    (_, second_item) = overview.of_invoice(invoice(hired))
    assert (int(second_item.client_fee), int(second_item.agent_fee)) == (62, 100)
    assert revenue_by_day(*WHOLE) == {PAYOUT_DAY: 975, REFUND_DAY: -325, SECOND_REFUND_DAY: -162}
    final = usd(*WHOLE)
    assert (final.gmv, final.paid, final.revenue) == (7875, 7875, 488) and final.revenue == ledger_revenue(
        hired
    )
    assert final.take_rate == Fraction(488, 7875)

    # the operators' page says so
    page = signed_in(client, hired["ops"]["email"]).get("/admin/health?from=2026-11-01&to=2026-12-31")
    text = html.unescape(page.text)
    assert page.status_code == 200 and "78.75 USD" in text and "4.88 USD" in text
    page = signed_in(client, hired["ops"]["email"]).get("/admin/health?from=2026-12-10&to=2026-12-31")
    assert page.status_code == 200 and "-4.87 USD" in html.unescape(page.text)  # 3.25 and 1.62 given back


def test_the_backfill_rebuilds_revenue_with_the_refunds_after_payout(client, paying):
    hired = paid_out(client, paying)
    on(paying, hired, at(14, 10, month=12))
    assert refund(client, hired).status_code == 201
    reference = _comparable(health.marketplace_health(OPS, *WHOLE))
    assert reference.money[0].revenue == 650

    assert _forget_the_counting() > 0
    assert health.marketplace_health(OPS, *WHOLE).money == []
    job = registry.load()["backfill-marketplace-health"]
    deps = paying.deps
    with pytest.raises(runner.NotReady):  # the first run records its day as the first counted one
        runner.run(job.name, deps=deps, at=datetime(2027, 1, 4, 9, tzinfo=UTC))
    assert runner.run(job.name, deps=deps, at=datetime(2027, 1, 5, 9, tzinfo=UTC)).failures == []
    rebuilt = health.marketplace_health(OPS, *WHOLE)
    assert _comparable(rebuilt) == reference
    assert revenue_by_day(*WHOLE) == {PAYOUT_DAY: 975, REFUND_DAY: -325}
    assert runner.run(job.name, deps=deps, at=datetime(2027, 1, 6, 9, tzinfo=UTC)).changed == 0


def test_minutes_upheld_before_the_payout_never_become_revenue(client, paying):
    """An hour of W48 disputed and upheld before the payout: refunded with its client fee by the
    payout run, and the revenue counted is the fees on the two hours paid out, as the ledger says."""
    hired = worked_week(client, paying)
    owner, cid = hired["owner"], hired["contract"]["id"]
    paying.add_card(owner)
    paying.enable_payouts(hired["agent"], country="US")
    assert runner.run("bill-week", deps=paying.deps).failures == []
    sheet = call(client, "GET", f"/api/v1/contracts/{cid}/timesheets/2026-W48", token=owner["token"]).json
    dispute = call(
        client,
        "POST",
        f"/api/v1/contracts/{cid}/entries/{sheet['entries'][0]['id']}/dispute",
        {"reason": "not us"},
        token=owner["token"],
    ).json
    resolved = call(
        client,
        "POST",
        f"/api/v1/admin/disputes/{dispute['id']}/resolve",
        {"outcome": "upheld", "upheld_minutes": 60, "note": "No work that hour"},
        token=hired["ops"]["token"],
    )
    assert resolved.status_code == 200, resolved.json
    payout_day(paying)
    assert runner.run("settle-payouts", deps=paying.deps).failures == []
    # 5 % of 50.00 and 8 % of 50.00: 2.50 + 4.00
    figures = usd(*WHOLE)
    assert (figures.gmv, figures.paid, figures.revenue) == (7875, 7875, 650)
    assert figures.revenue == ledger_revenue(hired)
    assert revenue_by_day(*WHOLE) == {PAYOUT_DAY: 650}
