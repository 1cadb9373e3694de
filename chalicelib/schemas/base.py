"""The bases every request and response model derives from, and the error model."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from chalicelib.domain.text import NAME_MAX_LENGTH, TITLE_MAX_LENGTH, problem_in


def _one_line(value: str) -> str:
    if problem := problem_in(value, multiline=False):
        raise PydanticCustomError("hidden_character", "{problem}", {"problem": problem})
    return value


# A person's or a business's name, and a title (an opening's, a contract's): one line, nothing
# hidden (chalicelib/domain/text.py), and short enough to quote.
Name = Annotated[str, AfterValidator(_one_line), Field(min_length=1, max_length=NAME_MAX_LENGTH)]
Title = Annotated[str, AfterValidator(_one_line), Field(min_length=1, max_length=TITLE_MAX_LENGTH)]
Line = Annotated[str, AfterValidator(_one_line)]


def _text_of(value):
    """Every string in a field's value, checked as text (lines and tabs allowed, CRLF as LF)."""
    if isinstance(value, str):
        if problem := problem_in(value, multiline=True):
            raise PydanticCustomError("hidden_character", "{problem}", {"problem": problem})
        return value.replace("\r\n", "\n")
    if isinstance(value, list):
        return [_text_of(item) for item in value]
    return value


class Command(BaseModel):
    """Base for request bodies: unknown fields are refused (no mass assignment), types are strict
    (a JSON string is not an int, a float is not an amount), surrounding whitespace is trimmed,
    and no string carries a control, bidi-override or zero-width character (newline and tab
    aside). Names and titles are `Name`/`Title`/`Line`: one line besides."""

    # defer_build: validators are built on a model's first use, not at import (cold start).
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True, defer_build=True)
    # Secrets are taken as typed: a password may be any text (its policy is the password rules).
    _raw_fields: ClassVar[frozenset[str]] = frozenset({"password"})

    @field_validator("*", mode="after")
    @classmethod
    def _no_hidden_characters(cls, value, info):
        if info.field_name in cls._raw_fields:
            return value
        return _text_of(value)


class Query(BaseModel):
    """Base for query strings: values arrive as text, so they are coerced, but unknown keys are
    refused all the same."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


class View(BaseModel):
    """Base for response bodies: handlers return these, never hand-built dicts."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


class ErrorDetail(View):
    field: str | None
    code: str
    message: str


class ErrorBody(View):
    code: str
    message: str
    field: str | None = None
    details: list[ErrorDetail] | None = None
    request_id: str | None = None
    minutes_left: int | None = None  # a diary entry refused for its cap or block: what is left


class ErrorEnvelope(View):
    error: ErrorBody
