"""docs/facilities.md as written: its YAML snippets build on the default company, its commands run
(on a shorter horizon with fewer replications, in this process, the sweep's jobs one after the other and
without its report) and give what the page tells the reader to look at."""

from __future__ import annotations

import copy
import re
import shlex
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from simulator.config import build_spec

ROOT = Path(__file__).resolve().parents[1]
PAGE = (ROOT / "docs" / "facilities.md").read_text()
BLOCKS = re.findall(r"```(bash|python|yaml)\n(.*?)```", PAGE, re.S)


def _commands() -> list[list[str]]:
    return [shlex.split(line) for lang, body in BLOCKS if lang == "bash" for line in body.splitlines() if line.strip()]


def test_yaml_snippets_build_on_the_default_company(default_config: dict[str, Any]) -> None:
    snippets = [yaml.safe_load(body) for lang, body in BLOCKS if lang == "yaml"]
    assert len(snippets) == 2
    cfg = copy.deepcopy(default_config)
    cfg["network"]["warehouses"].update(snippets[0])
    cfg["network"].update(snippets[1])
    spec = build_spec(cfg)
    terms = spec.warehouses["dc_north"].facility
    assert terms is not None and terms.operator is not None and terms.operator.segments == ("tail",)
    assert [p.name for p in spec.cost_pools] == ["warehouse_management", "customer_service", "transport_planning"]


def test_python_snippet_runs() -> None:
    code = next(body for lang, body in BLOCKS if lang == "python")
    scope: dict[str, Any] = {}
    exec(code.replace('"horizon_days=120"', '"horizon_days=60"'), scope)  # noqa: S102 - the page's own snippet
    results = scope["results"]
    assert set(results.full_cost["segment"]) == {"fast", "core", "tail", "ALL"}
    assert {"fixed dc_central", "customer_service"} <= set(results.cost_allocation["pool"])


def test_commands_run_as_written(tmp_path: Path, run_command) -> None:
    single, sweep, compare = _commands()
    assert single == ["python", "-m", "simulator", "+facilities=economics"]
    proc = run_command([*single, "horizon_days=60", "hydra.run.dir=run"])
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "full cost to serve" in proc.stdout and "margin after full cost" in proc.stdout
    full = pd.read_csv(tmp_path / "run" / "full_cost.csv")
    assert (full["full_cost_to_serve"] > full["variable_cost_to_serve"]).all()
    assert (tmp_path / "run" / "cost_allocation.csv").exists() and (tmp_path / "run" / "facility_days.parquet").exists()

    assert "replications=5" in sweep
    sweep = [a.replace("replications=5", "replications=2") for a in sweep] + [
        "horizon_days=60", "hydra/launcher=basic", "hydra.callbacks.sweep.report=false"]
    proc = run_command(sweep)
    assert proc.returncode == 0, proc.stderr[-3000:]
    proc = run_command(compare)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "B minus A, A = in_house" in proc.stdout
    paired = pd.read_csv(tmp_path / "multirun" / "tail_3pl" / "paired_facilities.csv")
    tail = paired[(paired["segment"] == "tail") & (paired["metric"] == "avg_lead_time_days")]
    assert len(tail) == 1 and tail["diff"].iloc[0] > 0.2  # the 3PL's 0.25-0.75 day pick delay
    def fast(metric: str) -> float:
        return float(paired.loc[(paired["segment"] == "fast") & (paired["metric"] == metric), "diff"].iloc[0])

    # only the tail is outsourced: the fast movers' handling and stock do not move; their freight can only
    # rise (their lines no longer share a shipment with tail lines of the same order that the 3PL picks later)
    assert abs(fast("handling_cost")) < 1e-6 and abs(fast("holding_cost")) < 1e-6
    assert fast("transport_cost") >= -1e-6
