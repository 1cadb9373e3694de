"""An inquiry's life, its SLA targets and the business's reasons (chalicelib/domain/inquiries.py)."""

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.inquiries import (
    Action,
    Priority,
    ReasonTag,
    SlaTargets,
    Status,
    check_message,
    check_reason,
    check_subject,
    check_tags,
    next_status,
    reopens,
    tier_needed,
)

NOW = datetime(2026, 11, 25, 15, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("current", "action", "then"),
    [
        (Status.QUEUED, Action.ASSIGN, Status.ASSIGNED),
        (Status.ASSIGNED, Action.HAND_BACK, Status.QUEUED),
        (Status.ASSIGNED, Action.REPLY, Status.ANSWERED),
        (Status.ANSWERED, Action.CUSTOMER_REPLY, Status.ASSIGNED),
        (Status.ASSIGNED, Action.ESCALATE, Status.ESCALATED),
        (Status.ESCALATED, Action.REPLY, Status.ANSWERED),
        (Status.ANSWERED, Action.RESOLVE, Status.RESOLVED),
        (Status.RESOLVED, Action.CUSTOMER_REPLY, Status.ASSIGNED),
    ],
)
def test_the_path_of_an_inquiry(current, action, then):
    assert next_status(current, action) is then


def test_every_move_not_in_the_table_is_refused():
    allowed = {(s, a) for s in Status for a in Action if not _refused(s, a)}
    # a resolved inquiry only comes back when the customer writes again
    assert {a for s, a in allowed if s is Status.RESOLVED} == {Action.CUSTOMER_REPLY}
    with pytest.raises(Conflict) as refused:
        next_status(Status.RESOLVED, Action.REPLY)
    assert refused.value.code == "inquiry_state"
    assert "resolved cannot be replied to" in refused.value.message


def _refused(status, action) -> bool:
    try:
        next_status(status, action)
    except Conflict:
        return True
    return False


def test_a_customer_answer_reopens_within_fourteen_days_of_resolving():
    assert reopens(Status.ANSWERED, None, NOW)
    assert reopens(Status.RESOLVED, NOW - timedelta(days=14), NOW)
    assert not reopens(Status.RESOLVED, NOW - timedelta(days=14, minutes=1), NOW)


def test_sla_targets_default_and_due_times():
    targets = SlaTargets.default()
    assert targets.to_json() == {"urgent": 60, "high": 240, "normal": 480, "low": 1440}
    assert targets.due(Priority.URGENT, NOW) == NOW + timedelta(hours=1)
    assert [p.rank for p in Priority] == [0, 1, 2, 3]


def test_sla_targets_refuse_what_is_a_typo_not_a_policy():
    good = {"urgent": 30, "high": 120, "normal": 480, "low": 2880}
    assert SlaTargets.of(good).minutes[Priority.URGENT] == 30
    with pytest.raises(InvalidInput) as missing:
        SlaTargets.of({k: v for k, v in good.items() if k != "low"})
    assert missing.value.field == "sla.low"
    with pytest.raises(InvalidInput) as short:
        SlaTargets.of({**good, "urgent": 4})
    assert short.value.field == "sla.urgent"
    with pytest.raises(InvalidInput) as inverted:
        SlaTargets.of({**good, "urgent": 600})
    assert "more urgent" in inverted.value.message


def test_reasons_are_short_words_each_with_its_tier():
    tags = check_tags([ReasonTag("billing"), ReasonTag("refund", tier=2), ReasonTag("order-status")])
    assert tier_needed("refund", tags) == 2
    assert tier_needed("billing", tags) == 1 and tier_needed(None, tags) == 1
    assert check_reason("billing", tags) == "billing" and check_reason(None, tags) is None
    with pytest.raises(InvalidInput) as unknown:
        check_reason("shipping", tags)
    assert unknown.value.field == "reason" and "billing, refund, order-status" in unknown.value.message
    for bad, field in (
        ([ReasonTag("Billing")], "reason_tags.0.tag"),
        ([ReasonTag("a b")], "reason_tags.0.tag"),
        ([ReasonTag("x"), ReasonTag("x")], "reason_tags.1.tag"),
        ([ReasonTag("legal", tier=3)], "reason_tags.0.tier"),
    ):
        with pytest.raises(InvalidInput) as refused:
            check_tags(bad)
        assert refused.value.field == field


def test_subjects_and_messages():
    assert check_subject("  Where is   my order? ") == "Where is my order?"
    with pytest.raises(InvalidInput):
        check_subject("   ")
    with pytest.raises(InvalidInput):
        check_subject("x" * 201)
    assert check_message("Hello\r\nthere\r\n") == "Hello\nthere"
    with pytest.raises(InvalidInput) as empty:
        check_message(" \n ", field="body")
    assert empty.value.field == "body"
    with pytest.raises(InvalidInput):
        check_message("x" * 20_001)
