"""Typed reads from a plain config mapping, each error naming its dotted key.

The spec builder walks the composed config with a ``Node`` per mapping; every accessor checks
type and range and raises ``ConfigError(key, value, allowed)`` on bad input.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from simulator.engine.distributions import Dist, parse_dist
from simulator.engine.errors import ConfigError

_MISSING = object()


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


class Node:
    """A mapping in the config, remembered with its dotted path for error messages."""

    def __init__(self, data: Any, path: str, allowed_keys: tuple[str, ...] | None = None) -> None:
        if data is None:
            data = {}
        if not isinstance(data, Mapping):
            raise ConfigError(path, data, "expected a mapping of keys to values")
        self.data = data
        self.path = path
        if allowed_keys is not None:
            for k in data:
                if k not in allowed_keys:
                    allowed = ", ".join(allowed_keys)
                    raise ConfigError(self.key(k), data[k], f"unknown key; allowed keys here: {allowed}")

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else str(name)

    def has(self, name: str) -> bool:
        return name in self.data and self.data[name] is not None

    def raw(self, name: str, default: Any = _MISSING) -> Any:
        if name in self.data and self.data[name] is not None:
            return self.data[name]
        if default is _MISSING:
            raise ConfigError(self.key(name), None, "this key is required")
        return default

    def child(self, name: str, allowed_keys: tuple[str, ...] | None = None, required: bool = False) -> Node:
        if required and not self.has(name):
            raise ConfigError(self.key(name), None, "this section is required")
        return Node(self.data.get(name), self.key(name), allowed_keys)

    def children(self, name: str, allowed_keys: tuple[str, ...] | None = None) -> Iterator[tuple[str, Node]]:
        """The entries of a mapping of named items (e.g. ``plants: {east: {...}}``)."""
        section = self.child(name)
        for item_name, item in section.data.items():
            if not isinstance(item_name, str) or not item_name:
                raise ConfigError(section.key(str(item_name)), item_name, "names must be non-empty strings")
            yield item_name, Node(item, section.key(item_name), allowed_keys)

    def number(self, name: str, default: Any = _MISSING, *, min: float | None = None,
               max: float | None = None, strict_min: bool = False) -> float:
        if not self.has(name) and default is not _MISSING:
            return default  # defaults are trusted (and may be None or inf)
        v = self.raw(name)
        if not _is_number(v):
            raise ConfigError(self.key(name), v, "expected a finite number")
        if min is not None and (v < min or (strict_min and v == min)):
            raise ConfigError(self.key(name), v, f"must be {'>' if strict_min else '>='} {min}")
        if max is not None and v > max:
            raise ConfigError(self.key(name), v, f"must be <= {max}")
        return float(v)

    def integer(self, name: str, default: Any = _MISSING, *, min: int | None = None) -> int:
        v = self.raw(name, default)
        if isinstance(v, bool) or not isinstance(v, int):
            raise ConfigError(self.key(name), v, "expected a whole number")
        if min is not None and v < min:
            raise ConfigError(self.key(name), v, f"must be >= {min}")
        return int(v)

    def boolean(self, name: str, default: Any = _MISSING) -> bool:
        v = self.raw(name, default)
        if not isinstance(v, bool):
            raise ConfigError(self.key(name), v, "expected true or false")
        return v

    def string(self, name: str, default: Any = _MISSING, *, choices: Any = None) -> str:
        v = self.raw(name, default)
        if not isinstance(v, str):
            raise ConfigError(self.key(name), v, "expected a string")
        if choices is not None and v not in choices:
            raise ConfigError(self.key(name), v, f"allowed: {', '.join(sorted(choices))}")
        return v

    def names(self, name: str, default: Any = _MISSING, *, choices: Any = None) -> tuple[str, ...]:
        """A list of names (a single string is read as a one-item list)."""
        v = self.raw(name, default)
        if isinstance(v, str):
            v = [v]
        if not isinstance(v, (list, tuple)) or not all(isinstance(x, str) for x in v):
            raise ConfigError(self.key(name), v, "expected a list of names")
        if choices is not None:
            for x in v:
                if x not in choices:
                    raise ConfigError(self.key(name), x, f"unknown name; known: {', '.join(sorted(choices))}")
        return tuple(v)

    def dist(self, name: str, default: Any = _MISSING) -> Dist:
        return parse_dist(self.raw(name, default), self.key(name))

    def number_map(self, name: str, *, choices: Any = None, min: float = 0.0) -> dict[str, float]:
        """A mapping of names to numbers, e.g. a bill of materials ``{resin: 0.2}``."""
        section = self.child(name)
        out: dict[str, float] = {}
        for k in section.data:
            if choices is not None and k not in choices:
                raise ConfigError(section.key(k), k, f"unknown name; known: {', '.join(sorted(choices))}")
            out[k] = section.number(k, min=min)
        return out
