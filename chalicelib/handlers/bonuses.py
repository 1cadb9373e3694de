"""Bonuses on the JSON API: a one-off bonus the business grants on a contract."""

from __future__ import annotations

from chalicelib import composition
from chalicelib.web.api import JsonApi
from chalicelib.web.auth import MEMBER, PARTIES

api = JsonApi(__name__, tag="bonuses", schemas="chalicelib.schemas.bonuses")


@api.post(
    "/api/v1/contracts/{contract_id}/bonuses",
    body="BonusBody",
    response="BonusView",
    status=201,
    errors=(404,),
    access=MEMBER,
)
def grant_bonus(contract_id: str, body, principal):
    """Pay the agent a one-off bonus: billed with this week, paid out with its hours."""
    from chalicelib.domain import money
    from chalicelib.schemas import bonuses as schemas
    from chalicelib.services import bonuses

    return schemas.bonus_view(
        bonuses.grant(
            principal,
            contract_id,
            amount=money.Money(body.amount.amount, body.amount.currency),
            note=body.note,
            deps=composition.deps(),
        )
    )


@api.get("/api/v1/contracts/{contract_id}/bonuses", response="BonusList", errors=(404,), access=PARTIES)
def list_bonuses(contract_id: str, principal):
    """The bonuses granted on a contract."""
    from chalicelib.schemas import bonuses as schemas
    from chalicelib.services import bonuses

    return schemas.BonusList(
        bonuses=[schemas.bonus_view(b) for b in bonuses.of_contract(principal, contract_id)]
    )
