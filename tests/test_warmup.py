"""The default run leaves out the start-up transient: stock starts at the order-up-to levels and
falls to its running level in the first weeks (docs/kpis.md, warm-up)."""

from __future__ import annotations

from typing import Any

import pytest

import simulator
from simulator.engine.errors import ConfigError


def test_default_config_has_a_warmup(default_results: simulator.Results) -> None:
    spec = default_results.spec
    assert spec.warmup_days == 28
    on_hand = default_results.timeseries("on_hand", by=None)["total"]
    start = on_hand.loc[1]  # end of day 0: still near the starting levels
    after = on_hand[on_hand.index > spec.warmup_days]
    # the starting peak lies inside the warm-up: the KPI window never sees stock that high
    assert after.max() < 0.85 * start


def test_auto_warmup_on_a_short_run(default_config: dict[str, Any]) -> None:
    spec = simulator.build_spec(dict(default_config, horizon_days=10))
    assert spec.warmup_days == pytest.approx(2.5)
    assert simulator.build_spec(dict(default_config, warmup_days=0)).warmup_days == 0


def test_bad_warmup_names_the_key(default_config: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match="warmup_days.*soon.*or auto"):
        simulator.build_spec(dict(default_config, warmup_days="soon"))
