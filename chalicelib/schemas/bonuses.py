"""Models of the bonus routes: a one-off bonus the business grants on a contract."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import Field

from chalicelib.schemas import contracts
from chalicelib.schemas.base import Command, View
from chalicelib.schemas.marketplace import MoneyIn, MoneyView

if TYPE_CHECKING:
    from chalicelib.store.contracts import BonusRecord


class BonusBody(Command):
    amount: MoneyIn
    note: str = Field(default="", max_length=300, description="what it is for; the agent sees it")


class BonusView(View):
    id: str
    contract_id: str
    week: str = Field(description="billed with this week's invoice, paid with its hours")
    amount: MoneyView
    note: str
    granted_by: str
    granted_at: datetime


class BonusList(View):
    bonuses: list[BonusView]


def bonus_view(record: BonusRecord) -> BonusView:
    return BonusView(
        id=record.bonus_id,
        contract_id=record.contract_id,
        week=record.week,
        amount=contracts.money_view(record.amount, record.currency),
        note=record.note,
        granted_by=record.granted_by,
        granted_at=record.granted_at,
    )
