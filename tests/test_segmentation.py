"""Segmentation from data: ABC/XYZ on a hand-made table, the generator, and the command end to end."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import simulator
from analysis import segment
from analysis.segmentation import (
    Thresholds,
    abc_classes,
    assignment_rules,
    demand_pattern,
    profile,
    reevaluate,
    xyz_classes,
)
from simulator.app.demand_history import HistorySettings, generate

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_CSV = ROOT / "data" / "alder_finch_demand_history.csv.gz"


def test_abc_by_cumulative_share() -> None:
    # Shares 50, 25, 10, 8, 4, 3 %: cumulative before each item 0, 50, 75, 85, 93, 97.
    revenue = pd.Series({"a": 250.0, "b": 125.0, "c": 50.0, "d": 40.0, "e": 20.0, "f": 15.0})
    got = abc_classes(revenue.sample(frac=1.0, random_state=3), (0.80, 0.95))
    assert got.to_dict() == {"a": "A", "b": "A", "c": "A", "d": "B", "e": "B", "f": "C"}
    # Tighter A cut: the item crossing 50% is still A, the next is B.
    assert abc_classes(revenue, (0.5, 0.9)).to_dict() == {"a": "A", "b": "B", "c": "B", "d": "B", "e": "C",
                                                          "f": "C"}


def test_xyz_and_demand_pattern() -> None:
    cv = pd.Series({"steady": 0.1, "edge": 0.5, "mid": 0.7, "wild": 1.4, "never": np.nan})
    assert xyz_classes(cv).to_dict() == {"steady": "X", "edge": "X", "mid": "Y", "wild": "Z", "never": "Z"}
    adi = pd.Series({"s": 1.0, "e": 1.1, "i": 3.0, "l": 3.0})
    cv2 = pd.Series({"s": 0.1, "e": 0.9, "i": 0.2, "l": 0.8})
    assert demand_pattern(adi, cv2).to_dict() == {"s": "smooth", "e": "erratic", "i": "intermittent", "l": "lumpy"}


def _hand_history() -> pd.DataFrame:
    """Eight weeks, three SKUs: a steady best seller, a variable mid seller, an intermittent slow one."""
    days = pd.date_range("2025-01-06", periods=56, freq="D")  # starts on a Monday: 8 whole weeks
    rows = []
    for i, d in enumerate(days):
        rows.append((d, "BIG", 100, 10.0, 4.0))                        # 1000/day revenue, CV 0
        week = i // 7
        rows.append((d, "MID", 20 if week % 2 == 0 else 60, 5.0, 2.0))  # weekly totals 140/420: CV 0.5
        if i % 21 == 3:
            rows.append((d, "SLOW", 30, 2.0, 1.0))                     # every 21 days
    return pd.DataFrame(rows, columns=["date", "sku", "quantity", "price", "unit_cost"])


def test_profile_on_hand_made_table() -> None:
    table = profile(_hand_history(), thresholds=Thresholds(abc=(0.8, 0.95))).set_index("sku")
    # Revenue: BIG 56000, MID 5*40*56 = 11200, SLOW 2*30*3 = 180.
    assert table.loc["BIG", "revenue"] == 56000
    assert table.loc["MID", "revenue"] == 11200
    assert table.loc["SLOW", "revenue"] == 180
    assert table["abc"].to_dict() == {"BIG": "A", "MID": "B", "SLOW": "C"}
    assert table.loc["BIG", "cv"] == pytest.approx(0.0)
    assert table.loc["MID", "cv"] == pytest.approx(0.5)  # the whole first and last weeks are dropped
    assert table["xyz"].to_dict() == {"BIG": "X", "MID": "X", "SLOW": "Z"}
    assert table.loc["SLOW", "cv"] == pytest.approx(np.sqrt(2))  # weeks 2-7 from its first sale: 0 0 30 0 0 30
    assert table.loc["SLOW", "adi"] == pytest.approx(53 / 3)  # measured from its first sale (day 3)
    assert table["pattern"].to_dict() == {"BIG": "smooth", "MID": "smooth", "SLOW": "intermittent"}  # MID: CV2 = 0.25
    assert table["segment"].to_dict() == {"BIG": "fast", "MID": "core", "SLOW": "tail"}
    assert table.loc["BIG", "units_per_day"] == pytest.approx(100)


def test_margin_ranking_can_differ_from_revenue() -> None:
    hist = _hand_history()
    hist.loc[hist["sku"] == "BIG", "unit_cost"] = 9.9  # big seller, almost no margin
    by_margin = profile(hist, thresholds=Thresholds(value="margin")).set_index("sku")
    assert by_margin.loc["MID", "abc"] == "A"
    assert by_margin.loc["BIG", "abc"] == "B"


def test_thresholds_are_checked() -> None:
    with pytest.raises(ValueError, match="abc thresholds"):
        Thresholds(abc=(0.9, 0.8))
    with pytest.raises(ValueError, match="xyz thresholds"):
        Thresholds(xyz=(1.0, 0.5))


def test_reevaluation_names_the_crossed_threshold() -> None:
    old = profile(_hand_history())
    hist = _hand_history()
    hist.loc[hist["sku"] == "MID", "quantity"] *= 10  # MID grows to a best seller
    new = profile(hist)
    report = reevaluate(new, old).set_index("sku")
    assert list(report.index) == ["MID"]
    assert report.loc["MID", "previous_segment"] == "core"
    assert report.loc["MID", "new_segment"] == "fast"
    assert report.loc["MID", "crossed"] == "abc B->A"


def test_generator_has_seasonality_promotions_tail_and_launches(default_config: dict) -> None:
    spec = simulator.build_spec(default_config)
    hist = generate(spec, HistorySettings(days=365, launch_day=200))
    hist["date"] = pd.to_datetime(hist["date"])
    daily = hist[hist["sku"] == "CLN-01"].groupby("date")["quantity"].sum()
    april, october = daily[daily.index.month == 4].mean(), daily[daily.index.month == 10].mean()
    assert april > 1.3 * october                                  # spring peak of cleaners
    retail = hist[(hist["channel"] == "retail")].groupby(hist["date"].dt.day_of_week)["quantity"].sum()
    assert retail[4] > 2 * retail[6]                              # stores order on Friday, not Sunday
    assert (hist["price"] < spec.skus["CLN-01"].price).any()      # promotions discount the price
    tail_days = hist[hist["sku"] == "CLN-15"]["date"].nunique()
    assert tail_days < 0.6 * 365                                  # intermittent tail
    assert hist[hist["sku"] == "PRC-12"]["date"].min() >= pd.Timestamp("2024-01-01") + pd.Timedelta(days=200)


def test_command_end_to_end_on_shipped_csv(tmp_path: Path, default_config: dict) -> None:
    out = tmp_path / "from_history.yaml"
    segment.main(["--history", str(SHIPPED_CSV), "--out", str(out)])
    doc = yaml.safe_load(out.read_text())
    table = pd.read_csv(out.with_suffix(".csv"))
    assert len(table) == 45 and set(table["segment"]) == {"fast", "core", "tail"}
    # The shipped conf/segments/from_history.yaml is exactly what the command makes from the shipped CSV.
    shipped = yaml.safe_load((ROOT / "conf" / "segments" / "from_history.yaml").read_text())
    assert doc["assignment"] == shipped["assignment"]
    # The simulator reads the assignment as written: every SKU lands in the segment of the table.
    cfg = copy.deepcopy(default_config)
    cfg["segments"], cfg["assignment"] = doc["segments"], doc["assignment"]
    spec = simulator.build_spec(cfg)
    expected = dict(zip(table["sku"], table["segment"], strict=True))
    assert {sku: seg for (sku, _ch), seg in spec.segment_of.items()} == expected
    # Re-evaluation against the shipped table of the same data: nothing moves.
    report = tmp_path / "moves.csv"
    segment.main(["--history", str(SHIPPED_CSV), "--out", str(out),
                  "--previous", str(ROOT / "conf" / "segments" / "from_history.csv"), "--report", str(report)])
    assert len(pd.read_csv(report)) == 0


def test_per_channel_rules_name_channels() -> None:
    hist = _hand_history().assign(channel="retail")
    hist = pd.concat([hist, hist.assign(channel="b2b", quantity=hist["quantity"] * 3)])
    table = profile(hist, by=("sku", "channel"))
    rules = assignment_rules(table)
    for rule in rules["rules"]:
        assert len(rule["channels"]) == 1 and rule["skus"]


def test_command_rejects_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"date": ["2025-01-01"], "sku": ["X"], "quantity": [1]}).to_csv(bad, index=False)
    with pytest.raises(SystemExit) as exc:
        segment.main(["--history", str(bad), "--out", str(tmp_path / "o.yaml")])
    assert exc.value.code == 2
    assert "missing column(s) price, unit_cost" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        segment.main(["--history", str(SHIPPED_CSV), "--out", str(tmp_path / "o.yaml"), "--map", "*=platinum"])
    assert exc.value.code == 2
    assert "platinum, not defined" in capsys.readouterr().err
