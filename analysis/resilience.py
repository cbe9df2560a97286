"""Resilience metrics of a disrupted run against its paired baseline (same seed, no disruption).

Per segment and per disruption window starting at t0 (definitions in docs/resilience.md):
time to survive (TTS), time to recover service (TTR), service-loss area, extra backordered and lost
units, the signed change in revenue and margin, and peak backlog. Days are whole simulated days ``[D, D + 1)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

RESILIENCE_COLUMNS = (
    "segment", "disruption", "kind", "target", "start", "end", "tts_days", "tts_censored", "ttr_days",
    "ttr_censored", "service_loss_area", "extra_backorder_units", "extra_lost_units", "revenue_change",
    "margin_change", "lasting_revenue_change", "peak_backlog_units", "baseline_peak_backlog_units",
)
# The resilience measures averaged and compared across replications (durations, areas, units, money).
RESILIENCE_METRICS = [c for c in RESILIENCE_COLUMNS if c.endswith(("_days", "_area", "_units", "_change"))]


class ResilienceSettings(BaseModel):
    """How resilience is measured (the ``resilience`` config section).

    ``tts_threshold``: unmet demand (beyond the baseline's) that ends survival, as a share of the
    segment's mean daily demand; ``epsilon``: how close to the baseline's daily fill rate counts as
    recovered; ``dwell_days``: how many consecutive days it must stay there."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tts_threshold: Annotated[float, Field(ge=0, strict=True, allow_inf_nan=False)] = 0.1
    epsilon: Annotated[float, Field(ge=0, le=1, strict=True, allow_inf_nan=False)] = 0.02
    dwell_days: Annotated[int, Field(ge=1, strict=True)] = 7


def _daily(lines: pd.DataFrame, segment: str, n_days: int) -> tuple[np.ndarray, np.ndarray]:
    """Demand and units filled on arrival per day of order, for one segment."""
    seg = lines[lines["segment"] == segment]
    day = np.floor(seg["time"].to_numpy()).astype(int)
    keep = day < n_days
    demand = np.bincount(day[keep], weights=seg["qty"].to_numpy()[keep], minlength=n_days)
    filled = np.bincount(day[keep], weights=seg["immediate"].to_numpy()[keep], minlength=n_days)
    return demand, filled


def _fill(demand: np.ndarray, filled: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(demand > 0, filled / demand, np.nan)


def time_to_survive(excess_unmet: np.ndarray, d0: int, t0: float, threshold: float) -> tuple[float, bool]:
    """Days from t0 to the first day whose cumulative extra unmet demand exceeds ``threshold``."""
    cum = np.cumsum(excess_unmet[d0:])
    over = np.nonzero(cum > threshold)[0]
    n = len(excess_unmet)
    if len(over) == 0:
        return n - t0, True
    return max(d0 + int(over[0]) - t0, 0.0), False


def time_to_recover(demand_d: np.ndarray, filled_d: np.ndarray, demand_b: np.ndarray, filled_b: np.ndarray,
                    d0: int, t0: float, epsilon: float, dwell: int) -> tuple[float, bool]:
    """Days from t0 until service is back: the fill rate over the next ``dwell`` days is within
    ``epsilon`` of the baseline's over the same days.

    Service has dropped on a day whose fill rate is more than epsilon below the baseline's; TTR is 0
    if that never happens from day d0 on; censored (lower bound) if service is not back by the horizon.
    """
    n = len(demand_d)
    out = _fill(demand_d, filled_d) < _fill(demand_b, filled_b) - epsilon  # NaN (no demand) is not out
    bad = np.nonzero(out[d0:])[0]
    if len(bad) == 0:
        return 0.0, False
    first_bad = d0 + int(bad[0])
    cum = [np.concatenate(([0.0], np.cumsum(a))) for a in (demand_d, filled_d, demand_b, filled_b)]
    for d in range(first_bad + 1, n - dwell + 1):
        qd, fd, qb, fb = (c[d + dwell] - c[d] for c in cum)
        rate_d = fd / qd if qd > 0 else 1.0
        rate_b = fb / qb if qb > 0 else 1.0
        if rate_d >= rate_b - epsilon:
            return d - t0, False
    return n - t0, True


def resilience_table(disrupted: Any, baseline: Any, settings: ResilienceSettings) -> pd.DataFrame:
    """Metrics per segment x disruption window; ``disrupted`` and ``baseline`` are ``Results``."""
    spec = disrupted.spec
    n_days = int(math.ceil(spec.horizon_days))
    price = {s.name: s.price for s in spec.skus.values()}
    margin = {s.name: s.price - s.unit_cost for s in spec.skus.values()}
    facing = {dc for c in spec.customers.values() for dc in c.served_from}
    rows = []
    windows = disrupted.disruptions.drop_duplicates(["disruption", "start"])
    ld, lb = disrupted.order_lines, baseline.order_lines
    sd, sb = (r.stock[r.stock["node"].isin(facing)] for r in (disrupted, baseline))
    warm = spec.warmup_days
    for seg in sorted(spec.segments):
        dem_d, fil_d = _daily(ld, seg, n_days)
        dem_b, fil_b = _daily(lb, seg, n_days)
        fr_d, fr_b = _fill(dem_d, fil_d), _fill(dem_b, fil_b)
        first = int(math.floor(warm))
        mean_daily = dem_b[first:].mean() if n_days > first else 0.0
        excess = (dem_d - fil_d) - (dem_b - fil_b)
        back_d = sd[sd["segment"] == seg].groupby("day")["backorders"].sum()
        back_b = sb[sb["segment"] == seg].groupby("day")["backorders"].sum()
        for w in windows.itertuples(index=False):
            t0 = float(w.start)
            d0 = min(int(math.floor(t0)), n_days)
            tts, tts_c = time_to_survive(excess, d0, t0, settings.tts_threshold * mean_daily)
            ttr, ttr_c = time_to_recover(dem_d, fil_d, dem_b, fil_b, d0, t0, settings.epsilon, settings.dwell_days)
            area = float(np.nansum((fr_b - fr_d)[d0:]))
            after_d = ld[(ld["segment"] == seg) & (ld["time"] >= t0)]
            after_b = lb[(lb["segment"] == seg) & (lb["time"] >= t0)]
            end = float(w.end)
            rows.append({
                "segment": seg, "disruption": w.disruption, "kind": w.kind, "target": w.target,
                "start": t0, "end": float(w.end), "tts_days": tts, "tts_censored": tts_c,
                "ttr_days": ttr, "ttr_censored": ttr_c, "service_loss_area": area,
                "extra_backorder_units": float((after_d["qty"] - after_d["immediate"]).sum()
                                               - (after_b["qty"] - after_b["immediate"]).sum()),
                "extra_lost_units": float(after_d["lost"].sum() - after_b["lost"].sum()),
                # signed, disrupted minus baseline: negative = revenue lost, positive = gained (a spike)
                "revenue_change": float((after_d["delivered"] * after_d["sku"].map(price)).sum()
                                        - (after_b["delivered"] * after_b["sku"].map(price)).sum()),
                "margin_change": float((after_d["delivered"] * after_d["sku"].map(margin)).sum()
                                       - (after_b["delivered"] * after_b["sku"].map(margin)).sum()),
                # the same over lines placed once the window is over: what the failure still costs after
                # it ended (customers lost with their goodwill order less for a while)
                "lasting_revenue_change": float(
                    (after_d["delivered"] * after_d["sku"].map(price))[after_d["time"] >= end].sum()
                    - (after_b["delivered"] * after_b["sku"].map(price))[after_b["time"] >= end].sum()),
                "peak_backlog_units": float(back_d[back_d.index > d0].max()) if (back_d.index > d0).any() else 0.0,
                "baseline_peak_backlog_units": float(back_b[back_b.index > d0].max())
                if (back_b.index > d0).any() else 0.0,
            })
    return pd.DataFrame(rows, columns=list(RESILIENCE_COLUMNS))


def without_disruptions(config: Mapping[str, Any]) -> dict[str, Any]:
    """The same config with the scenario emptied: the paired baseline of a disrupted run."""
    out = dict(config)
    out["scenario"] = {"name": "baseline", "description": "paired baseline", "disruptions": {}}
    return out
