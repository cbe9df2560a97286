"""Policy objects from config: ``{type: name, param: value...}`` resolved through the registry."""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any

from policies import REGISTRY
from simulator.engine.config_reader import Node
from simulator.engine.errors import ConfigError


def _hint_allows(hint: Any, value: Any) -> bool:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_hint_allows(h, value) for h in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(hint, type):
        return isinstance(value, hint)
    return True


def build_policy(kind: str, raw: Any, key: str) -> Any:
    """Resolve ``{type: name, param: value...}`` (or just ``name``) to a policy object of ``kind``."""
    if isinstance(raw, str):
        raw = {"type": raw}
    node = Node(raw, key)
    table = REGISTRY[kind]
    name = node.string("type", choices=table)
    cls = table[name]
    hints = typing.get_type_hints(cls)
    fields = {f.name for f in dataclasses.fields(cls) if f.init}
    params = {}
    for k, v in node.data.items():
        if k == "type":
            continue
        if k not in fields:
            allowed = ", ".join(sorted(fields)) or "no parameters"
            raise ConfigError(node.key(k), v, f"{kind} policy '{name}' takes: {allowed}")
        if not _hint_allows(hints[k], v):
            raise ConfigError(node.key(k), v, f"expected {_describe(hints[k])}")
        params[k] = v
    try:
        return cls(**params)
    except (TypeError, ValueError) as exc:
        raise ConfigError(key, dict(node.data), str(exc)) from None


def _describe(hint: Any) -> str:
    args = typing.get_args(hint) or (hint,)
    words = {float: "a number", int: "a whole number", bool: "true or false", str: "a string",
             type(None): "null (auto)"}
    return " or ".join(words.get(a, getattr(a, "__name__", str(a))) for a in args)

