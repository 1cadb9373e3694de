"""Method + path templates (`/v1/invoices/{id}/pay`) to handlers and their parameter declarations."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import invalid


@dataclass
class Route:
    method: str
    template: str
    handler: Callable[..., Any]
    spec: dict[str, Any]
    regex: re.Pattern[str]


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, template: str, handler: Callable[..., Any], spec: dict | None = None) -> None:
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
        self.routes.append(Route(method, template, handler, spec or {}, re.compile(f"^{pattern}$")))

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
