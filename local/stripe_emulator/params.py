"""What the emulator implements of each endpoint's parameters, and how it coerces them.

What Stripe accepts comes from the pinned SDK (sdk_params.py) and is checked first: a parameter
the SDK does not declare is Stripe's `Received unknown parameter: invoice_settings[foo]`, an
enum value outside the SDK's list is Stripe's `Invalid ...: must be one of ...`. The declarations
here then list the subset the emulator models; a parameter Stripe accepts but the emulator leaves
out is refused with the emulator's own `emulator_not_implemented` error, never silently dropped.
Every key declared here must be one the SDK declares at that place (a test walks them all).
Declarations are plain Python: `str`, `int`, `bool`, a dict for a nested object, `[spec]` for an
array, or one of the small classes below (`Enum` narrows an SDK enum to the values the emulator
models).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from . import money
from .errors import invalid, missing_param, not_implemented
from .forms import as_list


class Spec:
    def coerce(self, value: Any, name: str) -> Any:  # pragma: no cover - interface
        raise NotImplementedError


def _scalar(value: Any, name: str) -> str:
    if isinstance(value, (dict, list)):
        raise invalid(f"Invalid string: {name} must be a string, not a hash", param=name)
    return value


class _Str(Spec):
    def coerce(self, value, name):
        value = _scalar(value, name)
        return None if value == "" else value


class _Int(Spec):
    def coerce(self, value, name):
        value = _scalar(value, name)
        if value == "":
            return None
        try:
            return int(value)
        except ValueError:
            raise invalid(f"Invalid integer: {value}", param=name) from None


class _Bool(Spec):
    def coerce(self, value, name):
        value = _scalar(value, name)
        if value == "":
            return None
        if value not in ("true", "false"):
            raise invalid(f"Invalid boolean: {value}", param=name)
        return value == "true"


class _Decimal(Spec):
    def coerce(self, value, name):
        value = _scalar(value, name)
        if value == "":
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise invalid(f"Invalid decimal: {value}", param=name) from None
        if not number.is_finite():
            raise invalid(f"Invalid decimal: {value}", param=name)
        return number


class _Currency(Spec):
    def coerce(self, value, name):
        value = _scalar(value, name)
        if value == "":
            return None
        code = value.lower()
        if code not in money.CURRENCIES:
            raise invalid(
                f"Invalid currency: {code}. Stripe currently supports these currencies: "
                + ", ".join(sorted(money.CURRENCIES)),
                param=name,
            )
        return code


class _Any(Spec):
    def coerce(self, value, name):
        return value


@dataclass
class Enum(Spec):
    """The values of an SDK enum the emulator models; Stripe's other values are not implemented
    (the SDK check has already refused values Stripe itself does not know)."""

    values: tuple[str, ...]

    def coerce(self, value, name):
        value = _scalar(value, name)
        if value == "":
            return None
        if value not in self.values:
            raise not_implemented(f"{name}={value}", "value")
        return value


@dataclass
class Values(Spec):
    """Stripe's documented values for a parameter the SDK types as a plain string
    (`tos_acceptance[service_agreement]`: `full` or `recipient`): anything else is Stripe's
    invalid-value error."""

    values: tuple[str, ...]

    def coerce(self, value, name):
        value = _scalar(value, name)
        if value == "":
            return None
        if value not in self.values:
            head, last = self.values[:-1], self.values[-1]
            choices = ", ".join(head) + (", or " if len(head) > 1 else " or ")
            raise invalid(f"Invalid {name}: must be one of {choices}{last}", param=name)
        return value


@dataclass
class MetadataUpdate:
    """Stripe's metadata semantics: keys merge, an empty value deletes a key, `metadata=""` clears."""

    clear: bool = False
    values: dict[str, str | None] = field(default_factory=dict)

    def apply(self, existing: dict[str, str] | None) -> dict[str, str]:
        result = {} if self.clear else dict(existing or {})
        for key, value in self.values.items():
            if value is None:
                result.pop(key, None)
            else:
                result[key] = value
        if len(result) > 50:
            raise invalid("You can have at most 50 metadata keys.", param="metadata")
        return result


class _Metadata(Spec):
    def coerce(self, value, name):
        if value == "":
            return MetadataUpdate(clear=True)
        if not isinstance(value, dict):
            raise invalid(f"Invalid hash: {name}", param=name)
        update = MetadataUpdate()
        for key, item in value.items():
            if isinstance(item, dict):
                raise invalid(f"Invalid value for {name}[{key}]: metadata values must be strings", param=name)
            if len(key) > 40:
                raise invalid(
                    f"Metadata keys can have up to 40 characters, but you passed in a key that is {len(key)} characters.",
                    param=f"{name}[{key}]",
                )
            if len(item) > 500:
                raise invalid(
                    f"Metadata values can have up to 500 characters, but you passed in a value that is "
                    f"{len(item)} characters.",
                    param=f"{name}[{key}]",
                )
            update.values[key] = item if item != "" else None
        return update


@dataclass
class Range(Spec):
    """`created=123` or `created[gte]=123&created[lt]=456`."""

    def coerce(self, value, name):
        if isinstance(value, dict):
            out = {}
            for op, bound in value.items():
                if op not in ("gt", "gte", "lt", "lte"):
                    raise not_implemented(f"{name}[{op}]")
                out[op] = INT.coerce(bound, f"{name}[{op}]")
            return out
        number = INT.coerce(value, name)
        return None if number is None else {"eq": number}


def in_range(number: int | None, bounds: dict | None) -> bool:
    if not bounds:
        return True
    if number is None:
        return False
    checks = {
        "eq": number.__eq__,
        "gt": number.__gt__,
        "gte": number.__ge__,
        "lt": number.__lt__,
        "lte": number.__le__,
    }
    return all(checks[op](bound) for op, bound in bounds.items())


STR, INT, BOOL, DECIMAL, CURRENCY, ANY, METADATA = (
    _Str(),
    _Int(),
    _Bool(),
    _Decimal(),
    _Currency(),
    _Any(),
    _Metadata(),
)
_SIMPLE = {str: STR, int: INT, bool: BOOL}


def coerce(spec: Any, value: Any, name: str) -> Any:
    if isinstance(spec, Spec):
        return spec.coerce(value, name)
    if isinstance(spec, type) and spec in _SIMPLE:
        return _SIMPLE[spec].coerce(value, name)
    if isinstance(spec, list):
        if value == "":
            return []
        items = as_list(value)
        if items is None:
            raise invalid(f"Invalid array: {name}", param=name)
        return [coerce(spec[0], item, f"{name}[{i}]") for i, item in enumerate(items)]
    if isinstance(spec, dict):
        if value == "":
            return None
        if not isinstance(value, dict):
            raise invalid(f"Invalid hash: {name}", param=name)
        return validate(value, spec, prefix=name)
    raise TypeError(f"bad parameter spec for {name}: {spec!r}")


def validate(values: dict, spec: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in values.items():
        name = f"{prefix}[{key}]" if prefix else key
        if key not in spec:
            raise not_implemented(name)
        out[key] = coerce(spec[key], value, name)
    return out


def require(params: dict, *names: str) -> None:
    for name in names:
        if params.get(name) is None:
            raise missing_param(name)


# Shared declarations.
PAGE = {"limit": int, "starting_after": str, "ending_before": str}
LIST = {**PAGE, "created": Range()}
ADDRESS = {"city": str, "country": str, "line1": str, "line2": str, "postal_code": str, "state": str}
