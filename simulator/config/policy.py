"""Policy parameters in the schema, derived from each policy class: one declaration per policy.

A policy is a frozen dataclass registered by name (``policies/registry.py``); its fields, their
types and defaults are its config keys. ``policy_field(kind)`` is the schema of ``{type: name,
param: value...}`` (or just ``name``) for a policy of ``kind``: a union of one model per policy,
told apart by ``type``. Validation builds the policy object itself, so the policy's own checks
(e.g. s <= S) are reported at the key the user wrote.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from functools import cache
from typing import Annotated, Any, Literal, Union

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, TypeAdapter, ValidationError, create_model

from policies import REGISTRY
from simulator.config.errors import config_error
from simulator.engine.params import Flag, Invalid, Number, Section, Text, Whole

_SCALARS: dict[Any, Any] = {float: Number, int: Whole, bool: Flag, str: Text}


def _schema_type(hint: Any) -> Any:
    """The schema type of a policy field's type hint (finite numbers, strict types)."""
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        return Union[tuple(_schema_type(h) for h in typing.get_args(hint))]  # noqa: UP007
    if hint is type(None):
        return type(None)
    if origin is not None and isinstance(origin, type) and issubclass(origin, Mapping):
        key, value = typing.get_args(hint)
        return dict[_schema_type(key), _schema_type(value)]  # type: ignore[misc]
    return _SCALARS.get(hint, hint)


@cache
def params_model(kind: str, name: str) -> type[Section]:
    """The config model of one policy: ``type`` plus the policy class's init fields."""
    cls = REGISTRY[kind][name]
    hints = typing.get_type_hints(cls)
    fields: dict[str, Any] = {"type": (Literal[name], ...)}
    for f in dataclasses.fields(cls):
        if f.init:
            default = f.default if f.default is not dataclasses.MISSING else ...
            fields[f.name] = (_schema_type(hints[f.name]), default)
    doc = (cls.__doc__ or "").strip()
    return create_model(f"{kind}.{name}", __base__=Section, __doc__=doc, **fields)


def _shorthand(v: Any) -> Any:
    return {"type": v} if isinstance(v, str) else v


def _build(kind: str) -> Any:
    def make(model: BaseModel) -> Any:
        params = model.model_dump(exclude={"type"})
        try:
            return REGISTRY[kind][model.type](**params)  # type: ignore[attr-defined]
        except ValueError as exc:  # the policy's own check: report it at the parameter it names, if any
            name = str(exc).split(" ", 1)[0]
            if name in params:
                raise Invalid(name, params[name], str(exc)) from None
            raise


    return make


@cache
def policy_field(kind: str) -> Any:
    """The schema of a policy of ``kind``; validating it gives the policy object."""
    members = tuple(params_model(kind, name) for name in REGISTRY[kind])
    if len(members) == 1:
        return Annotated[members[0], BeforeValidator(_shorthand), AfterValidator(_build(kind))]
    return Annotated[Union[members], Field(discriminator="type"),  # noqa: UP007
                     BeforeValidator(_shorthand), AfterValidator(_build(kind))]


def build_policy(kind: str, raw: Any, key: str) -> Any:
    """Resolve ``{type: name, param: value...}`` (or just ``name``) to a policy object of ``kind``;
    a ``ConfigError`` names ``key`` (the dotted config path of ``raw``) when it cannot."""
    try:
        return TypeAdapter(policy_field(kind)).validate_python(raw)
    except ValidationError as exc:
        raise config_error(exc, raw, key, policy_field(kind)) from None
