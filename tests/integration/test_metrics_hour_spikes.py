"""Hour spikes through the `metrics-rollup` job (issue 16): contacts written by the real recording
path (the business's hours and its reasons' hours, in the event's transaction), the job run each
hour and again, one mail for the first hour that stood out on a day and none for the next, the
day's own mail naming its hours, and the dashboard's banner for the hour, closed with its day."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.tenancy import TenantId
from chalicelib.services.metrics import recording
from chalicelib.store import metric_hours, metric_spikes
from chalicelib.store import metrics as store
from chalicelib.store.transactions import transaction
from tests.integration.contract_helpers import at, run_job
from tests.integration.helpers import business
from tests.integration.portal_helpers import signed_in

pytestmark = pytest.mark.integration

SPIKE_SUBJECT = "Your customers are contacting you more than usual"


def contacts(tenant: TenantId, when, reasons: dict[str, int]) -> None:
    """Inquiries created at `when`, so many per reason tag, as the support services record them."""
    with transaction() as tx:
        for reason, count in reasons.items():
            for _ in range(count):
                recording.inquiry_created(tx, tenant, at=when, channel="email", source="api", reason=reason)


def spike_mails(deps) -> list:
    return [m for m in deps.mailer.sent if m.subject == SPIKE_SUBJECT]


def test_an_hour_spike_is_mailed_once_a_day_and_the_day_s_mail_names_its_hours(fresh_table, client, deps):
    deps.clock.now = at(20, 9)
    owner = business(client)  # on New York's clock
    tenant = TenantId(owner["tenant_id"])
    monday = at(23, 0)
    for back in range(28, 0, -1):  # four quiet weeks: 1 to 3 contacts at 10:00, one at 15:00
        day = monday - timedelta(days=back)
        contacts(tenant, day.replace(hour=10, minute=12), {"shipping": 1 + back % 3})
        contacts(tenant, day.replace(hour=15, minute=40), {"billing": 1})
    contacts(tenant, at(23, 10, 5), {"refund": 9, "shipping": 3})  # 12 at 10:00
    contacts(tenant, at(23, 11, 30), {"refund": 8})  # 8 at 11:00, where none is usual
    assert metric_hours.hour_reasons(tenant, 10, at(23, 0).date(), at(23, 0).date()) == {
        at(23, 0).date(): {"refund": 9, "shipping": 3}
    }

    # 11:35: the job looks at 10:00, records it and mails it once, however often it runs
    first = run_job("metrics-rollup", deps, at=at(23, 11, 35))
    again = run_job("metrics-rollup", deps, at=at(23, 11, 35))
    assert (first.changed, first.failures) == (1, []) and (again.changed, again.failures) == (0, [])
    [hour_mail] = spike_mails(deps)
    assert hour_mail.to == owner["email"]
    text = hour_mail.text
    assert "Monday 23 November, 10:00–11:00 UTC (05:00–06:00 America/New_York)" in text
    assert "12 times, against a usual 2 in that hour" in text and "refund" in text
    [ten] = store.open_spikes(tenant)
    assert (ten.key, ten.contacts, ten.drivers[0], ten.mailed_at is not None) == (
        "2026-11-23T10",
        12,
        "refund",
        True,
    )

    # the dashboard's banner names the hour on the owner's clock
    portal = signed_in(client, owner["email"])
    page = portal.get("/app/metrics?from=2026-11-17&to=2026-11-23")
    assert page.status_code == 200
    assert "Contacts spiked Mon 23 Nov 05:00–06:00 EST" in page.text and "12 in the hour" in page.text
    assert 'action="/app/metrics/spikes/2026-11-23T10/dismiss"' in page.text

    # 12:35: 11:00 stands out too: recorded for the dashboard, not mailed (one hour mail a day)
    for _ in range(2):
        assert not run_job("metrics-rollup", deps, at=at(23, 12, 35)).failures
    assert len(spike_mails(deps)) == 1
    eleven = metric_spikes.spike(tenant, "2026-11-23T11")
    assert eleven is not None and eleven.mailed_at is None and eleven.drivers == ["refund"]

    # 00:35 the next day: the day is over and stands out; its mail names the hours, once
    for _ in range(2):
        assert not run_job("metrics-rollup", deps, at=at(24, 0, 35)).failures
    mails = spike_mails(deps)
    assert len(mails) == 2
    day_mail = mails[1].text
    assert "On Monday 23 November your customers contacted you 20 times" in day_mail
    assert "Hour by hour, contacts stood out at 10:00 and 11:00 UTC" in day_mail
    assert "(we wrote to you about 10:00 UTC at the time)" in day_mail
    assert [s.key for s in store.open_spikes(tenant)] == ["2026-11-23", "2026-11-23T11", "2026-11-23T10"]
    # quiet hours never alert: 15:00 had its usual contact every day
    assert [s.key for s in metric_spikes.spikes_between(tenant, at(16, 0).date(), at(24, 0).date())] == [
        "2026-11-23",
        "2026-11-23T10",
        "2026-11-23T11",
    ]

    # the banner shows the day first; closing it closes the day's hours with it
    page = portal.get("/app/metrics?from=2026-11-17&to=2026-11-23")
    assert 'action="/app/metrics/spikes/2026-11-23/dismiss"' in page.text
    closed = portal.post("/app/metrics/spikes/2026-11-23/dismiss")
    assert closed.status_code == 303
    assert store.open_spikes(tenant) == []
    assert "/app/metrics/spikes/" not in portal.get("/app/metrics?from=2026-11-17&to=2026-11-23").text
    assert portal.post("/app/metrics/spikes/2026-11-23T11/dismiss").status_code == 404  # closed with its day


def test_a_re_run_by_hand_over_a_range_finds_the_hours_and_mails_one_a_day(fresh_table, client, deps):
    deps.clock.now = at(1, 9)
    owner = business(client, time_zone="UTC")
    tenant = TenantId(owner["tenant_id"])
    for back in range(28, 0, -1):
        day = at(23, 0) - timedelta(days=back)
        for hour in (9, 10, 14):
            contacts(tenant, day.replace(hour=hour), {"shipping": 2})
    for hour in (9, 10, 14):
        contacts(tenant, at(23, hour, 20), {"refund": 10})
    contacts(tenant, at(24, 14, 20), {"refund": 10})
    for _ in range(2):
        report = run_job("metrics-rollup", deps, at=at(25, 9), first=at(23, 0).date(), last=at(24, 0).date())
        assert not report.failures
    keys = [s.key for s in metric_spikes.spikes_between(tenant, at(23, 0).date(), at(24, 0).date())]
    assert keys == [
        "2026-11-23",
        "2026-11-23T09",
        "2026-11-23T10",
        "2026-11-23T14",
        "2026-11-24",
        "2026-11-24T14",
    ]
    # each day: one mail for its first hour that stood out, then its own, whatever the re-runs
    mails = [m.text for m in spike_mails(deps)]
    assert len(mails) == 4
    assert sum("Monday 23 November, 09:00–10:00 UTC your customers" in m for m in mails) == 1
    assert not any("10:00–11:00 UTC your" in m or "Monday 23 November, 14:00" in m for m in mails)
    assert sum("Tuesday 24 November, 14:00–15:00 UTC your customers" in m for m in mails) == 1
    assert (
        sum("stood out at 09:00, 10:00 and 14:00 UTC (we wrote to you about 09:00" in m for m in mails) == 1
    )
