"""Timesheets on the JSON API: a contract's week, and the business's early approvals."""

from __future__ import annotations

from chalicelib import composition
from chalicelib.web.api import JsonApi
from chalicelib.web.auth import MEMBER, PARTIES

api = JsonApi(__name__, tag="timesheets", schemas="chalicelib.schemas.timesheets")


def _week(text: str):
    from chalicelib.domain import time

    return time.BillingWeek.parse(text)


@api.get(
    "/api/v1/contracts/{contract_id}/timesheets/{week}",
    response="TimesheetView",
    errors=(404,),
    access=PARTIES,
)
def get_timesheet(contract_id: str, week: str, principal):
    """A week of the contract, in your time zone, with the UTC billing week and its review state."""
    from chalicelib.schemas import timesheets as schemas
    from chalicelib.services import timesheets

    return schemas.timesheet_view(
        timesheets.timesheet(principal, contract_id, _week(week), deps=composition.deps())
    )


@api.post(
    "/api/v1/contracts/{contract_id}/timesheets/{week}/approve",
    response="TimesheetView",
    errors=(404, 409),
    access=MEMBER,
)
def approve_week(contract_id: str, week: str, principal):
    """Approve every undisputed entry of the week early (from the lock to Friday 23:59 UTC)."""
    from chalicelib.schemas import timesheets as schemas
    from chalicelib.services import timesheets

    timesheets.approve(principal, contract_id, _week(week), deps=composition.deps())
    return schemas.timesheet_view(
        timesheets.timesheet(principal, contract_id, _week(week), deps=composition.deps())
    )


@api.post(
    "/api/v1/contracts/{contract_id}/entries/{entry_id}/approve",
    response="TimesheetView",
    errors=(404, 409),
    access=MEMBER,
)
def approve_entry(contract_id: str, entry_id: str, principal):
    """Approve one entry early."""
    from chalicelib.schemas import timesheets as schemas
    from chalicelib.services import timesheets
    from chalicelib.services.diary import entries

    _, entry = entries.find_entry(principal, contract_id, entry_id)
    week = _week(entry.week)
    timesheets.approve(principal, contract_id, week, entry_id=entry_id, deps=composition.deps())
    return schemas.timesheet_view(timesheets.timesheet(principal, contract_id, week, deps=composition.deps()))
