"""Demand-planning KPIs by segment: forecast accuracy of the statistical and consensus forecasts, alerts.

Accuracy is judged per stocking point and day, after the warm-up:
- ``forecast_wmape_*``: weighted mean absolute percentage error, sum |forecast - actual| / sum actual
  (the MAPE that stays defined on days without demand);
- ``forecast_bias_*``: sum (forecast - actual) / sum actual (positive = over-forecast).
Comparing ``*_statistical`` with ``*_consensus`` shows what the planners' overrides were worth.
``alerts``: alerts raised for the segment (each episode once).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PLANNING_COLUMNS = ("forecast_wmape_statistical", "forecast_wmape_consensus", "forecast_bias_statistical",
                    "forecast_bias_consensus", "alerts")


def _accuracy(f: pd.DataFrame) -> dict[str, float]:
    actual = f["actual"].sum()
    out = {}
    for kind in ("statistical", "consensus"):
        err = f[kind] - f["actual"]
        out[f"forecast_wmape_{kind}"] = float(err.abs().sum() / actual) if actual > 0 else np.nan
        out[f"forecast_bias_{kind}"] = float(err.sum() / actual) if actual > 0 else np.nan
    return out


def add_planning_kpis(kpis: pd.DataFrame, tables: dict[str, pd.DataFrame], warmup: float) -> pd.DataFrame:
    """``kpis`` with the planning columns added, when the run did demand planning (else unchanged)."""
    if "forecasts" not in tables:
        return kpis
    f = tables["forecasts"]
    f = f[f["day"] >= warmup]
    alerts = tables["alerts"]
    alerts = alerts[alerts["time"] >= warmup]
    rows = []
    for seg in kpis["segment"]:
        part = f if seg == "ALL" else f[f["segment"] == seg]
        acc = _accuracy(part) if len(part) else dict.fromkeys(PLANNING_COLUMNS[:4], np.nan)
        n = len(alerts) if seg == "ALL" else int((alerts["segment"] == seg).sum())
        rows.append({**acc, "alerts": n})
    return pd.concat([kpis.reset_index(drop=True), pd.DataFrame(rows, columns=list(PLANNING_COLUMNS))], axis=1)
