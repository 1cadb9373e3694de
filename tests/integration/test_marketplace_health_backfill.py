"""The marketplace health backfill (issue 16; services/metrics/health_backfill.py): the scenario of
test_marketplace_health.py counted as it happened gives the reference figures; then every platform
counter, cohort, activity and funnel marker is deleted, as if the events had happened before the
counting was deployed. The deployment day (4 January) holds an opening from before the deployment
(its count lost) and one from after it and a signup (counted). The job rebuilds November and
December exactly as they were counted, save the two stages no item dates (an agent's approval and
payouts enabled: in the cohorts, not in a day), sets the deployment day whole, and a second run
changes nothing."""

from __future__ import annotations

import dataclasses
import html
from datetime import UTC, date, datetime

import pytest

from chalicelib.domain import marketplace_health as rules
from chalicelib.jobs import registry, runner
from chalicelib.services.metrics import health
from chalicelib.store import platform_metrics, scans
from tests.integration.contract_helpers import published_opening, sign_in
from tests.integration.helpers import business, operator
from tests.integration.portal_helpers import signed_in
from tests.integration.test_marketplace_health import DECEMBER, NOVEMBER, OPS, _events

pytestmark = pytest.mark.integration

UNDATED = ("a_approved", "a_payouts")  # no item says when an agent was approved or enabled payouts
DEPLOYED = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)
JANUARY = (date(2027, 1, 1), date(2027, 1, 31))


def _dated(counters: rules.Counters) -> rules.Counters:
    return rules.Counters({n: v for n, v in counters.values.items() if v and n not in UNDATED})


def _comparable(found: health.Health) -> health.Health:
    """The figures, without the day counters of the stages no item dates."""
    return dataclasses.replace(
        found, totals=_dated(found.totals), daily=[(day, _dated(c)) for day, c in found.daily]
    )


def _forget_the_counting() -> int:
    kinds = (platform_metrics.PlatformDay, platform_metrics.CohortStage, platform_metrics.Activity)
    items = list(scans.every(*kinds, platform_metrics.FunnelMarker))
    for item in items:
        item.delete()
    return len(items)


def test_the_backfill_rebuilds_the_figures_from_before_the_counting(client, paying):
    world = _events(client, paying)
    deps, owner = paying.deps, world["owner"]
    deps.clock.now = DEPLOYED.replace(hour=9)
    sign_in(client, owner)
    published_opening(client, owner, start_date="2027-02-01")  # before the deployment
    reference = {
        period: _comparable(health.marketplace_health(OPS, *period)) for period in (NOVEMBER, DECEMBER)
    }
    assert reference[NOVEMBER].totals.get("b_signups") == 2 and reference[DECEMBER].money[0].revenue == 975

    assert _forget_the_counting() > 0
    forgotten = health.marketplace_health(OPS, *NOVEMBER)
    assert forgotten.totals.values == {} and all(s.count == 0 for s in forgotten.agents.funnel)

    # deployed: from now on every event counts as it happens
    deps.clock.now = DEPLOYED
    business(client)
    published_opening(client, owner, start_date="2027-02-01")
    january = health.marketplace_health(OPS, *JANUARY)
    assert (january.openings, january.totals.get("b_signups")) == (1, 1)

    job = registry.load()["backfill-marketplace-health"]
    assert not job.scheduled
    with pytest.raises(runner.NotReady, match="from 05 Jan 2027"):
        runner.run(job.name, deps=deps, at=DEPLOYED.replace(hour=23))
    first = runner.run(job.name, deps=deps, at=datetime(2027, 1, 5, 9, tzinfo=UTC))
    assert first.failures == [] and first.changed > 0
    again = runner.run(job.name, deps=deps, at=datetime(2027, 1, 6, 9, tzinfo=UTC))
    assert (again.changed, again.failures) == (0, [])  # (and no party is left without its marker)
    assert again.planned == first.planned - 1

    # November and December as they were counted when they happened
    for period in (NOVEMBER, DECEMBER):
        assert _comparable(health.marketplace_health(OPS, *period)) == reference[period]
    november = health.marketplace_health(OPS, *NOVEMBER)
    assert [(s.stage, s.count) for s in november.agents.funnel] == [
        ("signup", 3),
        ("approved", 2),
        ("payouts", 1),
        ("contract", 2),
    ]
    assert november.totals.get("a_approved") == 0  # undated: in the cohort, not in a day
    assert (november.time_to_fill.count, november.time_to_fill.mean_s) == (1, 5 * 3600)
    assert (november.businesses.active, november.agents.active) == (1, 1)
    # the deployment day whole: the opening from before it and the one after; the signup once
    january = health.marketplace_health(OPS, *JANUARY)
    assert (january.openings, january.totals.get("b_signups"), january.totals.get("b_first_openings")) == (
        2,
        1,
        0,
    )
    assert [r.month for r in january.businesses.cohorts] == ["2027-01"]

    # the operators' page shows the old figures
    ops = operator(client, deps)
    page = signed_in(client, ops["email"]).get("/admin/health?from=2026-11-01&to=2026-11-30")
    text = html.unescape(page.text)
    assert page.status_code == 200 and "78.75 USD" in text and "Card on file" in text and "50.0 %" in text
