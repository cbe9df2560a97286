"""From pydantic's validation errors to one ``ConfigError`` line: the key the user wrote, the
value found there and what is allowed.

The key is rebuilt by walking the user's own data along the error's location, so it reads as
written (``network.lanes[2].lead_time``: the lane the user listed third), without the names
pydantic gives union members.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from typing import Annotated, Any, Literal, TypeVar, Union

from pydantic import BaseModel, TypeAdapter, ValidationError

from simulator.engine.errors import ConfigError
from simulator.engine.params import Invalid

M = TypeVar("M")

_PLAIN = {
    "missing": "this key is required",
    "float_type": "expected a finite number",
    "float_parsing": "expected a finite number",
    "finite_number": "expected a finite number",
    "int_type": "expected a whole number",
    "int_from_float": "expected a whole number",
    "int_parsing": "expected a whole number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "string_type": "expected a string",
    "dict_type": "expected a mapping of keys to values",
    "model_type": "expected a mapping of keys to values",
    "model_attributes_type": "expected a mapping of keys to values",
    "list_type": "expected a list",
    "tuple_type": "expected a list",
}


def validate(model: type[M] | Any, data: Any, root: str = "") -> M:
    """Validate ``data`` against ``model`` (a pydantic model or any type); ``root`` is the dotted
    config path of ``data``. Raises ``ConfigError`` for the first problem found."""
    try:
        if isinstance(model, type) and issubclass(model, BaseModel):
            return model.model_validate(data)  # type: ignore[return-value]
        return TypeAdapter(model).validate_python(data)  # type: ignore[no-any-return]
    except ValidationError as exc:
        raise config_error(exc, data, root, model) from None


def config_error(exc: ValidationError, data: Any, root: str = "", model: Any = None) -> ConfigError:
    """The ``ConfigError`` for the first error of ``exc`` (raised while validating ``data``)."""
    err = exc.errors(include_url=False)[0]
    loc = err["loc"]
    key, value, node = root, data, data
    typed = [model]  # the schema types along the path (for the keys allowed at an unknown key)
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        missing = last and isinstance(part, str) and err["type"] in ("missing", "extra_forbidden")
        if isinstance(node, Mapping) and (part in node or missing):
            key = f"{key}.{part}" if key else str(part)
            value = node = node.get(part)
        elif isinstance(node, (list, tuple)) and isinstance(part, int) and 0 <= part < len(node):
            key = f"{key}[{part}]"
            value = node = node[part]
        else:
            typed.append(_member(typed[-1], part))
            continue  # a union member's tag or a validator's name: not a key the user wrote
        typed.append(_child(typed[-1], part))
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "missing":
        value = None
    elif kind in ("union_tag_invalid", "union_tag_not_found"):
        field = str(ctx.get("discriminator", "'type'")).strip("'")
        key, value = f"{key}.{field}" if key else field, ctx.get("tag")
        tags = str(ctx.get("expected_tags", "")).replace("'", "").split(", ")
        allowed = "allowed: " + ", ".join(sorted(tags))
        return ConfigError(key, value, allowed)
    problem = ctx.get("error")
    if kind == "value_error" and isinstance(problem, Invalid):
        return ConfigError(f"{key}.{problem.key}" if key else problem.key, problem.value, problem.allowed)
    return ConfigError(key, value, _allowed(kind, err["msg"], ctx, typed[-2] if len(typed) > 1 else None))


def _allowed(kind: str, msg: str, ctx: Mapping[str, Any], parent: Any) -> str:
    if kind == "extra_forbidden":
        names = _keys(parent)
        return "unknown key; allowed keys here: " + ", ".join(names) if names else "unknown key"
    if kind in _PLAIN:
        return _PLAIN[kind]
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        op = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<", "less_than_equal": "<="}[kind]
        bound = next(iter(ctx.values()))
        return f"must be {op} {bound}"
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return "allowed: " + ", ".join(sorted(expected.split(", ")))
    if kind in ("too_short", "too_long"):
        return msg.replace("List should", "expected a list with").replace("Tuple should", "expected a list with")
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    return msg


# --- the schema type at a location (to list the keys allowed where an unknown key was written) ---
def _strip(tp: Any) -> Any:
    while typing.get_origin(tp) is Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def _options(tp: Any) -> tuple[Any, ...]:
    tp = _strip(tp)
    if typing.get_origin(tp) in (Union, types.UnionType):
        return tuple(o for a in typing.get_args(tp) for o in _options(a))
    return (tp,)


def _child(tp: Any, part: Any) -> Any:
    for option in _options(tp):
        if isinstance(option, type) and issubclass(option, BaseModel):
            field = next((f for n, f in option.model_fields.items() if part in (n, f.alias)), None)
            if field is not None:
                return field.annotation if not field.metadata else Annotated[(field.annotation, *field.metadata)]
        origin = typing.get_origin(option)
        if origin in (dict, Mapping) or (isinstance(origin, type) and issubclass(origin, Mapping)):
            return typing.get_args(option)[1]
        if origin in (list, tuple):
            return typing.get_args(option)[0]
    return None


def _member(tp: Any, tag: Any) -> Any:
    """The union member named ``tag`` (its ``type``/``dist``/``kind`` literal or its title)."""
    for option in _options(tp):
        if isinstance(option, type) and issubclass(option, BaseModel):
            for f in option.model_fields.values():
                if typing.get_origin(f.annotation) is Literal and tag in typing.get_args(f.annotation):
                    return option
            if tag == option.__name__:
                return option
    return tp


def _keys(tp: Any) -> list[str]:
    for option in _options(tp):
        if isinstance(option, type) and issubclass(option, BaseModel):
            return [f.alias or n for n, f in option.model_fields.items()]
    return []
