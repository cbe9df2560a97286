"""Short classroom runs and the stress matrix's own start day (issue 12, item 11)."""

from __future__ import annotations

import pytest

import simulator
from analysis.segment import build_parser
from simulator.app.stress_matrix import precheck
from simulator.engine.errors import ConfigError


def test_stress_matrix_precheck_uses_its_start_option() -> None:
    spec = precheck(["horizon_days=40"], start=10)  # the scenario file says day 60: a 40-day run needs --start
    (window,) = spec.scenario.disruptions
    assert window.schedule.start == 10


def test_shipped_scenario_on_a_short_run_says_how_to_shift_it() -> None:
    with pytest.raises(ConfigError) as err:
        simulator.build_spec(simulator.compose(["scenario=supplier_failure", "horizon_days=45"]))
    text = str(err.value)
    assert "horizon_days=45" in text and "shift the window" in text
    key = text.split("'")[1]  # the key the error names, e.g. scenario.disruptions.<name>.start
    assert f"{key}=15" in text
    shifted = simulator.build_spec(simulator.compose(["scenario=supplier_failure", "horizon_days=45", f"{key}=15"]))
    assert shifted.scenario.disruptions


def test_segment_help_lists_its_choices_readably() -> None:
    text = build_parser().format_help()
    assert "{sku,sku,channel}" not in text and "sku|sku,channel" in text
