"""What Stripe accepts on each endpoint, read from the pinned SDK's typed request parameters.

The official SDK (`stripe`, pinned in requirements.txt) is generated from Stripe's OpenAPI spec and
ships one TypedDict per endpoint under `stripe/params/` (`SetupIntentCreateParams` for
`POST /v1/setup_intents`): every parameter the endpoint takes on the pinned API version, nested
hashes as TypedDicts, arrays as `List[...]`, enums as `Literal[...]` (written `Literal[...]|str`,
the SDK's open-enum convention; Stripe's servers still refuse a value outside the list), `metadata`
as `Dict[str, str]`, and `Literal['']` where posting an empty string unsets a value.

Each emulator route names its TypedDict (`router.add(..., sdk="SetupIntentCreateParams")`). This
module walks those classes once (cached per class) into a small schema, and `check` applies it to
a decoded form before the emulator's own declarations see it:

- a key the SDK does not declare for that endpoint is Stripe's `parameter_unknown` error,
  `Received unknown parameter: invoice_settings[foo]` (400, `param`);
- a value outside an SDK enum is Stripe's `Invalid usage: must be one of off_session or on_session`;
- a hash where a string belongs, or the other way round, is refused.

Annotations are read raw (`__annotations__`, which `typing_extensions` flattens over the class's
bases) and never evaluated: `typing.get_type_hints` cannot resolve the SDK's forward references to
`RequestOptions`, so string annotations are parsed with `ast` and names are looked up in the
TypedDict's own module. The request options every params class inherits (`api_key`,
`idempotency_key`, `stripe_account`, ...) travel as headers, not parameters, and are left out.
"""

from __future__ import annotations

import ast
import decimal
import functools
import importlib
import sys
import typing
from dataclasses import dataclass, field
from typing import Any, TypeGuard

import typing_extensions

from .errors import StripeError, invalid, unknown_param
from .forms import as_list

# -- the schema ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scalar:
    kind: str  # "str", "int", "bool", "float", "decimal" or "any"


@dataclass(frozen=True)
class Choice:
    """An SDK enum: the values Stripe accepts."""

    values: tuple[str, ...]


@dataclass(frozen=True)
class Arr:
    item: Node


@dataclass(frozen=True)
class Map:
    """`Dict[str, X]` (metadata): any key, values of one kind."""

    value: Node


@dataclass(frozen=True)
class AnyOf:
    options: tuple[Node, ...]


@dataclass(eq=False)
class Obj:
    """A TypedDict: its fields, and which of them are required."""

    name: str
    fields: dict[str, Node] = field(default_factory=dict)
    required: frozenset[str] = frozenset()


Node = Scalar | Choice | Arr | Map | AnyOf | Obj
EMPTY = Choice(("",))

_SCALARS = {
    str: Scalar("str"),
    int: Scalar("int"),
    bool: Scalar("bool"),
    float: Scalar("float"),
    decimal.Decimal: Scalar("decimal"),
    typing.Any: Scalar("any"),
}
_SCALAR_NAMES = {
    "str": Scalar("str"),
    "int": Scalar("int"),
    "bool": Scalar("bool"),
    "float": Scalar("float"),
    "Decimal": Scalar("decimal"),
    "Any": Scalar("any"),
}
_WRAPPERS = {"NotRequired", "Required", "Optional", "ReadOnly"}


def _request_option_keys() -> frozenset[str]:
    from stripe._request_options import RequestOptions

    return frozenset(RequestOptions.__annotations__)


def _is_typeddict(obj: Any) -> TypeGuard[type]:
    return isinstance(obj, type) and (typing_extensions.is_typeddict(obj) or typing.is_typeddict(obj))


# -- reading the SDK ---------------------------------------------------------------------------


_CACHE: dict[type, Obj] = {}


def params_class(name: str) -> type:
    """The SDK's TypedDict named `name` (`stripe.params.SetupIntentCreateParams`)."""
    params = importlib.import_module("stripe.params")
    cls = getattr(params, name, None)
    if not _is_typeddict(cls):
        raise LookupError(f"stripe.params has no TypedDict named {name!r}")
    return cls


@functools.cache
def schema(name: str) -> Obj:
    """The walked schema of the SDK params class `name` (cached: the SDK does not change at run time)."""
    return _walk_class(params_class(name), top=True)


def _walk_class(cls: type, *, top: bool = False) -> Obj:
    found = _CACHE.get(cls)
    if found is not None:
        return found
    obj = Obj(cls.__name__)
    _CACHE[cls] = obj  # before the fields: TypedDicts may refer to each other
    skip = _request_option_keys() if top or _inherits_request_options(cls) else frozenset()
    module = sys.modules[cls.__module__]
    for key, annotation in cls.__annotations__.items():
        if key not in skip:
            obj.fields[key] = _convert(annotation, module)
    obj.required = frozenset(getattr(cls, "__required_keys__", ())) - skip
    return obj


def _inherits_request_options(cls: type) -> bool:
    from stripe._request_options import RequestOptions

    return any(base is RequestOptions for base in getattr(cls, "__orig_bases__", ()))


def _convert(annotation: Any, module: Any) -> Node:
    """A runtime annotation (a typing object, possibly holding ForwardRefs) as a schema node."""
    if isinstance(annotation, typing.ForwardRef):
        return _convert_source(annotation.__forward_arg__, module)
    if isinstance(annotation, str):
        return _convert_source(annotation, module)
    if annotation in _SCALARS:
        return _SCALARS[annotation]
    if annotation is type(None):
        return EMPTY
    if _is_typeddict(annotation):
        return _walk_class(annotation)
    origin = typing_extensions.get_origin(annotation)
    args = typing_extensions.get_args(annotation)
    name = getattr(origin, "_name", None) or getattr(origin, "__name__", None) or repr(origin)
    if name in _WRAPPERS or str(origin).rsplit(".", 1)[-1] in _WRAPPERS:
        return _union([_convert(a, module) for a in args])
    if origin is typing.Literal or origin is typing_extensions.Literal:
        return Choice(tuple(str(a) for a in args))
    if origin is typing.Union:
        return _union([_convert(a, module) for a in args])
    if origin is list:
        return Arr(_convert(args[0], module))
    if origin is dict:
        return Map(_convert(args[1], module))
    if isinstance(annotation, type):
        # UntypedStripeObject and other runtime classes: an alternative the form encoding cannot
        # express; the union it sits in carries the real shape.
        return _OPAQUE
    raise TypeError(f"unsupported SDK annotation {annotation!r}")


_OPAQUE = AnyOf(())


def _convert_source(source: str, module: Any) -> Node:
    return _convert_ast(ast.parse(source, mode="eval").body, module)


def _convert_ast(node: ast.AST, module: Any) -> Node:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _union([_convert_ast(node.left, module), _convert_ast(node.right, module)])
    if isinstance(node, ast.Constant):
        if node.value is None:
            return EMPTY
        if isinstance(node.value, str):
            return _convert_source(node.value, module)  # a quoted forward reference
        raise TypeError(f"unsupported constant in SDK annotation: {node.value!r}")
    if isinstance(node, ast.Name):
        if node.id in _SCALAR_NAMES:
            return _SCALAR_NAMES[node.id]
        target = getattr(module, node.id, None)
        if target is None:
            # A TypedDict defined later in another module is imported lazily by stripe.params.
            try:
                target = params_class(node.id)
            except LookupError:
                raise TypeError(f"cannot resolve {node.id!r} in {module.__name__}") from None
        return _convert(target, module)
    if isinstance(node, ast.Subscript):
        head = node.value.id if isinstance(node.value, ast.Name) else ast.unparse(node.value)
        items = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
        if head == "Literal":
            return Choice(tuple(str(ast.literal_eval(item)) for item in items))
        if head in _WRAPPERS or head == "Union":
            return _union([_convert_ast(item, module) for item in items])
        if head == "List":
            return Arr(_convert_ast(items[0], module))
        if head == "Dict":
            return Map(_convert_ast(items[1], module))
        if head == "UntypedStripeObject":
            return _OPAQUE
    raise TypeError(f"unsupported SDK annotation {ast.unparse(node)!r}")


def _union(parts: list[Node]) -> Node:
    """Flatten a union. `Literal[...]|str` is an SDK enum (the `str` keeps old SDKs working with
    new values), so it stays the enum: Stripe's servers accept only the listed values."""
    flat: list[Node] = []
    for part in parts:
        flat.extend(part.options if isinstance(part, AnyOf) else (part,))
    choices = [p for p in flat if isinstance(p, Choice)]
    values: list[str] = []
    for choice in choices:
        values.extend(v for v in choice.values if v not in values)
    others = [p for p in flat if not isinstance(p, Choice)]
    real = [v for v in values if v != ""]
    if real and Scalar("str") in others:
        others.remove(Scalar("str"))
    merged: list[Node] = list(others)
    if real or (values and not others):
        # `Literal['']` beside another shape only says "an empty string unsets it", which the
        # check accepts everywhere.
        merged.insert(0, Choice(tuple(values)))
    if len(merged) == 1:
        return merged[0]
    return AnyOf(tuple(merged))


# -- checking a request --------------------------------------------------------------------------


def check(node: Obj, values: dict[str, Any], prefix: str = "") -> None:
    """Refuse what Stripe refuses in a decoded form: unknown keys, values outside an enum, hashes
    where a string belongs. Coercion to ints, booleans and the rest is the emulator's own spec's."""
    _check_obj(node, values, prefix)


def _name(prefix: str, key: str) -> str:
    return f"{prefix}[{key}]" if prefix else key


def _check_obj(node: Obj, values: Any, name: str) -> None:
    if values == "" and name:
        return
    if not isinstance(values, dict):
        raise invalid(f"Invalid hash: {name}", param=name)
    for key, value in values.items():
        child = _name(name, key)
        if key not in node.fields:
            raise unknown_param(child)
        _check(node.fields[key], value, child)


def _check(node: Node, value: Any, name: str) -> None:
    if isinstance(node, Obj):
        _check_obj(node, value, name)
    elif isinstance(node, Scalar):
        if isinstance(value, (dict, list)) and node.kind != "any":
            raise invalid(
                f"Invalid {_scalar_label(node)}: {name} must be a {node.kind}, not a hash", param=name
            )
    elif isinstance(node, Choice):
        _check_choice(node, value, name)
    elif isinstance(node, Arr):
        if value == "":
            return
        items = as_list(value)
        if items is None:
            raise invalid(f"Invalid array: {name}", param=name)
        for i, item in enumerate(items):
            _check(node.item, item, f"{name}[{i}]")
    elif isinstance(node, Map):
        if value == "":
            return
        if not isinstance(value, dict):
            raise invalid(f"Invalid hash: {name}", param=name)
        for key, item in value.items():
            _check(node.value, item, f"{name}[{key}]")
    elif isinstance(node, AnyOf):
        _check_any(node, value, name)


def _scalar_label(node: Scalar) -> str:
    return {
        "str": "string",
        "int": "integer",
        "bool": "boolean",
        "float": "number",
        "decimal": "decimal",
    }.get(node.kind, node.kind)


def _check_choice(node: Choice, value: Any, name: str) -> None:
    if isinstance(value, (dict, list)):
        raise invalid(f"Invalid string: {name} must be a string, not a hash", param=name)
    if value == "" or value in node.values:
        return
    shown = [v for v in node.values if v != ""]
    if not shown:
        raise invalid(f"Invalid {name}: must be an empty string", param=name)
    if len(shown) == 1:
        choices = shown[0]
    else:
        choices = ", ".join(shown[:-1]) + (", or " if len(shown) > 2 else " or ") + shown[-1]
    raise invalid(f"Invalid {name}: must be one of {choices}", param=name)


def _check_any(node: AnyOf, value: Any, name: str) -> None:
    if not node.options:
        return
    if value == "":
        return
    if isinstance(value, dict):
        candidates = [o for o in node.options if isinstance(o, (Obj, Map, Arr))]
        if isinstance(value, dict) and not all(k.isdigit() for k in value):
            candidates = [o for o in candidates if not isinstance(o, Arr)] or candidates
    else:
        candidates = [o for o in node.options if isinstance(o, (Scalar, Choice))]
    if not candidates:
        kind = "hash" if isinstance(value, dict) else "string"
        raise invalid(f"Invalid {name}: a {kind} is not accepted here", param=name)
    first_error = None
    for option in candidates:
        try:
            _check(option, value, name)
            return
        except StripeError as err:  # try the next alternative
            first_error = first_error or err
    assert first_error is not None
    raise first_error


# -- comparing the emulator's own declarations with the SDK (used by the tests) -----------------


def undeclared(spec: Any, node: Node, prefix: str = "") -> list[str]:
    """Every key of an emulator spec (nested too) that the SDK does not declare at that place."""
    from . import params as emulator_params

    problems: list[str] = []
    if isinstance(spec, dict):
        objects = _objects(node)
        if not objects:
            return [f"{prefix or '(top)'}: the emulator declares a hash, the SDK does not"]
        for key, sub in spec.items():
            child = _name(prefix, key)
            holders = [o for o in objects if key in o.fields]
            if not holders:
                problems.append(child)
                continue
            problems.extend(undeclared(sub, holders[0].fields[key], child))
    elif isinstance(spec, list):
        arrays = _arrays(node)
        if not arrays:
            return [f"{prefix}: the emulator declares an array, the SDK does not"]
        problems.extend(undeclared(spec[0], arrays[0].item, prefix + "[]"))
    elif isinstance(spec, emulator_params.Enum):
        allowed = {v for c in _choices(node) for v in c.values}
        problems.extend(f"{prefix}={value}" for value in spec.values if value not in allowed)
    elif isinstance(spec, emulator_params.Values) and Scalar("str") not in _alternatives(node):
        problems.append(f"{prefix}: the SDK has an enum here; narrow it with Enum, not Values")
    return problems


def _alternatives(node: Node) -> tuple[Node, ...]:
    return node.options if isinstance(node, AnyOf) else (node,)


def _objects(node: Node) -> list[Obj]:
    return [o for o in _alternatives(node) if isinstance(o, Obj)]


def _arrays(node: Node) -> list[Arr]:
    return [o for o in _alternatives(node) if isinstance(o, Arr)]


def _choices(node: Node) -> list[Choice]:
    return [o for o in _alternatives(node) if isinstance(o, Choice)]
