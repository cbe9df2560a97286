"""The stress matrix flags a node as exposed exactly when its outage outlasts the time to survive."""

from __future__ import annotations

from pathlib import Path

import matplotlib.image
import pytest

from analysis.sweep import gather
from simulator.app.cli import run_job
from simulator.app.jobs import write_job
from simulator.app.stress_matrix import DURATION, TARGET, heatmap, matrix
from tests.conftest import load_config


def test_matrix_on_the_hand_built_case(tmp_path: Path) -> None:
    # 10 days of cover (tests/configs/stress_case.yaml): a 5-day outage is survived, a 15-day one is not
    for job, days in enumerate((5, 15)):
        cfg = load_config("stress_case")
        cfg["scenario"] = {"name": "node_outage", "disruptions": {
            "outage": {"kind": "outage", "target": "vendor", "start": 60, "duration": days}}}
        run_job(cfg, tmp_path / str(job), echo=False, report=False)
        write_job(tmp_path / str(job), status="ok", overrides=[f"{TARGET}=vendor", f"{DURATION}={days}"], config=cfg)
    table = matrix(gather(tmp_path)).set_index("outage_days")
    assert list(table["node"]) == ["vendor", "vendor"]
    assert table.loc[5.0, "revenue_lost"] == 0 and not table.loc[5.0, "exposed"]
    assert table.loc[5.0, "ttr_days"] == 0  # service never left the baseline's band
    assert table.loc[15.0, "tts_days"] == 10 and table.loc[15.0, "exposed"]
    assert table.loc[15.0, "ttr_days"] == pytest.approx(17.0)  # held orders arrive 2 days after the restart
    assert table.loc[15.0, "revenue_lost"] > 0
    png = heatmap(table.reset_index(), tmp_path / "stress_matrix.png")
    assert matplotlib.image.imread(png).shape[0] > 100
