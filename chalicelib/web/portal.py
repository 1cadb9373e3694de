"""Portal pages: server-rendered, usable without JavaScript.

A page is declared on a Portal (a Blueprint wrapper) with who may see it. The wrapper resolves
the session cookie, sends strangers to the login page, checks the CSRF token of every form post
before the handler runs, and turns failures into pages (404, 403, 500 with the request id).

    pages = Portal(__name__)

    @pages.post("/app/team/invites", access=TEAM_MANAGER)
    def invite(ctx: PageContext): ...
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar
from urllib.parse import parse_qs, quote

from chalice.app import Blueprint, Request, Response

from chalicelib.domain.errors import DomainError, Forbidden, NotFound, TooManyRequests, Unauthenticated
from chalicelib.security import tokens
from chalicelib.web import auth as access_rules
from chalicelib.web import pages
from chalicelib.web.errors import validation_details
from chalicelib.web.limits import charge_address, charge_request
from chalicelib.web.observability import current_request_id, log_context, logger
from chalicelib.web.request import body_bytes

if TYPE_CHECKING:
    from pydantic import BaseModel

    from chalicelib.composition import Deps
    from chalicelib.domain.identity import Principal
    from chalicelib.services.sessions import Authenticated, IssuedSession

    _Model = TypeVar("_Model", bound=BaseModel)

_Handler = TypeVar("_Handler", bound=Callable[..., Response])

FORM_TYPES = ["application/x-www-form-urlencoded"]
MAX_FORM_BYTES = 64 * 1024


class PageRoute(NamedTuple):
    method: str
    path: str
    name: str
    access: access_rules.Access
    limit: str | None = None


# Every portal route, for the route-walking tests (CSRF on every post, the isolation probe).
PAGE_ROUTES: list[PageRoute] = []


def cookie_names(is_local: bool) -> tuple[str, str]:
    """(session, csrf). Outside local the `__Host-` prefix pins them to this host, path / and HTTPS."""
    prefix = "" if is_local else "__Host-"
    return f"{prefix}dh_session", f"{prefix}dh_csrf"


def cookie(name: str, value: str, *, max_age: int, secure: bool) -> str:
    parts = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Lax", f"Max-Age={max_age}"]
    if secure:
        parts.append("Secure")
    return "; ".join(parts)


def read_cookies(request: Request) -> dict[str, str]:
    jar: dict[str, str] = {}
    for chunk in (request.headers.get("cookie") or "").split(";"):
        name, sep, value = chunk.strip().partition("=")
        if sep:
            jar.setdefault(name, value)
    return jar


class FormInvalid(Exception):
    def __init__(self, errors: dict[str, str]):
        super().__init__("form invalid")
        self.errors = errors


@dataclass
class PageContext:
    request: Request
    deps: Deps
    authenticated: Authenticated | None  # None: a stranger (only on public pages)
    csrf_token: str
    form_values: dict[str, str] = field(default_factory=dict)
    form_lists: dict[str, list[str]] = field(default_factory=dict)  # every value of repeated fields
    set_cookies: list[str] = field(default_factory=list)

    @property
    def principal(self) -> Principal:
        """Who is signed in. Every page but a public one has someone (the wrapper sends strangers
        to the login page first); on a public page a stranger is Unauthenticated, which the
        wrapper also answers with the login page. A public page that serves both reads `viewer`."""
        if self.authenticated is None:
            raise Unauthenticated("sign in first")
        return self.authenticated.principal

    @property
    def viewer(self) -> Principal | None:
        """Who is signed in, or None for a stranger."""
        return self.authenticated.principal if self.authenticated else None

    @property
    def secure_cookies(self) -> bool:
        return not self.deps.settings.is_local

    def render(self, template: str, *, status: int = 200, **context: Any) -> Response:
        response = pages.render(
            template,
            status=status,
            principal=self.viewer,
            csrf_token=self.csrf_token,
            values=context.pop("values", self.form_values),
            errors=context.pop("errors", {}),
            **context,
        )
        return self._with_cookies(response)

    def redirect(self, location: str) -> Response:
        return self._with_cookies(Response(body="", status_code=303, headers={"Location": location}))

    def _with_cookies(self, response: Response) -> Response:
        if self.set_cookies:
            response.headers["Set-Cookie"] = list(self.set_cookies)
        return response

    def form(self, model: type[_Model]) -> _Model:
        """The posted form as `model` (a pydantic model); FormInvalid with a message per field
        when it does not fit."""
        from pydantic import ValidationError

        values = {k: v for k, v in self.form_values.items() if k in model.model_fields}
        try:
            return model.model_validate(values)
        except ValidationError as error:
            raise FormInvalid(
                {d["field"] or "form": d["message"] for d in validation_details(error)}
            ) from None

    def start_session(self, issued: IssuedSession) -> None:
        session_name, _ = cookie_names(self.deps.settings.is_local)
        seconds = int((issued.expires_at - self.deps.now()).total_seconds())
        self.set_cookies.append(
            cookie(session_name, issued.token, max_age=seconds, secure=self.secure_cookies)
        )

    def end_session(self) -> None:
        session_name, _ = cookie_names(self.deps.settings.is_local)
        self.set_cookies.append(cookie(session_name, "", max_age=0, secure=self.secure_cookies))


# Form fields taken as typed (the password rules decide what a password may be).
RAW_FIELDS = frozenset({"password", "csrf_token"})


def _hidden_characters(lists: dict[str, list[str]]) -> str | None:
    """Every form value is text: no control, bidi-override or zero-width character (newline and
    tab aside), as on the JSON API (chalicelib/schemas/base.py, chalicelib/domain/text.py)."""
    from chalicelib.domain.text import problem_in

    for name, values in lists.items():
        if name in RAW_FIELDS:
            continue
        for value in values:
            if problem := problem_in(value, multiline=True):
                return f"That form could not be read: {problem}."
    return None


def field_errors(error: DomainError) -> dict[str, str]:
    return {error.field or "form": error.message}


class Portal:
    def __init__(self, import_name: str):
        self.blueprint = Blueprint(import_name)

    def get(self, path: str, *, access: access_rules.Access = access_rules.PUBLIC):
        return self._route("GET", path, access)

    def post(self, path: str, *, access: access_rules.Access = access_rules.PUBLIC, limit: str | None = None):
        """`limit`: a rate limit kept per client address (a field of domain.limits.Limits)."""
        return self._route("POST", path, access, limit)

    def _route(
        self, method: str, path: str, access: access_rules.Access, limit: str | None = None
    ) -> Callable[[_Handler], _Handler]:
        def register(handler: _Handler) -> _Handler:
            route = PageRoute(method, path, handler.__name__, access, limit)
            PAGE_ROUTES.append(route)
            view = functools.wraps(handler)(functools.partial(self._invoke, route, handler))
            options = {"content_types": FORM_TYPES} if method == "POST" else {}
            self.blueprint.route(path, methods=[method], **options)(view)
            return handler

        return register

    def _invoke(self, route: PageRoute, handler: Callable[..., Response], **params: str) -> Response:
        from chalicelib.composition import deps as current_deps
        from chalicelib.services.sessions import authenticate

        method, access = route.method, route.access
        request = self.blueprint.current_request
        deps = current_deps()
        session_name, csrf_name = cookie_names(deps.settings.is_local)
        jar = read_cookies(request)
        authenticated = None
        if secret := jar.get(session_name):
            # Only a session issued to the portal: API tokens and keys are no cookies.
            authenticated = authenticate(secret, deps=deps, channel="cookie")
        if authenticated is not None:
            principal = authenticated.principal
            log_context(
                principal_kind=str(principal.kind),
                tenant_id=principal.tenant.value if principal.tenant else None,
            )
            # A portal session always has its token; one without (never issued so) posts nothing.
            csrf = authenticated.csrf_token or ""
            ctx = PageContext(request, deps, authenticated, csrf)
        else:
            # Strangers get a double-submit token: a random cookie echoed by each form.
            csrf = jar.get(csrf_name) or ""
            ctx = PageContext(request, deps, None, csrf)
            if not csrf:
                ctx.csrf_token = tokens.new_secret("csrf")
                ctx.set_cookies.append(
                    cookie(csrf_name, ctx.csrf_token, max_age=86400, secure=ctx.secure_cookies)
                )
        try:
            if not access.public:
                if authenticated is None:
                    return ctx.redirect("/login?next=" + quote(request.path or "/"))
                access_rules.check_access(access, authenticated)
            if authenticated is not None:
                charge_request(authenticated, deps=deps)
            if method == "POST":
                raw = body_bytes(request)
                if len(raw) > MAX_FORM_BYTES:
                    return self._problem(ctx, 413, "That form was too large.")
                lists = parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)
                if problem := _hidden_characters(lists):
                    return self._problem(ctx, 400, problem)
                lists = {k: [v.replace("\r\n", "\n") for v in vs] for k, vs in lists.items()}
                values = {k: v[0] for k, v in lists.items()}
                sent = values.pop("csrf_token", "")
                if not csrf or not sent or not tokens.same(sent, csrf):
                    return self._problem(
                        ctx,
                        403,
                        "This form has expired or did not come from deskhire. Go back, reload the page and try again.",
                    )
                ctx.form_values = values
                ctx.form_lists = lists
                if route.limit is not None:
                    charge_address(route.limit, request, deps=deps)
            return handler(ctx, **params)
        except Unauthenticated:
            return ctx.redirect("/login")
        except TooManyRequests as error:
            response = self._problem(ctx, 429, f"Too many requests: {error.message}.")
            response.headers["Retry-After"] = str(error.retry_after_seconds)
            return response
        except Forbidden as error:
            return self._problem(ctx, 403, error.message)
        except NotFound as error:
            return self._problem(ctx, 404, error.message)
        except DomainError as error:
            return self._problem(ctx, 400, error.message)
        except Exception:
            logger.exception("unhandled error on a page")
            return self._problem(
                ctx, 500, f"Something went wrong on our side (request {current_request_id()})."
            )

    @staticmethod
    def _problem(ctx: PageContext, status: int, message: str) -> Response:
        titles = {
            400: "That did not work",
            403: "Not allowed",
            404: "Not found",
            413: "Too large",
            429: "Slow down",
            500: "Sorry",
        }
        return ctx.render("error.html", status=status, title=titles.get(status, "Error"), message=message)
