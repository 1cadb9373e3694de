"""Portal pages: server-rendered, usable without JavaScript.

A page is declared on a Portal (a Blueprint wrapper) with who may see it. The wrapper resolves
the session cookie, sends strangers to the login page, checks the CSRF token of every form post
before the handler runs, and turns failures into pages (404, 403, 500 with the request id).

    pages = Portal(__name__)

    @pages.post("/app/team/invites", access=TEAM_MANAGER)
    def invite(ctx: PageContext): ...

What every page gets without its handler passing it (PageContext.render): the viewer, the CSRF
token, the form's values and errors (each message in the user's words: web/forms.py), the one-shot
flash message a redirect left (`ctx.redirect(url, flash="Offer sent to Lia")`), the navigation's
counts (web/nav.py) and the page's path (for aria-current). Times render in the viewer's zone
(web/pages.py `when`), bound here for the request.

The conventions a handler keeps (STYLE.md, "The portal's conventions"):
- a POST that succeeds answers 303 to a page (post-redirect-get), with a flash saying what happened;
- a POST that fails re-renders its form with every error (status 400/409), what was typed kept;
- a destructive or money-moving POST confirms first: `if (page := ctx.confirm(...)): return page`
  shows what will happen and re-posts the same fields with `confirm=yes`.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar
from urllib.parse import parse_qs, quote

from chalice.app import Blueprint, Request, Response

from chalicelib.domain.errors import DomainError, Forbidden, NotFound, TooManyRequests, Unauthenticated
from chalicelib.security import tokens
from chalicelib.web import auth as access_rules
from chalicelib.web import pages
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


def flash_cookie_name(is_local: bool) -> str:
    return ("" if is_local else "__Host-") + "dh_flash"


# A flash lives from the redirect to the page it lands on: a minute or two is plenty.
FLASH_SECONDS = 120
MAX_FLASH_LENGTH = 500


def _flash_key(secret: bytes) -> bytes:
    return hmac.new(secret, b"deskhire portal flash", hashlib.sha256).digest()


def sign_flash(message: str, *, secret: bytes, now: datetime) -> str:
    """The one-shot message a redirect leaves for the next page, signed so that nothing but deskhire
    can put words on a deskhire page (a cookie set by a sibling domain, say), and expiring."""
    payload = json.dumps({"m": message[:MAX_FLASH_LENGTH], "e": int(now.timestamp()) + FLASH_SECONDS})
    encoded = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
    signature = hmac.new(_flash_key(secret), encoded.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{encoded}.{signature}"


def read_flash(value: str, *, secret: bytes, now: datetime) -> str | None:
    encoded, _, signature = value.partition(".")
    expected = hmac.new(_flash_key(secret), encoded.encode(), hashlib.sha256).hexdigest()[:32]
    if not signature or not hmac.compare_digest(signature, expected):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
        message, expires = str(data["m"]), int(data["e"])
    except (ValueError, KeyError, TypeError):
        return None
    return message if now.timestamp() <= expires else None


def page_path(request: Request) -> str:
    """The path the browser asked for (chalice's `request.path` is the route's template,
    `/app/contracts/{contract_id}`): the event's own path, or the request context's."""
    event = request.to_original_event() or {}
    return str(event.get("path") or (request.context or {}).get("path") or request.path or "/")


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


# The form field a confirmation page adds when it posts the form again.
CONFIRM_FIELD = "confirm"


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
    flash: str | None = None  # what the redirect that led here said happened
    _flash_shown: bool = False

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

    @property
    def path(self) -> str:
        """The path the browser asked for (not the route's template)."""
        return page_path(self.request)

    def render(self, template: str, *, status: int = 200, **context: Any) -> Response:
        from chalicelib.web import forms, nav

        errors = {name: forms.plain(message) for name, message in (context.pop("errors", None) or {}).items()}
        if self.flash and not self._flash_shown:
            self._flash_shown = True  # shown once: the cookie goes with this answer
            self.set_cookies.append(
                cookie(
                    flash_cookie_name(self.deps.settings.is_local), "", max_age=0, secure=self.secure_cookies
                )
            )
        response = pages.render(
            template,
            status=status,
            principal=self.viewer,
            csrf_token=self.csrf_token,
            values=context.pop("values", self.form_values),
            errors=errors,
            flash=context.pop("flash", self.flash),
            page_path=self.path,
            nav_counts=nav.counts(self.viewer, deps=self.deps) if self.viewer is not None else {},
            **context,
        )
        return self._with_cookies(response)

    def redirect(self, location: str, *, flash: str | None = None) -> Response:
        """303 to `location` (post-redirect-get); `flash`: what happened, shown once on that page."""
        if flash:
            value = sign_flash(flash, secret=self.deps.secret, now=self.deps.now())
            self.set_cookies.append(
                cookie(
                    flash_cookie_name(self.deps.settings.is_local),
                    value,
                    max_age=FLASH_SECONDS,
                    secure=self.secure_cookies,
                )
            )
        return self._with_cookies(Response(body="", status_code=303, headers={"Location": location}))

    @property
    def confirmed(self) -> bool:
        """The person saw the confirmation page and pressed its button."""
        return self.form_values.get(CONFIRM_FIELD) == "yes"

    def confirm(
        self,
        *,
        title: str,
        happens: list[str],
        button: str,
        back: str,
        money: list[str] | None = None,
        danger: bool = True,
    ) -> Response | None:
        """None once confirmed; until then the confirmation page: what will happen (`happens`,
        one sentence each), what money moves (`money`), a button that posts this same form again
        with every field as sent plus `confirm=yes`, and a way back. Usable without JavaScript."""
        if self.confirmed:
            return None
        carried = [
            (name, value)
            for name, values in self.form_lists.items()
            if name not in ("csrf_token", CONFIRM_FIELD)
            for value in values
        ]
        return self.render(
            "confirm.html",
            title=title,
            happens=happens,
            money=money or [],
            button=button,
            back=back,
            action=self.path,
            carried=carried,
            danger=danger,
        )

    def _with_cookies(self, response: Response) -> Response:
        if self.set_cookies:
            response.headers["Set-Cookie"] = list(self.set_cookies)
        return response

    def form(self, model: type[_Model]) -> _Model:
        """The posted form as `model` (a pydantic model); FormInvalid with a message per field
        when it does not fit."""
        from pydantic import ValidationError

        from chalicelib.web.forms import validation_messages

        values = {k: v for k, v in self.form_values.items() if k in model.model_fields}
        try:
            return model.model_validate(values)
        except ValidationError as error:
            raise FormInvalid(validation_messages(error)) from None

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
    """A rule's refusal beside its field (in the user's words once rendered: web/forms.py)."""
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

        request = self.blueprint.current_request
        deps = current_deps()
        session_name, csrf_name = cookie_names(deps.settings.is_local)
        jar = read_cookies(request)
        flash = None
        if flashed := jar.get(flash_cookie_name(deps.settings.is_local)):
            flash = read_flash(flashed, secret=deps.secret, now=deps.now())
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
            ctx = PageContext(request, deps, authenticated, csrf, flash=flash)
        else:
            # Strangers get a double-submit token: a random cookie echoed by each form.
            csrf = jar.get(csrf_name) or ""
            ctx = PageContext(request, deps, None, csrf, flash=flash)
            if not csrf:
                ctx.csrf_token = tokens.new_secret("csrf")
                ctx.set_cookies.append(
                    cookie(csrf_name, ctx.csrf_token, max_age=86400, secure=ctx.secure_cookies)
                )
        viewer = authenticated.principal if authenticated is not None else None
        with pages.viewing_in(_zone_finder(viewer)):
            return self._answer(ctx, route, handler, params)

    def _answer(
        self, ctx: PageContext, route: PageRoute, handler: Callable[..., Response], params: dict[str, str]
    ) -> Response:
        method, access, request, deps = route.method, route.access, ctx.request, ctx.deps
        authenticated, csrf = ctx.authenticated, ctx.csrf_token
        try:
            if not access.public:
                if authenticated is None:
                    return ctx.redirect("/login?next=" + quote(ctx.path))
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
        from chalicelib.web.forms import sentence

        if status == 404:
            return ctx.render("not_found.html", status=404, title="Page not found", message=sentence(message))
        titles = {
            400: "That did not work",
            403: "Not allowed",
            413: "Too large",
            429: "Slow down",
            500: "Sorry",
        }
        return ctx.render(
            "error.html", status=status, title=titles.get(status, "Error"), message=sentence(message)
        )


def _zone_finder(viewer: Principal | None) -> Callable[[], str] | None:
    """How the page finds its viewer's zone, read once, on the first time it shows."""
    if viewer is None:
        return None

    def find() -> str:
        from chalicelib.web.viewer import zone_of

        return zone_of(viewer)

    return find
