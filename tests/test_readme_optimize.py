"""The README's "Choosing policies" commands run as written (with a tiny budget, a short horizon, the
trials one after the other, in this process) and give what the README says: best.yaml, trials.parquet,
report.html and a JSON last line."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
TINY = ["horizon_days=40", "optimize.budget.trials=3", "optimize.replications.initial=2",
        "optimize.replications.max=3", "optimize.replications.fresh=2", "optimize.n_jobs=1"]


def readme_commands() -> list[list[str]]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Choosing policies (strategy leads)", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1).replace("\\\n", " ")
    return [shlex.split(line) for line in block.splitlines() if line.strip()]


def test_choosing_policies_commands(tmp_path: Path, run_command) -> None:
    search, run_best = readme_commands()
    assert search == ["python", "-m", "simulator.optimize", "optimize=default_company"]
    proc = run_command([*search, *TINY])
    assert proc.returncode == 0, proc.stderr[-3000:]
    last = json.loads(proc.stdout.strip().splitlines()[-1])
    assert set(last) == {"best", "objective", "feasible", "trials"} and last["trials"] == 3
    assert set(last["best"]) == {k for k in last["best"] if k.startswith("segments.")} and len(last["best"]) == 6
    out = tmp_path / "outputs" / "optimize" / "default_company"
    trials = pd.read_parquet(out / "trials.parquet")
    assert len(trials) == 3 and {"objective", "objective_low", "feasible", "n_replications"} <= set(trials.columns)
    assert (trials["n_replications"] >= 2).all()
    page = (out / "report.html").read_text()
    assert "Fresh seeds" in page and "Convergence of the search" in page and "binding" in page.lower()

    proc = run_command([*run_best, "horizon_days=20", "quiet=true"])
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "fast" in proc.stdout  # the KPI table
    (config,) = [p for p in (tmp_path / "outputs").glob("*/*/.hydra/config.yaml") if "optimize" not in p.parts]
    ran = yaml.safe_load(config.read_text())
    for key, value in last["best"].items():  # the run used the winning settings
        node = ran
        for part in key.split("."):
            node = node[part]
        assert node == value, key
