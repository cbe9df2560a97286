"""The README's stress-test commands for resilience teams run as written (shorter and with fewer
replications), and give what the README tells the reader to look at."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[list[str]]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Stress tests (resilience teams)", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1).replace("\\\n", " ")
    return [shlex.split(line) for line in block.splitlines() if line.strip()]


def test_supplier_failure_on_two_policies_with_paired_differences(tmp_path: Path, run_command) -> None:
    run, compare = readme_commands()
    assert run[:4] == ["python", "-m", "simulator", "-m"] and "replications=10" in run
    sweep = next(a.split("=", 1)[1] for a in run if a.startswith("hydra.sweep.dir="))
    run = [a.replace("replications=10", "replications=2") for a in run] + ["horizon_days=75"]
    # the sweep as a real command (its launcher's worker processes, the exit status); the comparison in-process
    proc = subprocess.run([sys.executable, *run[1:]], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = tmp_path / sweep
    table = pd.read_csv(out / "sweep.csv")
    assert (table["status"] == "ok").all() and table["job"].nunique() == 2
    assert {"tts_days", "ttr_days", "revenue_change"} <= set(table.columns)
    for job in ("0", "1"):
        res = pd.read_csv(out / job / "resilience_summary.csv")
        assert set(res["metric"]) >= {"tts_days", "ttr_days", "service_loss_area", "revenue_change"}
        assert (res.loc[res["metric"] == "tts_days", "mean"] > 0).all()
    page = (out / "report.html").read_text()
    # the sweep varied one policy setting: the report shows its paired differences against the first value
    assert "Paired differences against the baseline policy" in page
    assert "segments.fast.policies.replenishment.cycle_days: 5 minus 10" in page  # listed 10 first: A = 10

    proc = run_command(compare)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "B minus A, A = 10" in proc.stdout and "tts_days" in proc.stdout
    factor = compare[compare.index("--factor") + 1]
    paired = pd.read_csv(out / f"paired_{factor}.csv")
    assert set(paired["segment"]) >= {"fast", "core", "tail"}
    assert {"diff", "ci_low", "ci_high", "significant"} <= set(paired.columns)
    assert (paired["n_pairs"] == 2).all()
