"""Errors a user can act on."""

from __future__ import annotations

from typing import Any


class ConfigError(ValueError):
    """A configuration value that cannot be simulated.

    The message always names the config key (as a dotted path), the value found,
    and what would be allowed, so the planner can fix the YAML without reading code.
    """

    def __init__(self, key: str, value: Any, allowed: str) -> None:
        self.key = key
        self.value = value
        self.allowed = allowed
        super().__init__(f"config error at '{key}': got {value!r}; {allowed}")
