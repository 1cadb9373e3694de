"""Method + path templates (`/v1/invoices/{id}/pay`) to handlers and their parameter declarations.

Each route names the pinned SDK's params TypedDict for its endpoint (`sdk="InvoicePayParams"`):
what Stripe accepts there (sdk_params.py). Its `spec` then says what the emulator implements of
that and how to coerce it (params.py); a parameter Stripe accepts but the spec leaves out is
refused as not implemented, never ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import sdk_params
from .errors import invalid


@dataclass
class Route:
    method: str
    template: str
    handler: Callable[..., Any]
    spec: dict[str, Any]
    sdk: str
    regex: re.Pattern[str]
    # Parameters this API version removed, with Stripe's own error code for them: name -> (code, message).
    removed: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def schema(self) -> sdk_params.Obj:
        return sdk_params.schema(self.sdk)


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(
        self,
        method: str,
        template: str,
        handler: Callable[..., Any],
        spec: dict | None = None,
        *,
        sdk: str,
        removed: dict[str, tuple[str, str]] | None = None,
    ) -> None:
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
        regex = re.compile(f"^{pattern}$")
        self.routes.append(Route(method, template, handler, spec or {}, sdk, regex, dict(removed or {})))

    def load_schemas(self) -> None:
        """Walk every route's SDK params class now (start-up), so a missing class fails at once."""
        for route in self.routes:
            route.schema  # noqa: B018 - cached by sdk_params.schema

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        # Literal templates win over parameterised ones (`/v1/invoices/search` vs `/v1/invoices/{id}`).
        candidates = sorted(self.routes, key=lambda r: r.template.count("{"))
        for route in candidates:
            if route.method != method:
                continue
            found = route.regex.match(path)
            if found:
                return route, found.groupdict()
        raise invalid(
            f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs or we can help at "
            "https://support.stripe.com/.",
            status=404,
        )
