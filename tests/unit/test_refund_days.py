"""The day the billing page gives for a refund is the payout run's (issue 14, item 4)."""

from datetime import UTC, datetime

from chalicelib.jobs.schedules import SCHEDULES
from chalicelib.services import refund_states


def test_the_page_names_the_run_the_scheduler_fires():
    minute, hour = SCHEDULES["settle-payouts"].split()[:2]
    assert (refund_states.PAYOUT_RUN.hour, refund_states.PAYOUT_RUN.minute) == (int(hour), int(minute))


def test_a_refund_goes_with_the_first_run_after_it_is_due():
    due = datetime(2026, 12, 9, 0, 0, tzinfo=UTC)  # a payout day, Wednesday 00:00 UTC
    assert refund_states.payout_run_after(due) == datetime(2026, 12, 9, 14, 0, tzinfo=UTC)
    run = datetime(2026, 12, 9, 14, 0, tzinfo=UTC)  # the run itself is past: the next day's
    assert refund_states.payout_run_after(run) == datetime(2026, 12, 10, 14, 0, tzinfo=UTC)
    assert refund_states.payout_run_after(datetime(2026, 12, 31, 15, 0, tzinfo=UTC)) == datetime(
        2027, 1, 1, 14, 0, tzinfo=UTC
    )
