"""The README's first command: `python -m simulator` prints the KPI table and writes the run directory."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

import simulator
from analysis.kpis import KPI_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
REQUIRED = ["segment", "demand_units", "fill_rate", "order_fill_rate", "otif", "backorder_units", "lost_units",
            "avg_lead_time_days", "avg_on_hand_units", "inventory_turns", "revenue", "cost_to_serve",
            "gross_margin", "co2_kg"]


def test_cli_writes_run_directory(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "simulator", "horizon_days=60", f"hydra.run.dir={tmp_path}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    for seg in ("fast", "core", "tail", "ALL"):
        assert seg in proc.stdout
    assert str(tmp_path) in proc.stdout
    kpis = pd.read_csv(tmp_path / "kpis.csv")
    assert list(kpis["segment"]) == ["core", "fast", "tail", "ALL"]
    assert set(REQUIRED) <= set(kpis.columns)
    info = json.loads((tmp_path / "run.json").read_text())
    assert info["seed"] == 42 and info["simulated_days"] == 60 and info["events_processed"] > 1000
    assert info["segsim_version"] == simulator.__version__
    for table in ("order_lines", "shipments", "production", "replenishments", "stock"):
        assert len(pd.read_parquet(tmp_path / f"{table}.parquet")) > 0


def test_kpi_all_row_adds_up(default_results: simulator.Results) -> None:
    k = default_results.kpis.set_index("segment")
    segs = k.drop(index="ALL")
    for col in ("demand_units", "lost_units", "revenue", "cost_to_serve", "co2_kg", "avg_on_hand_units"):
        assert abs(segs[col].sum() - k.loc["ALL", col]) <= 1e-6 * max(1.0, abs(k.loc["ALL", col])), col
    assert list(default_results.kpis.columns) == list(KPI_COLUMNS)
    assert ((k["fill_rate"] > 0.5) & (k["fill_rate"] <= 1)).all()
    # cost to serve is the sum of its components
    parts = k[["transport_cost", "handling_cost", "holding_cost", "changeover_cost"]].sum(axis=1)
    assert ((parts - k["cost_to_serve"]).abs() < 1e-6 * k["cost_to_serve"]).all()


def test_kpis_follow_definitions(default_results: simulator.Results) -> None:
    """Recompute two KPIs by hand from the order lines placed after the warm-up and compare."""
    lines = default_results.order_lines
    lines = lines[lines["time"] >= default_results.spec.warmup_days]
    k = default_results.kpis.set_index("segment")
    fast = lines[lines["segment"] == "fast"]
    assert k.loc["fast", "fill_rate"] == fast["immediate"].sum() / fast["qty"].sum()
    assert k.loc["fast", "lost_units"] == fast["lost"].sum()
