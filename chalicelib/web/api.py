"""JSON routes: a Blueprint wrapper that parses into pydantic models, calls one function, maps
its result or its error, and records each operation for the OpenAPI document.

    api = JsonApi(__name__, tag="things", schemas="chalicelib.schemas.things")

    @api.post("/api/v1/things", body="CreateThing", response="ThingView", status=201)
    def create_thing(body: CreateThing) -> ThingView: ...

Models are named as strings and resolved in the area's schemas module on the route's first use
(or passed as classes, as tests do): importing the app then builds no pydantic model at all,
which keeps a Lambda cold start near the cost of botocore alone (`make bench`).

The handler body stays one service call; everything about HTTP lives here."""

from __future__ import annotations

import functools
import importlib
import inspect
import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from chalice.app import Blueprint, Chalice, Request, Response

from chalicelib.domain.errors import DomainError
from chalicelib.web import auth as access_rules
from chalicelib.web import errors
from chalicelib.web.limits import charge_address, charge_request
from chalicelib.web.observability import current_request_id, log_context, logger
from chalicelib.web.request import body_bytes, query_lists

if TYPE_CHECKING:
    from pydantic import BaseModel

    from chalicelib.composition import Deps
    from chalicelib.services.sessions import Authenticated

MAX_BODY_BYTES = 256 * 1024
_PATH_PARAM = re.compile(r"{(\w+)}")


# Records defined at import are NamedTuples: a frozen dataclass costs about a millisecond of
# cold start each (it compiles five methods), a NamedTuple a fifth of that.
class ModelRef:
    """A pydantic model named by module and class, imported when first needed."""

    __slots__ = ("_model", "module", "name")

    def __init__(self, module: str | None, model: str | type[BaseModel]):
        self._model: type[BaseModel] | None
        if isinstance(model, str):
            if module is None:
                raise ValueError(f"model {model!r} is named but the JsonApi has no schemas module")
            self.module, self.name, self._model = module, model, None
        else:
            self.module, self.name, self._model = model.__module__, model.__name__, model

    def resolve(self) -> type[BaseModel]:
        model = self._model
        if model is None:
            model = self._model = getattr(importlib.import_module(self.module), self.name)
        return model

    def __repr__(self) -> str:
        return f"{self.module}.{self.name}"


def _ref(module: str | None, model: str | type[BaseModel] | None) -> ModelRef | None:
    return None if model is None else ModelRef(module, model)


class Operation(NamedTuple):
    method: str
    path: str
    name: str
    summary: str
    tag: str
    status: int
    body: ModelRef | None = None
    query: ModelRef | None = None
    response: ModelRef | None = None
    errors: tuple[int, ...] = ()
    path_params: tuple[str, ...] = ()
    access: access_rules.Access = access_rules.MEMBER
    # False: a request without a body is the model with its defaults (a reason that may be left out)
    body_required: bool = True
    # A rate limit kept per client address (a field of domain.limits.Limits), for public routes
    limit: str | None = None


# Every JSON operation the app defines, in registration order. The OpenAPI document and the
# route-walking tests read it; nothing else should.
OPERATIONS: list[Operation] = []


class JsonApi:
    def __init__(
        self,
        import_name: str,
        *,
        tag: str,
        schemas: str | None = None,
        registry: list[Operation] | None = None,
    ):
        self.blueprint = Blueprint(import_name)
        self.tag = tag
        self.schemas = schemas
        self.operations = OPERATIONS if registry is None else registry

    def get(self, path: str, **options):
        return self.route("GET", path, **options)

    def post(self, path: str, **options):
        return self.route("POST", path, **options)

    def put(self, path: str, **options):
        return self.route("PUT", path, **options)

    def patch(self, path: str, **options):
        return self.route("PATCH", path, **options)

    def delete(self, path: str, **options):
        return self.route("DELETE", path, **options)

    def route(
        self,
        method: str,
        path: str,
        *,
        body=None,
        query=None,
        response=None,
        status: int = 200,
        errors: tuple[int, ...] = (),
        summary: str = "",
        access: access_rules.Access = access_rules.MEMBER,
        body_required: bool = True,
        limit: str | None = None,
    ) -> Callable:
        """Register a JSON operation. `access` is who may call it: members of a business unless
        said otherwise, so that a route is closed until someone opens it on purpose."""

        def register(handler: Callable) -> Callable:
            statuses = errors if access.public else tuple(sorted(set(errors) | {401, 403, 429}))
            if limit is not None:
                statuses = tuple(sorted(set(statuses) | {429}))
            operation = Operation(
                method=method,
                path=path,
                name=handler.__name__,
                summary=summary or (handler.__doc__ or "").strip().split("\n")[0],
                tag=self.tag,
                status=status,
                body=_ref(self.schemas, body),
                query=_ref(self.schemas, query),
                response=_ref(self.schemas, response),
                errors=statuses,
                path_params=tuple(_PATH_PARAM.findall(path)),
                access=access,
                body_required=body_required,
                limit=limit,
            )
            self.operations.append(operation)
            view = functools.wraps(handler)(functools.partial(self._invoke, operation, handler))
            self.blueprint.route(path, methods=[method])(view)
            return handler

        return register

    def _invoke(self, operation: Operation, handler: Callable, **path_params) -> Response:
        request = self.blueprint.current_request
        try:
            arguments = dict(path_params)
            wanted = _parameters(handler)
            if not operation.access.public or "auth" in wanted or "principal" in wanted:
                authenticated = authenticate(request)
                access_rules.check_access(operation.access, authenticated)
                if authenticated is not None:
                    charge_request(authenticated, deps=_deps())
                if "auth" in wanted:
                    arguments["auth"] = authenticated
                if "principal" in wanted:
                    arguments["principal"] = authenticated.principal if authenticated else None
            if operation.limit is not None:
                charge_address(operation.limit, request, deps=_deps())
            if "request" in wanted:
                arguments["request"] = request
            if operation.body is not None:
                model = operation.body.resolve()
                if not operation.body_required and not body_bytes(request).strip():
                    arguments["body"] = model()
                else:
                    arguments["body"] = parse_body(request, model)
            if operation.query is not None:
                arguments["query"] = parse_query(request, operation.query.resolve())
            return to_response(handler(**arguments), operation)
        except errors.HttpError as failure:
            return errors.error_response(
                failure.status, failure.code, failure.message, failure.field, headers=failure.headers
            )
        except DomainError as failure:
            return errors.from_domain_error(failure)
        except Exception as failure:
            if errors.is_validation_error(failure):
                return errors.from_validation_error(failure)
            # A real fault: log it with the request id (the middleware put it on the logger) and
            # answer with the id, never with the exception text.
            logger.exception("unhandled error", extra={"operation": operation.name})
            request_id = current_request_id()
            return errors.error_response(
                500, "internal_error", "Something went wrong on our side.", request_id=request_id
            )


def _deps() -> Deps:
    from chalicelib.composition import deps

    return deps()


@functools.cache
def _parameters(handler: Callable) -> frozenset[str]:
    return frozenset(inspect.signature(handler).parameters)


def authenticate(request: Request) -> Authenticated | None:
    """The principal behind the request's bearer token or API key, labelled on the log lines."""
    from chalicelib.composition import deps
    from chalicelib.services.sessions import authenticate as authenticate_secret

    secret = access_rules.bearer_secret(request)
    if secret is None:
        return None
    authenticated = authenticate_secret(secret, deps=deps(), channel="bearer")
    if authenticated is not None:
        principal = authenticated.principal
        log_context(
            principal_kind=str(principal.kind),
            tenant_id=principal.tenant.value if principal.tenant else None,
        )
    return authenticated


def parse_body(request: Request, model: type[BaseModel]) -> BaseModel:
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise errors.HttpError(415, "unsupported_media_type", "Send the body as application/json.")
    raw = body_bytes(request)
    if len(raw) > MAX_BODY_BYTES:
        raise errors.HttpError(413, "too_large", f"The body is over {MAX_BODY_BYTES} bytes.")
    if not raw.strip():
        raise errors.HttpError(400, "malformed_json", "The body is empty; send a JSON object.")
    # One parse, in pydantic's JSON mode: strict types still accept RFC 3339 strings for times.
    return model.model_validate_json(raw)


def parse_query(request: Request, model: type[BaseModel]) -> BaseModel:
    values: dict[str, str | list[str]] = {
        key: many if len(many) > 1 else many[0] for key, many in query_lists(request).items()
    }
    return model.model_validate(values)


def to_response(result: Any, operation: Operation) -> Response:
    if isinstance(result, Response):
        return result
    if operation.status == 204 or result is None:
        return Response(body="", status_code=operation.status if operation.status != 200 else 204)
    body = result.model_dump_json() if hasattr(result, "model_dump_json") else json.dumps(result)
    return Response(body=body, status_code=operation.status, headers=dict(errors.JSON_HEADERS))


# Every method a path answers: the ones it serves, and a 405 with `Allow` for the rest.
GUARDED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def install_method_guards(app: Chalice) -> None:
    """Serve HEAD wherever GET is served (pages and JSON alike), and answer every other method a
    path does not serve with 405 and an Allow header naming what it does, in our error model.

    In production API Gateway sends every path and method to the function (one ANY method on `/`
    and on `/{proxy+}`: local/api_template.py, web/routing.py), and Chalice routes by method;
    without a route for a method Chalice would answer in its own shape, with every registered
    method in Allow, guards included.
    OPTIONS is guarded too, so that the local gateway (which answers it itself unless a route
    exists) and production agree."""
    for path, entries in list(app.routes.items()):
        # HEAD: browsers, link checkers and monitors ask with it.
        if "GET" in entries and "HEAD" not in entries:
            app.route(path, methods=["HEAD"], name=f"head_{_route_name(path)}")(
                _head_of(entries["GET"].view_function)
            )
        allowed = sorted(method for method in GUARDED_METHODS if method in entries)
        for method in GUARDED_METHODS:
            if method not in entries:
                app.route(path, methods=[method], name=f"method_guard_{method}_{_route_name(path)}")(
                    _method_guard(", ".join(allowed), app=app, page=not path.startswith("/api"))
                )


def _head_of(view: Callable) -> Callable:
    """HEAD where GET is served: the GET view (its access checks, its headers), without the body."""

    def head(**params) -> Response:
        answer = view(**params)
        return Response(body="", status_code=answer.status_code, headers=dict(answer.headers))

    # Not a route of its own for the route-walking tests: the GET route's probe covers it.
    return _marked_as_guard(head)


def _route_name(path: str) -> str:
    return re.sub(r"\W+", "_", path).strip("_") or "root"


def _method_guard(allow: str, *, app: Chalice | None = None, page: bool = False) -> Callable:
    """405 with `Allow`: in our error model, or on a portal page's path (outside /api) for a browser
    (an Accept header that asks for text/html first) as a page with a way back."""

    def method_not_allowed(**_params) -> Response:
        request = app.current_request if page and app is not None else None
        if request is not None and wants_html(request.headers.get("accept")):
            from chalicelib.web import pages

            return pages.render(
                "not_found.html",
                status=405,
                headers={"Allow": allow},
                title="This page cannot do that",
                message=(
                    "This address is a page to open, not a form to send to. Go back and try again."
                    if "GET" in allow.split(", ")
                    else "There is nothing to open at this address: it takes a form sent from another page."
                ),
                principal=None,
            )
        return errors.error_response(
            405, "method_not_allowed", f"This path accepts {allow}.", headers={"Allow": allow}
        )

    return _marked_as_guard(method_not_allowed)


def wants_html(accept: str | None) -> bool:
    """A browser's request: its Accept header asks for text/html first (as API Gateway reads it
    to choose a gateway response's template)."""
    return (accept or "").split(",")[0].split(";")[0].strip().lower() == "text/html"


def _marked_as_guard(view: Callable[..., Response]) -> Callable[..., Response]:
    """Mark a view the route-walking tests skip (tests/integration/test_isolation_probe.py reads
    `is_method_guard`), through the function's __dict__: a type checker knows no such attribute."""
    vars(view)["is_method_guard"] = True
    return view
