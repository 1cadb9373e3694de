"""The per-request context handed to resource handlers."""

from __future__ import annotations

from types import EllipsisType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .emulator import Emulator


class Ctx:
    def __init__(
        self,
        emu: Emulator,
        *,
        params: dict[str, Any] | None = None,
        account: str | None = None,
        path: dict[str, str] | None = None,
        url: str = "",
        request_id: str | None = None,
        idempotency_key: str | None = None,
    ):
        self.emu = emu
        self.store = emu.store
        self.now = emu.now()
        self.params = params or {}
        # The connected account named by the Stripe-Account header; None for the platform.
        self.account = account
        self.path = path or {}
        self.url = url
        self.request_id = request_id
        self.idempotency_key = idempotency_key

    @property
    def public_url(self) -> str:
        return self.emu.public_url

    def emit(
        self,
        type_: str,
        obj: dict[str, Any],
        previous: dict[str, Any] | None = None,
        *,
        account: str | None | EllipsisType = ...,
    ) -> dict[str, Any]:
        """Record an event (and queue its webhooks). `account` defaults to the object's owner."""
        from .events import emit

        owner = obj.get("_account") if account is ... else account
        return emit(self, type_, obj, previous, account=owner)
