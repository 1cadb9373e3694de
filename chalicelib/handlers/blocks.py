"""A block contract's hours on the JSON API: the balance, further blocks, the automatic top-up."""

from __future__ import annotations

from chalicelib import composition
from chalicelib.web.api import JsonApi
from chalicelib.web.auth import MEMBER

api = JsonApi(__name__, tag="blocks", schemas="chalicelib.schemas.blocks")


@api.get(
    "/api/v1/contracts/{contract_id}/blocks",
    response="BlockBalanceView",
    errors=(404, 409),
    access=MEMBER,
)
def block_balance(contract_id: str, principal):
    """A block contract's hours: bought, used, left, the block waiting for payment, the top-up."""
    from chalicelib.schemas import blocks as schemas
    from chalicelib.services.blocks import hours

    return schemas.block_balance_view(hours.balance(principal, contract_id))


@api.post(
    "/api/v1/contracts/{contract_id}/blocks",
    body="BlockBody",
    response="BlockBalanceView",
    status=201,
    errors=(404, 409),
    access=MEMBER,
)
def buy_block(contract_id: str, body, principal):
    """Buy another block (1 to 2,000 hours), invoiced and charged now; its hours may be logged once paid."""
    from chalicelib.schemas import blocks as schemas
    from chalicelib.services.blocks import purchase

    return schemas.block_balance_view(
        purchase.buy(
            principal, contract_id, minutes=body.block_minutes, number=body.number, deps=composition.deps()
        )
    )


@api.post(
    "/api/v1/contracts/{contract_id}/blocks/{number}/cancel",
    response="BlockBalanceView",
    errors=(404, 409),
    access=MEMBER,
)
def cancel_block(contract_id: str, number: str, principal):
    """Withdraw a further block not paid yet (void at Stripe); a paid one stays, and its unused hours
    are refunded when the contract ends."""
    from chalicelib.schemas import blocks as schemas
    from chalicelib.services.blocks import withdrawal

    return schemas.block_balance_view(
        withdrawal.cancel(principal, contract_id, number, deps=composition.deps())
    )


@api.put(
    "/api/v1/contracts/{contract_id}/top-up",
    body="TopUpBody",
    response="BlockBalanceView",
    errors=(404, 409),
    access=MEMBER,
)
def set_top_up(contract_id: str, body, principal):
    """Buy a block automatically when an entry leaves fewer minutes than the threshold (or turn it off)."""
    from chalicelib.schemas import blocks as schemas
    from chalicelib.services.blocks import purchase

    return schemas.block_balance_view(
        purchase.set_top_up(
            principal,
            contract_id,
            enabled=body.enabled,
            threshold_minutes=body.threshold_minutes,
            block_minutes=body.block_minutes,
            deps=composition.deps(),
        )
    )
