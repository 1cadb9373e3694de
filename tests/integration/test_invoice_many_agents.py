"""A business with 50 agents on one week's invoice: finalising it counts every agent's earnings in
the support metrics, and one transaction for all of them would be 107 actions (DynamoDB allows
100: the finalisation failed and the invoice was never collected). The first 40 agents count in
the finalisation's transaction, the rest in a transaction of their own
(services/invoicing/labour_metrics.py); each exactly once, also when the run stops in between.
Likewise the payout run's refund of minutes upheld for every agent, which takes each agent's part
off their earnings (107 actions in one transaction: the payout run failed for that invoice).

The invoice is made as the weekly billing run makes it (domain.billing plan_invoice, 50 contracts
of a locked week) and carried through Stripe (the emulator) by the run's own step, `advance`."""

from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.domain import billing as rules
from chalicelib.domain.money import Money, basis_points
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.domain.time import BillingWeek
from chalicelib.ids import new_id
from chalicelib.jobs import runner
from chalicelib.services.invoicing import drafting, invoices, labour_metrics, planning
from chalicelib.services.invoicing.planning import unbilled_index
from chalicelib.store import metric_weeks
from chalicelib.store.billing import SETTLE_SHARDS, InvoiceRecord, invoice_key
from chalicelib.store.contracts import shard_of, stamp
from chalicelib.store.metrics import agent_days, agent_own_days, business_days
from tests.integration.contract_helpers import at
from tests.integration.helpers import business

pytestmark = pytest.mark.integration
W48 = BillingWeek(2026, 48)
MONDAY = W48.starts_at.date()
AGENTS = 50


def _planned_invoice(client, paying) -> tuple[InvoiceRecord, dict[str, int], list[rules.WorkedWeek]]:
    """W48's invoice of a business with a card on file and 50 agents who worked that week, as
    planned by the billing run (Monday 30 Nov 12:30 UTC, the week locked); each agent's lines,
    and the contracts' weeks it was planned from."""
    paying.deps.clock.now = at(30, 12, 30)
    owner = business(client)
    paying.add_card(owner)
    tenant = TenantId(owner["tenant_id"])
    weeks = [
        rules.WorkedWeek(
            contract_id=new_id(),
            agent_id=new_id(),
            title="Customer support",
            agent_name=f"Agent {n}",
            rate_minor=2500,
            billed=2400 - 15 * n,  # 40 hours, less for some
        )
        for n in range(AGENTS)
    ]
    bonus = rules.Bonus(new_id(), weeks[-1].contract_id, weeks[-1].agent_id, 5000, "Holiday cover")
    schedule = rules.FeeSchedule()
    plan = rules.plan_invoice(weeks, [bonus], currency="usd", fees=schedule, week_label=str(W48))
    assert plan is not None
    now = paying.deps.now()
    record = InvoiceRecord(
        *invoice_key(tenant, W48),
        invoice_id=new_id(),
        week=str(W48),
        business_name="Acme Widgets",
        status=str(rules.InvoiceStatus.PLANNED),
        currency=plan.currency,
        lines=[line.to_json() for line in plan.lines],
        subtotal=plan.subtotal,
        client_fee=plan.client_fee,
        total=plan.total,
        fee_schedule=schedule.to_json(),
        created_at=now,
        gsi2pk=unbilled_index(shard_of(tenant.value) % SETTLE_SHARDS),
        gsi2sk=stamp(now),
    )
    record.save_new()
    earned: dict[str, int] = {}
    for line in plan.lines:
        if line.agent_id:
            earned[line.agent_id] = earned.get(line.agent_id, 0) + line.amount
    assert len(earned) == AGENTS and sum(earned.values()) == plan.subtotal
    return record, earned, weeks


def _counted(tenant: TenantId, earned: dict[str, int]) -> None:
    """Every agent's lines counted once: their day for the business, their own day, the business's
    week; the labour cost the sum of them, on the Monday of the week billed."""
    for agent, amount in earned.items():
        (day,) = agent_days(tenant, AgentId(agent), MONDAY, MONDAY)
        (own,) = agent_own_days(AgentId(agent), MONDAY, MONDAY)
        assert day.earnings == own.earnings == {"usd": amount}, agent
    sums = metric_weeks.week_sums(tenant, [MONDAY])
    assert {agent: weeks[MONDAY]["usd"] for agent, weeks in sums.earnings.items()} == earned
    (day,) = business_days(tenant, MONDAY, MONDAY)
    assert day.labour_minor == sum(earned.values())
    assert sums.business[MONDAY]["labour_minor"] == sum(earned.values())


def test_an_invoice_of_fifty_agents_is_finalised_collected_and_counts_each_agent_once(client, paying):
    record, earned, _ = _planned_invoice(client, paying)
    tenant = TenantId(record.pk.removeprefix("T#"))
    record = drafting.advance(record, deps=paying.deps)
    assert record.status == "paid" and record.earnings_pending == []
    _counted(tenant, earned)
    assert labour_metrics.AGENTS_PER_TRANSACTION < AGENTS  # more than one transaction counted them


def test_a_run_stopped_after_the_finalisation_counts_the_other_agents_before_collecting(
    client, paying, monkeypatch
):
    record, earned, _ = _planned_invoice(client, paying)
    tenant = TenantId(record.pk.removeprefix("T#"))

    def crash(_record):
        raise RuntimeError("the run stopped here")

    monkeypatch.setattr(labour_metrics, "finish", crash)
    with pytest.raises(RuntimeError):
        drafting.advance(record, deps=paying.deps)
    monkeypatch.undo()
    stopped = record.reloaded()
    assert stopped.status == "open" and stopped.attempts == 0
    assert len(stopped.earnings_pending) == AGENTS - labour_metrics.AGENTS_PER_TRANSACTION
    counted_agents = {agent for agent in earned if agent_days(tenant, AgentId(agent), MONDAY, MONDAY) != []}
    assert counted_agents == set(earned) - set(stopped.earnings_pending)

    later = paying.deps.now() + timedelta(minutes=15)
    report = runner.run("advance-invoices", deps=paying.deps, at=later)
    assert (report.planned, report.changed, report.failures) == (1, 1, [])
    finished = record.reloaded()
    assert finished.status == "paid" and finished.earnings_pending == []
    _counted(tenant, earned)
    # a run again, and the invoice's step again, count nothing more
    assert runner.run("advance-invoices", deps=paying.deps, at=later + timedelta(hours=1)).changed == 0
    drafting.advance(finished, deps=paying.deps)
    _counted(tenant, earned)


def test_a_payout_run_refunding_an_upheld_hour_of_every_agent_takes_each_off_their_earnings_once(
    client, paying, monkeypatch
):
    record, earned, weeks = _planned_invoice(client, paying)
    tenant = TenantId(record.pk.removeprefix("T#"))
    assert drafting.advance(record, deps=paying.deps).status == "paid"
    # the business disputed an hour of every agent's week, and the operator upheld them all: the
    # contracts' weeks as their timesheets then say (given here rather than made by 50 disputes)
    upheld = [replace(week, payable=week.billed - 60, upheld=60) for week in weeks]
    monkeypatch.setattr(planning, "worked_weeks", lambda _tenant, _week: upheld)
    returned = {
        week.agent_id: rules.hours_amount(week.billed, 2500, "usd")
        - rules.hours_amount(week.billed - 60, 2500, "usd")
        for week in weeks
    }
    payout_day = invoices.payout_due(W48) + timedelta(hours=1)
    report = runner.run("settle-payouts", deps=paying.deps, at=payout_day)
    assert report.failures == [] and report.changed == 1
    settled = record.reloaded()
    assert settled.labour_refunded == returned
    assert (
        settled.refunded
        == sum(returned.values())
        + settled.client_fee
        - basis_points(
            Money(settled.subtotal - sum(returned.values()), "usd"), rules.FeeSchedule().client_fee_bps
        ).minor
    )
    left = {agent: amount - returned[agent] for agent, amount in earned.items()}
    _counted(tenant, left)
    # the run again takes nothing more off
    runner.run("settle-payouts", deps=paying.deps, at=payout_day + timedelta(days=1))
    _counted(tenant, left)
