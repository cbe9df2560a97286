"""The resource guard: refuse a run too big to hold in memory before anything is built.

A run keeps every order line, shipment and daily stock snapshot in memory until it ends. A typing
slip (``horizon_days=1e12``, ``orders_per_day=1e9``, ``skus: 1000000000``) would otherwise exhaust the
machine's memory or run for days. ``check_resources`` estimates the rows the run would store from
the raw config (before any SKU or customer is built) and refuses above ``limits.max_rows``.

The estimate is an upper bound a planner can check by hand:

- daily stock: horizon days x distribution centres x SKUs (as if every DC stocked every SKU);
- order lines and their shipments: 2 x sum over customers of orders per day x mean lines per order
  x horizon days.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from pydantic import TypeAdapter

from simulator.engine.errors import ConfigError
from simulator.engine.params import DistSpec, to_dist

DEFAULT_MAX_ROWS = 50_000_000  # ~ a few GB of tables; the default company stores ~0.3 million rows a year
LIMIT_KEY = "limits.max_rows"


class ResourceLimitError(ConfigError):
    """The run would store more rows than ``limits.max_rows`` allows."""

    def __init__(self, estimate: float, limit: float, detail: str) -> None:
        ValueError.__init__(
            self, f"this run would store about {_n(estimate)} rows ({detail}), above {LIMIT_KEY} = {limit:,.0f}; "
            f"shorten horizon_days, lower orders_per_day or the SKU counts, or raise {LIMIT_KEY}")
        self.key, self.value, self.allowed = LIMIT_KEY, estimate, f"at most {limit:,.0f} rows"


def _number(v: Any) -> float | None:
    """A finite number as float; None for anything else (the spec builder reports those)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return float(v) if math.isfinite(v) else None


def _n(x: float) -> str:
    """A count as a planner reads it: 3,650 or 1.46e+12."""
    return f"{x:,.0f}" if abs(x) < 1e9 and x == round(x) else f"{x:.3g}"


def _mapping(v: Any) -> Mapping[str, Any]:
    return v if isinstance(v, Mapping) else {}


_DIST: TypeAdapter[Any] = TypeAdapter(DistSpec)


def _mean(raw: Any, default: float) -> float:
    """Mean of a distribution written in config, or ``default`` when it cannot be read."""
    try:
        return float(to_dist(_DIST.validate_python(raw)).mean)
    except (ValueError, TypeError, ZeroDivisionError, OverflowError):  # pydantic's ValidationError is a ValueError
        return default


def max_rows(config: Mapping[str, Any]) -> float:
    """``limits.max_rows`` of the config (default ``DEFAULT_MAX_ROWS``), checked."""
    limits = config.get("limits")
    if limits is None:
        return DEFAULT_MAX_ROWS
    if not isinstance(limits, Mapping):
        raise ConfigError("limits", limits, "expected a mapping, e.g. {max_rows: 50000000}")
    for k in limits:
        if k != "max_rows":
            raise ConfigError(f"limits.{k}", limits[k], "unknown key; allowed keys here: max_rows")
    raw = limits.get("max_rows")
    if raw is None:
        return DEFAULT_MAX_ROWS
    value = _number(raw)
    if value is None or value < 1:
        raise ConfigError(LIMIT_KEY, raw, "expected a finite number of rows >= 1")
    return value


def estimate_rows(config: Mapping[str, Any]) -> tuple[float, str]:
    """Upper estimate of the rows a run of ``config`` stores, and how it was reached (for the message).

    Values that are not finite numbers count as zero here: the spec builder reports them by key.
    """
    horizon = _number(config.get("horizon_days", 365.0)) or 0.0
    net = _mapping(config.get("network"))
    n_dcs = len(_mapping(net.get("warehouses")))
    n_skus = sum(_number(_mapping(f).get("skus")) or 0.0 for f in _mapping(net.get("families")).values())
    stock = horizon * n_dcs * n_skus
    orders = 0.0
    lines = 0.0
    for cust in _mapping(net.get("customers")).values():
        c = _mapping(cust)
        rate = _number(c.get("orders_per_day"))
        if rate is None:
            inter = _mean(c.get("interarrival"), 0.0) if "interarrival" in c else 0.0
            rate = 1.0 / inter if inter > 0 else 0.0
        orders += rate
        lines += rate * _mean(c.get("lines_per_order", 1.0), 1.0)
    order_rows = 2.0 * lines * horizon
    detail = (f"daily stock: {_n(horizon)} days x {n_dcs} DCs x {_n(n_skus)} SKUs = {_n(stock)}; "
              f"order lines and shipments: 2 x {orders:.3g} orders/day x {lines / orders if orders else 0:.3g} "
              f"lines x {_n(horizon)} days = {order_rows:.3g}")
    return stock + order_rows, detail


def check_resources(config: Mapping[str, Any]) -> float:
    """Refuse (``ResourceLimitError``) a config whose estimated rows exceed ``limits.max_rows``;
    return the estimate otherwise."""
    limit = max_rows(config)
    rows, detail = estimate_rows(config)
    if rows > limit:
        raise ResourceLimitError(rows, limit, detail)
    return rows
