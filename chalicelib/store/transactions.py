"""One user action, one transaction: the helper every multi-item write goes through.

DynamoDB's TransactWriteItems takes at most 100 actions; a larger transaction is refused here,
before anything is sent, rather than half-applied by a caller that split it without meaning to.
A cancelled transaction whose reasons include a failed condition is a Conflict (409): the one the
failing action was registered with (`on_conflict=`), so that a duplicate slug and a duplicate email
in one signup are told apart, or a generic one. One cancelled because another transaction held an
item at the same moment is `Contended`, which callers may retry."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.domain.errors import Conflict, Contended, DomainError
from chalicelib.store import binding

MAX_ACTIONS = 100
# PynamoDB sends the actions grouped in this order (Connection.transact_write_items), and DynamoDB
# returns one cancellation reason per action in the order sent.
_ORDER = ("condition_check", "delete", "put", "update")


class TooManyActions(ValueError):
    pass


class Transaction(TransactWrite):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._on_conflict: dict[str, list[DomainError | None]] = {kind: [] for kind in _ORDER}
        self._before_commit: list[Callable[[Transaction], None]] = []

    def before_commit(self, hook: Callable[[Transaction], None]) -> None:
        """Call `hook(tx)` once just before the transaction commits, to add writes collected while
        the block ran (store/metrics.py merges an event's counters into one update per item)."""
        self._before_commit.append(hook)

    def condition_check(self, model_cls, hash_key, range_key=None, condition=None, *, on_conflict=None):
        super().condition_check(model_cls, hash_key, range_key=range_key, condition=condition)
        self._on_conflict["condition_check"].append(on_conflict)

    def delete(self, model, condition=None, *, add_version_condition=True, on_conflict=None):
        super().delete(model, condition=condition, add_version_condition=add_version_condition)
        self._on_conflict["delete"].append(on_conflict)

    def save(self, model, condition=None, return_values=None, *, on_conflict=None):
        super().save(model, condition=condition, return_values=return_values)
        self._on_conflict["put"].append(on_conflict)

    def update(
        self,
        model,
        actions,
        condition=None,
        return_values=None,
        *,
        add_version_condition=True,
        on_conflict=None,
    ):
        super().update(
            model,
            actions,
            condition=condition,
            return_values=return_values,
            add_version_condition=add_version_condition,
        )
        self._on_conflict["update"].append(on_conflict)

    @property
    def action_count(self) -> int:
        return sum(len(errors) for errors in self._on_conflict.values())

    def conflict_for(self, index: int) -> DomainError | None:
        ordered = [error for kind in _ORDER for error in self._on_conflict[kind]]
        return ordered[index] if 0 <= index < len(ordered) else None

    def _commit(self):
        hooks, self._before_commit = self._before_commit, []
        for hook in hooks:
            hook(self)
        if self.action_count > MAX_ACTIONS:
            raise TooManyActions(
                f"{self.action_count} actions; DynamoDB allows {MAX_ACTIONS} in one transaction"
            )
        if self.action_count == 0:
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
        reasons = error.cancellation_reasons
        for index, reason in enumerate(reasons):
            if reason is not None and reason.code == "ConditionalCheckFailed":
                raise (
                    tx.conflict_for(index)
                    or Conflict(conflict_message or "the change clashes with the current state")
                ) from error
        # Another transaction held one of the items at that moment: nothing was applied, and the
        # same writes may well succeed on a second try.
        if any(reason is not None and reason.code == "TransactionConflict" for reason in reasons):
            raise Contended("someone else changed this at the same moment; try again") from error
        raise
