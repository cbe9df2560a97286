"""A consensus override is laid over a statistical forecast: on SKUs whose segments do not forecast
it would do nothing, so the config is refused at the override's key (issue 12, item 6)."""

from __future__ import annotations

from typing import Any

import pytest

import simulator
from simulator.engine.errors import ConfigError

OVERRIDE = {"skus": ["CLN-01"], "start": 120, "end": 134, "value": 450, "author": "j.doe", "reason": "promotion"}


def test_override_on_a_segment_without_forecast_is_an_error(default_config: dict[str, Any]) -> None:
    cfg = dict(default_config, demand={"overrides": [OVERRIDE]})
    with pytest.raises(ConfigError) as err:
        simulator.build_spec(cfg)
    text = str(err.value)
    assert "demand.overrides[0].skus" in text and "CLN-01" in text and "forecast" in text


def test_override_on_a_forecasting_segment_is_accepted() -> None:
    cfg = simulator.compose(["segments=forecast_driven", "horizon_days=20"])
    cfg["demand"] = {"overrides": [OVERRIDE]}
    assert simulator.build_spec(cfg).forecast_overrides[0].value == 450
