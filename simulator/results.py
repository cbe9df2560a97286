"""The outcome of one run: record tables, KPIs, and writing them to a run directory."""

from __future__ import annotations

import json
import logging
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis.kpis import compute_kpis
from analysis.planning_kpis import add_planning_kpis

if TYPE_CHECKING:
    from simulator.spec import Spec

log = logging.getLogger(__name__)


class Results:
    """Tables of one run (``order_lines``, ``shipments``, ``production``, ``replenishments``,
    ``stock``) and the segment KPI table derived from them."""

    def __init__(self, spec: Spec, tables: dict[str, pd.DataFrame], *, wall_seconds: float, events: int) -> None:
        self.spec = spec
        self.tables = tables
        self.wall_seconds = wall_seconds
        self.events = events

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    @cached_property
    def kpis(self) -> pd.DataFrame:
        """One row per segment and an ``ALL`` row; see docs/kpis.md for each definition."""
        spec = self.spec
        skus = pd.DataFrame([(s.name, s.price, s.unit_cost) for s in spec.skus.values()],
                            columns=["sku", "price", "unit_cost"]).set_index("sku")
        kpis = compute_kpis(
            self.tables, skus=skus,
            promised={n: s.promised_lead_time for n, s in spec.segments.items()},
            handling={n: w.handling_cost_per_unit for n, w in spec.warehouses.items()},
            holding_rate=spec.holding_rate, warmup=spec.warmup_days, horizon=spec.horizon_days,
        )
        return add_planning_kpis(kpis, self.tables, spec.warmup_days)

    def run_info(self) -> dict[str, object]:
        from simulator import __version__

        return {
            "seed": self.spec.seed, "segsim_version": __version__, "wall_seconds": round(self.wall_seconds, 4),
            "simulated_days": self.spec.horizon_days, "warmup_days": self.spec.warmup_days,
            "events_processed": self.events,
            "events_per_second": round(self.events / self.wall_seconds) if self.wall_seconds > 0 else None,
        }

    def write(self, outdir: str | Path) -> Path:
        """Write ``kpis.csv``, one Parquet file per record table and ``run.json`` into ``outdir``."""
        out = Path(outdir)
        out.mkdir(parents=True, exist_ok=True)
        self.kpis.to_csv(out / "kpis.csv", index=False)
        for name, table in self.tables.items():
            table.to_parquet(out / f"{name}.parquet", index=False)
        (out / "run.json").write_text(json.dumps(self.run_info(), indent=2) + "\n")
        log.info("wrote kpis.csv, run.json and %d tables to %s", len(self.tables), out)
        return out
