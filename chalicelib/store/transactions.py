"""One user action, one transaction: the helper every multi-item write goes through.

DynamoDB's TransactWriteItems takes at most 100 actions; a larger transaction is refused here,
before anything is sent, rather than half-applied by a caller that split it without meaning to.
A cancelled transaction whose reasons include a failed condition is a Conflict (409)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.domain.errors import Conflict
from chalicelib.store import binding

MAX_ACTIONS = 100


class TooManyActions(ValueError):
    pass


class Transaction(TransactWrite):
    def _commit(self):
        actions = (
            len(self._condition_check_items)
            + len(self._delete_items)
            + len(self._put_items)
            + len(self._update_items)
        )
        if actions > MAX_ACTIONS:
            raise TooManyActions(f"{actions} actions; DynamoDB allows {MAX_ACTIONS} in one transaction")
        if actions == 0:
            return None
        return super()._commit()


@contextmanager
def transaction(
    *, idempotency_token: str | None = None, conflict_message: str | None = None
) -> Iterator[Transaction]:
    """Collect writes in the block and commit them atomically at its end.

    `idempotency_token` becomes the ClientRequestToken: a retry within 10 minutes with the same
    token and the same writes succeeds without applying them twice."""
    tx = Transaction(connection=binding.connection(), client_request_token=idempotency_token)
    try:
        with tx:
            yield tx
    except TransactWriteError as error:
        reasons = [reason.code for reason in error.cancellation_reasons if reason is not None]
        if "ConditionalCheckFailed" in reasons:
            raise Conflict(
                conflict_message or "the change clashes with the current state", code="conflict"
            ) from error
        raise
