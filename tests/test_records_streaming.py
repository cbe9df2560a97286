"""Records of a large run move into column chunks during the run; the tables must not notice."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

import simulator
from simulator.engine import records


def _tables(cfg: dict[str, Any]) -> dict[str, pd.DataFrame]:
    return simulator.run(cfg).tables


def test_tables_are_the_same_whether_rows_move_to_chunks_or_not(default_config: dict[str, Any],
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = dict(default_config, horizon_days=60, quiet=True)
    held = _tables(cfg)
    monkeypatch.setattr(records, "FLUSH_ROWS", 300)  # a few hundred rows: many chunks in 60 days
    made: list[int] = []
    compact = records.Recorder.compact

    def counting(self: records.Recorder) -> None:
        compact(self)
        made.append(sum(len(c) for c in self.chunks.values()))

    monkeypatch.setattr(records.Recorder, "compact", counting)
    moved = _tables(cfg)
    assert max(made) >= 6  # rows did move into chunks (order lines and shipments, several times each)
    for name, table in held.items():
        pd.testing.assert_frame_equal(moved[name], table, check_exact=True, obj=name)


def test_a_line_moves_only_once_nothing_can_change_it() -> None:
    line = type("Line", (), {})()
    line.open, line.shipped, line.delivered = 0.0, 5.0, 3.0  # 2 units still on their way
    assert not records._finished(line)
    line.delivered = 5.0
    assert records._finished(line)
    line.open = 1.0  # a unit still waits to ship
    assert not records._finished(line)


def test_a_buffer_read_during_the_run_keeps_every_row(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records, "FLUSH_ROWS", 2)
    rec = records.Recorder()
    rec.keep_rows("replenishments")
    rec.replenishments.extend([(0.0, "dc", "A", "plant", 5.0, 1.0)] * 3)
    rec.shipments.extend([(0.0, "dc", "c", "truck", "A", 5.0, "customer", "s", 1.0, 0.1, 1.0, "dc_pick",
                           1, 1, "carrier", 1.0)] * 3)
    rec.compact()
    assert len(rec.replenishments) == 3 and not rec.shipments  # kept / moved into a chunk
    tables = rec.tables()
    assert len(tables["replenishments"]) == 3 and len(tables["shipments"]) == 3


def test_a_large_runs_finished_model_is_freed_before_its_tables_are_read() -> None:
    import gc
    import weakref

    from simulator.app.results import COLLECT_AFTER_EVENTS, released

    class Model:  # stands for the finished model: its parts refer to each other in a cycle
        pass

    def record_of(events: int) -> tuple[records.RunRecord, weakref.ref[Model]]:
        model = Model()
        model.me = model  # type: ignore[attr-defined]
        return records.RunRecord(None, {}, wall_seconds=0.0, events=events), weakref.ref(model)  # type: ignore[arg-type]

    gc.disable()  # no automatic collection may free it meanwhile
    try:
        small, small_model = record_of(COLLECT_AFTER_EVENTS - 1)
        large, large_model = record_of(COLLECT_AFTER_EVENTS)
        assert released(small) is small and small_model() is not None  # a small run pays for no collection
        assert released(large) is large and large_model() is None and small_model() is None
    finally:
        gc.enable()
