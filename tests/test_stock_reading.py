"""The daily stock reading reads only the stock points whose stock changed that day.

Every change of a point's stock on hand, backorders or on-order marks it (``Context.stock_changed``);
the reading copies the day before for the rest. The independent calculation here reads every point
every day, as the model did before: the two stock tables must be equal to the last bit, on runs that
move stock in every way the engine has (picks, receipts, backorders given up, outage write-offs,
expiry and repositioning, returns put away, rationing between segments, 3PL and dock limits).
"""

from __future__ import annotations

import pandas as pd
import pytest

import simulator
from simulator.engine.model import Model

CASES = [
    ["scenario=dc_outage"],
    ["+policy=shelf_life", "scenario=supplier_failure"],
    ["+policy=returns"],
    ["+policy=protection_levels", "scenario=supplier_failure"],
    ["+facilities=economics"],
    ["+facilities=tail_3pl"],
    ["+policy=tail_mto", "scenario=demand_spike"],
]


def _stock(overrides: list[str], read_every_point: bool, monkeypatch: pytest.MonkeyPatch) -> pd.DataFrame:
    if read_every_point:
        original = Model._record_stock

        def read_all(self: Model) -> None:
            self.ctx.stock_changed[:] = self.points
            original(self)

        monkeypatch.setattr(Model, "_record_stock", read_all)
    cfg = simulator.compose([*overrides, "quiet=true", "horizon_days=120"])
    table = simulator.run(cfg).tables["stock"]
    monkeypatch.undo()
    return table


@pytest.mark.parametrize("overrides", CASES, ids=lambda o: ",".join(o))
def test_reading_only_changed_points_equals_reading_every_point(overrides: list[str],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    marked = _stock(overrides, False, monkeypatch)
    every = _stock(overrides, True, monkeypatch)
    assert len(marked) == len(every) > 0
    pd.testing.assert_frame_equal(marked, every, check_exact=True)
    # the runs move stock: the table is not trivially constant
    assert marked["on_hand"].nunique() > 10 and marked["on_order"].gt(0).any()
