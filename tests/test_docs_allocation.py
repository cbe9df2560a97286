"""The commands of docs/allocation.md and docs/goodwill.md run as written (shorter, with fewer
replications, jobs one after the other in this process and no sweep report: the test reads the
gathered tables and the comparison) and give the comparison the pages read."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]


def page_commands(page: str) -> list[list[str]]:
    text = (ROOT / "docs" / page).read_text()
    blocks = re.findall(r"```bash\n(.*?)```", text, re.S)
    return [shlex.split(line) for block in blocks for line in block.replace("\\\n", " ").splitlines() if line.strip()]


@pytest.mark.parametrize(("page", "metric"), [("allocation.md", "rationed_units"), ("goodwill.md", "forgone_units")])
def test_page_commands_run_and_compare(page: str, metric: str, tmp_path: Path, run_command) -> None:
    run, compare = page_commands(page)
    assert run[:4] == ["python", "-m", "simulator", "-m"] and "replications=10" in run
    sweep = next(a.split("=", 1)[1] for a in run if a.startswith("hydra.sweep.dir="))
    # shorter: the failure starts at day 5 of a 50-day run, 2 replications
    run = [a.replace("replications=10", "replications=2") for a in run] + [
        "horizon_days=50", "warmup_days=0", "scenario.disruptions.resin_supplier_down.start=5", "quiet=true",
        "hydra/launcher=basic", "hydra.callbacks.sweep.report=false"]
    proc = run_command(run)
    assert proc.returncode == 0, proc.stderr[-3000:]
    reps = pd.read_parquet(tmp_path / sweep / "sweep_replications.parquet")
    factor = compare[compare.index("--factor") + 1]
    baseline = compare[compare.index("--baseline") + 1]
    by_level = reps.groupby(reps[factor].astype(str))[metric].sum()
    assert by_level[baseline] == 0 and by_level.drop(baseline).gt(0).all()  # the feature acts, and only when on
    proc = run_command(compare)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"B minus A, A = {baseline}" in proc.stdout
    assert (tmp_path / sweep / f"paired_{factor}.csv").exists()
