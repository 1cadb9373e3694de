"""Typed errors the domain and the services raise. The web edge maps each kind to an HTTP status
(chalicelib/web/errors.py); nothing here knows about HTTP."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule said no. `code` is stable and machine-readable; `field` names the input at fault."""

    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str | None = None,
        extra: dict[str, Any] | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.field = field
        # More machine-readable facts for the client (such as `minutes_left`), beside the message.
        self.extra = extra or {}
        if code is not None:
            self.code = code


class InvalidInput(DomainError):
    """The input is well-formed but breaks a rule (an end before a start, a weak password)."""


class NotFound(DomainError):
    """No such object for this principal. Also the answer for another tenant's object (no leak)."""

    code = "not_found"


class Conflict(DomainError):
    """The request clashes with the current state: a duplicate, a stale version, an illegal step."""

    code = "conflict"


class Contended(Conflict):
    """Someone else changed the same items at the same moment: read again and retry (services
    retry a few times before letting this reach the client as a 409)."""

    code = "contended"


class Forbidden(DomainError):
    """The principal is known but lacks the role for this action."""

    code = "forbidden"


class Unauthenticated(DomainError):
    code = "unauthenticated"


class TooManyRequests(DomainError):
    """Slow down: a throttle or a rate limit said no. `retry_after_seconds` says for how long."""

    code = "too_many_requests"
    retry_after_seconds: int = 60
