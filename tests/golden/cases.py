"""The golden cases: two pinned (config, seed) runs whose every KPI and table total is committed.

A refactor must leave these numbers unchanged (to 1e-9 relative). A fix that changes them rewrites the
CSV files in the same commit, and the commit message says which fix moved which number by how much.

Rewrite them with ``python -m tests.golden.cases`` (from the repository root).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def default_company() -> dict[str, Any]:
    """The embedded default company, one year, seed 42, exactly as ``python -m simulator`` composes it."""
    import simulator

    cfg = simulator.compose(["seed=42", "horizon_days=365", "quiet=true"])
    return copy.deepcopy(cfg)


def b14() -> dict[str, Any]:
    """The 14-node bench network (bench/b14.yaml), one year, seed 1."""
    cfg = yaml.safe_load((ROOT / "bench" / "b14.yaml").read_text())
    cfg.update(horizon_days=365, seed=1, quiet=True)
    return cfg


CASES: dict[str, Callable[[], dict[str, Any]]] = {"default_company": default_company, "b14": b14}


def table_totals(results: Any) -> pd.DataFrame:
    """Per result table: its row count and the sum of each numeric column (one row per table x column)."""
    rows = []
    for name in sorted(results.tables):
        frame = results.tables[name]
        rows.append({"table": name, "column": "<rows>", "value": float(len(frame))})
        for col in frame.columns:
            series = frame[col]
            if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
                values = series.to_numpy(dtype=float, na_value=np.nan)
                rows.append({"table": name, "column": str(col), "value": float(np.nansum(values))})
    return pd.DataFrame(rows)


def compute(name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(KPI table, table totals) of one golden case, freshly simulated."""
    import simulator

    results = simulator.run(CASES[name]())
    return results.kpis.reset_index(drop=True), table_totals(results)


def paths(name: str) -> tuple[Path, Path]:
    return HERE / f"{name}_kpis.csv", HERE / f"{name}_totals.csv"


def write_all() -> None:
    for name in CASES:
        kpis, totals = compute(name)
        kpi_path, totals_path = paths(name)
        kpis.to_csv(kpi_path, index=False, float_format="%.17g")
        totals.to_csv(totals_path, index=False, float_format="%.17g")
        print(f"wrote {kpi_path.name} ({len(kpis)} rows) and {totals_path.name} ({len(totals)} rows)")


if __name__ == "__main__":
    write_all()
