"""The function finds each request's route: API Gateway sends every path through `/{proxy+}`.

Why: API Gateway makes a resource of every distinct path prefix (`/api`, `/api/v1`,
`/api/v1/openings`, ...) and takes 300 per REST API by default; deskhire's routes made 366. So the
packaged REST API has two resources whatever the number of routes, `/` and `/{proxy+}`, each with
one ANY method to this function (local/api_template.py), and API Gateway no longer knows the
route: the event says `resource: /{proxy+}`, `pathParameters: {"proxy": "api/v1/..."}`.

`DeskhireChalice.__call__` (Lambda's entry, `app.app`) matches `event["path"]` against the app's
routes and hands Chalice the event the route's own resource would have sent: its template as
`resource` and `requestContext.resourcePath`, its parameters as `pathParameters`. Chalice then
dispatches, the 405 guards answer the methods a path does not serve, and the middleware runs, as
before. A path no route matches keeps `/{proxy+}` as its resource path and the HTTP middleware
answers it with deskhire's 404 (`no_route`), which API Gateway used to answer itself.

The rule is `chalice local`'s (chalice.local.RouteMatcher): one trailing slash dropped, the routes
tried in sorted order (a fixed segment before a parameter), the first whose segments all fit. That
class cannot be imported in Lambda (Chalice zips only its app.py and __init__.py), so `Routes`
restates it, and tests/unit/test_greedy_routing.py holds them to the same route for every template.
Unlike it, parameters are URL-decoded, as API Gateway presents them: the path arrives still
percent-encoded, so it is split first and an encoded slash stays inside its segment; an empty
segment fills no parameter. `chalice local` and the test client still route with RouteMatcher
themselves (their events name the route) and send only unmatched paths through here
(local/gateway.py), so their 404 is this one too."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple
from urllib.parse import unquote

from chalice.app import Chalice, Request, Response

from chalicelib.web import errors

# The greedy resource and its parameter, as local/api_template.py writes them.
PROXY_RESOURCE = "/{proxy+}"
PROXY_PARAMETER = "proxy"
# The resources that send requests without naming their route: the greedy one and the root.
_UNROUTED = (PROXY_RESOURCE, "/")


class Match(NamedTuple):
    template: str
    params: dict[str, str]


class Routes:
    """The app's route templates, matched against concrete, still percent-encoded paths."""

    def __init__(self, templates: Iterable[str]):
        self._by_length: dict[int, list[tuple[str, list[str]]]] = {}
        for template in sorted(templates):
            segments = template.split("/")
            self._by_length.setdefault(len(segments), []).append((template, segments))

    def match(self, path: str) -> Match | None:
        if path != "/" and path.endswith("/"):
            path = path[:-1]
        segments = path.split("/")
        for template, expected in self._by_length.get(len(segments), ()):
            params = _fit(expected, segments)
            if params is not None:
                return Match(template, params)
        return None


def _fit(expected: list[str], segments: list[str]) -> dict[str, str] | None:
    params: dict[str, str] = {}
    for want, got in zip(expected, segments, strict=True):
        if want.startswith("{") and want.endswith("}"):
            if not got:
                return None
            params[want[1:-1]] = unquote(got)
        elif want != got:
            return None
    return params


def routed(event: dict[str, Any], routes: Routes) -> dict[str, Any]:
    """The event as the route's own resource would have sent it; an event that names its route
    already (the local gateway's, or any but the greedy resource's and the root's) as it came.
    A path no route matches is left on the greedy resource, for `no_route`."""
    if event.get("resource") not in _UNROUTED:
        return event
    match = routes.match(event.get("path") or "/")
    context = event.get("requestContext") or {}
    if match is None:
        return {**event, "requestContext": {**context, "resourcePath": PROXY_RESOURCE}}
    return {
        **event,
        "resource": match.template,
        # API Gateway sends null, not {}, to a resource without parameters.
        "pathParameters": match.params or None,
        "requestContext": {**context, "resourcePath": match.template},
    }


def is_unrouted(request: Request) -> bool:
    return request.path == PROXY_RESOURCE


def no_route(request: Request) -> Response:
    """deskhire's 404 for a path no route matches: on a page's path (outside /api) a browser (an
    Accept header that asks for text/html first) gets the portal's "page not found" with a way
    back, as for a wrong method (web/api.py's guards); everything else the JSON error."""
    from chalicelib.web.api import wants_html

    path = (request.uri_params or {}).get(PROXY_PARAMETER) or ""
    api = path == "api" or path.startswith("api/")
    if not api and wants_html(request.headers.get("accept")):
        from chalicelib.web import pages

        return pages.render("not_found.html", status=404, principal=None, title="Page not found")
    return errors.error_response(404, "not_found", "There is no such route.")


class DeskhireChalice(Chalice):
    """Chalice, finding the route of a request that came through the greedy resource before it
    dispatches (see the module's docstring for why API Gateway no longer does)."""

    _routes: Routes | None = None
    _routes_of: int = 0

    def __call__(self, event: Any, context: Any) -> dict[str, Any]:
        return super().__call__(routed(event, self._route_table()), context)

    def _route_table(self) -> Routes:
        # Built on the first request, once every route is registered (the 405 guards last); again
        # only if a path is added later (tests do).
        if self._routes is None or self._routes_of != len(self.routes):
            self._routes, self._routes_of = Routes(self.routes), len(self.routes)
        return self._routes
