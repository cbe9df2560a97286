"""Policy names as written in config, mapped to their classes.

A policy class registers itself under its kind and config name with ``@register``; the spec
builder resolves names to objects once, when the model is built. After that the simulator only
calls methods on the objects (dispatch by type, never by string).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

KINDS = ("production", "replenishment", "safety_stock", "fulfilment", "transport", "allocation", "batching",
         "forecast", "supply_allocation", "stock_allocation")

REGISTRY: dict[str, dict[str, type]] = {kind: {} for kind in KINDS}


def register(kind: str, name: str) -> Callable[[type[T]], type[T]]:
    """Class decorator: make ``cls`` selectable as ``{type: name}`` for policies of ``kind``."""
    if kind not in REGISTRY:
        raise ValueError(f"unknown policy kind {kind!r}; kinds are {', '.join(KINDS)}")

    def wrap(cls: type[T]) -> type[T]:
        if name in REGISTRY[kind]:
            raise ValueError(f"{kind} policy {name!r} registered twice")
        REGISTRY[kind][name] = cls
        return cls

    return wrap
