"""Returns (issue 17, item 4): what customers send back, the returns centre, and the returns KPIs.

A small network (one DC fed by an outside vendor, a store and a web shop) with fixed delays, so
every lot's journey can be checked to the day, and the counts against independent binomial
calculations.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

import simulator
from analysis.returns import add_returns_kpis
from simulator.config import build_spec
from simulator.engine.errors import ConfigError
from simulator.engine.returns import ConditionMix, ReturnsCentre, returned_units, split_condition
from tests.conftest import load_config

DELAY, INBOUND, OUTBOUND, INSPECT, REFURB = 5.0, 2.0, 1.0, 0.01, 0.05  # days (inspection, refurbishing per unit)
STORE_RATE, WEB_RATE = 0.1, 0.3
MIX = {"resaleable": 0.5, "refurbishable": 0.3, "scrap": 0.2}
Z = 4.0  # a binomial count further than 4 sd from its mean: once in ~16,000 runs


def _config(**centre: Any) -> dict[str, Any]:
    cfg = load_config("single_stage")
    cfg.update(horizon_days=400, warmup_days=0, seed=5, quiet=True)
    net = cfg["network"]
    net["integer_units"] = True
    net["channels"] = {"store": {}, "online": {}}
    net["lanes"].append({"from": "dc", "to": "web", "mode": "truck", "lead_time": 1})
    net["customers"] = {
        "shop": {"channel": "store", "served_from": ["dc"], "orders_per_day": 6, "qty": {"dist": "poisson", "mean": 3}},
        "web": {"channel": "online", "served_from": ["dc"], "orders_per_day": 6, "qty": 1},
    }
    cfg["segments"]["only"]["policies"] = {"replenishment": {"type": "base_stock", "S": 120}}
    rc = {"restock_to": "dc", "inbound": {"mode": "truck", "lead_time": INBOUND},
          "outbound": {"mode": "truck", "lead_time": OUTBOUND}, "inspectors": 4, "inspection_days": INSPECT,
          "inspection_cost_per_unit": 0.5, "benches": 4, "refurbish_days": REFURB, "refurbish_cost_per_unit": 2.0,
          "returns": [{"channels": "online", "rate": WEB_RATE, "delay": DELAY, "mix": MIX},
                      {"rate": STORE_RATE, "delay": DELAY, "mix": MIX}]}
    rc.update(centre)
    net["returns_centres"] = {"rc": rc}
    return cfg


@pytest.fixture(scope="module")
def run() -> simulator.Results:
    return simulator.run(_config())


# ------------------------------------------------------------------------------------------ the loop
def test_fixed_delays_are_kept(run: simulator.Results) -> None:
    lots = run.tables["returns"]
    assert len(lots) > 300
    np.testing.assert_allclose(lots["sent"] - lots["delivered"], DELAY)
    got = lots.dropna(subset=["received"])
    np.testing.assert_allclose(got["received"] - got["sent"], INBOUND)
    # plenty of inspectors: inspection starts on arrival and takes its fixed time per unit
    np.testing.assert_allclose(got["inspect_start"], got["received"])
    done = got.dropna(subset=["inspected"])
    np.testing.assert_allclose(done["inspected"] - done["inspect_start"], INSPECT * done["qty"], atol=1e-9)


def test_returns_loop_conserves_units(run: simulator.Results) -> None:
    lots, ship = run.tables["returns"], run.shipments
    returned = lots["qty"].sum()
    inspected = lots["inspected"].notna()
    refurbished = lots["refurbished"].notna()
    recovered = lots.loc[inspected, "resaleable"].sum() + lots.loc[refurbished, "refurbishable"].sum()
    scrapped = lots.loc[inspected, "scrap"].sum()
    in_process = lots.loc[~inspected, "qty"].sum() + lots.loc[inspected & ~refurbished, "refurbishable"].sum()
    assert returned == recovered + scrapped + in_process
    assert in_process > 0 and scrapped > 0  # the run ends with some of each
    # shipped = kept + returned: per line, what came back is part of what was delivered, the rest is kept
    lines = run.order_lines.set_index("line_id")
    back = lots.groupby("line_id")["qty"].sum()
    kept = lines["delivered"] - back.reindex(lines.index, fill_value=0.0)
    assert (kept >= 0).all() and kept.sum() + returned == lines["delivered"].sum()
    # what the centre sent customers' way and back matches the carrier's records
    legs = ship[ship["kind"] == "return"].groupby("path")["qty"].sum()
    assert legs["return"] == returned
    assert legs["restock"] == recovered
    # and the network-wide unit balance closes with the returns columns
    bal = run.tables["unit_balance"]
    entered = bal["initial"] + bal["released"] + bal["returned"]
    accounted = (bal["delivered"] + bal["written_off"] + bal["on_hand_end"] + bal["in_transit_end"]
                 + bal["scrapped"] + bal["at_returns_centre_end"])
    np.testing.assert_allclose(entered, accounted)
    assert bal["returned"].sum() == returned and bal["scrapped"].sum() == scrapped


def _within(observed: float, n: float, p: float, what: str) -> None:
    mean, sd = n * p, math.sqrt(n * p * (1 - p))
    assert abs(observed - mean) <= Z * sd, f"{what}: {observed:g} against binomial {mean:.1f} +- {Z:g} x {sd:.1f}"


def test_counts_match_independent_binomials(run: simulator.Results) -> None:
    """Each delivered unit comes back with its channel's rate; each returned one is resaleable,
    refurbishable or scrap with the mix. Counted over lines settled well before the horizon."""
    lines, lots = run.order_lines, run.tables["returns"]
    settled = lines[lines["last_delivery"] + DELAY + INBOUND + 5.0 < run.spec.horizon_days]
    for channel, rate in (("online", WEB_RATE), ("store", STORE_RATE)):
        mine = settled[settled["channel"] == channel]
        back = lots[lots["line_id"].isin(mine["line_id"])]
        _within(back["qty"].sum(), mine["delivered"].sum(), rate, f"{channel} units returned")
        assert back["inspected"].notna().all()
        assert back["refurbished"].notna().sum() == (back["refurbishable"] > 0).sum()
        n = back["qty"].sum()
        _within(back["resaleable"].sum() + back["refurbishable"].sum(), n, 1 - MIX["scrap"], f"{channel} recovered")
        _within(back["scrap"].sum(), n, MIX["scrap"], f"{channel} scrapped")


def test_recovered_units_return_to_stock(run: simulator.Results) -> None:
    """Recovered units are put away at the DC: the vendor releases fewer units than customers took."""
    bal = run.tables["unit_balance"].iloc[0]
    assert bal["released"] < bal["delivered"] + bal["on_hand_end"] + bal["in_transit_end"] - bal["initial"] + 1e-9
    assert (run.tables["returns"]["restock_dc"].isin(["dc", ""])).all()


def test_capacity_is_never_exceeded_and_lots_queue() -> None:
    """Two inspectors, one bench, slow work: lots wait; never more than 2 (1) are worked on at once."""
    cfg = _config(inspectors=2, inspection_days=0.3, benches=1, refurbish_days=0.5)
    cfg["horizon_days"] = 150
    lots = simulator.run(cfg).tables["returns"]
    for start, end, capacity in (("inspect_start", "inspected", 2), ("refurbish_start", "refurbished", 1)):
        work = lots.dropna(subset=[start])
        ends = work[end].fillna(np.inf)
        events = sorted([(t, 1) for t in work[start]] + [(t, -1) for t in ends])  # at a tie the end comes first
        busy = np.cumsum([d for _, d in events])
        assert busy.max() == capacity, f"{start}: at most {busy.max()} at once, capacity {capacity}"
    waited = lots["inspect_start"] - lots["received"]
    assert (waited > 1e-9).sum() > 50  # a queue formed
    assert (lots["refurbish_start"] - lots["inspected"] > 1e-9).sum() > 10


def test_off_by_default(default_config: dict[str, Any]) -> None:
    spec = build_spec(default_config)
    assert spec.returns_centres == {}


def test_same_seed_same_returns() -> None:
    cfg = _config()
    cfg["horizon_days"] = 80
    a, b = simulator.run(copy.deepcopy(cfg)), simulator.run(cfg)
    pd.testing.assert_frame_equal(a.tables["returns"], b.tables["returns"])


# ------------------------------------------------------------------------------------------ KPIs
def test_returns_kpis_from_tables() -> None:
    """An independent calculation on hand-made tables: two lots of one segment."""
    skus = pd.DataFrame({"sku": ["A"], "price": [10.0], "unit_cost": [4.0]}).set_index("sku")
    lots = pd.DataFrame({"ordered": [1.0, 2.0], "segment": ["s", "s"], "sku": ["A", "A"], "qty": [3.0, 2.0],
                         "inspected": [5.0, np.nan], "refurbished": [6.0, np.nan], "resaleable": [1.0, 0.0],
                         "refurbishable": [1.0, 0.0], "scrap": [1.0, 0.0], "inspection_cost": [1.5, 0.0],
                         "refurbish_cost": [2.0, 0.0], "sent": [3.0, 4.0]})
    lines = pd.DataFrame({"time": [0.5, 1.5], "segment": ["s", "s"], "delivered": [30.0, 20.0]})
    ship = pd.DataFrame({"time": [3.0, 6.0, 7.0], "kind": ["return", "return", "customer"],
                         "segment": ["s", "s", "s"], "cost": [4.0, 1.0, 9.0]})
    kpis = pd.DataFrame({"segment": ["s", "ALL"], "revenue": [500.0] * 2, "cogs": [200.0] * 2,
                         "transport_cost": [14.0] * 2, "cost_to_serve": [50.0] * 2, "gross_margin": [250.0] * 2})
    out = add_returns_kpis(kpis, {"returns": lots, "order_lines": lines, "shipments": ship}, skus=skus, warmup=0.0)
    row = out.iloc[0]
    assert row["return_rate"] == pytest.approx(5 / 50)
    assert (row["returned_units"], row["recovered_units"], row["scrapped_units"]) == (5.0, 2.0, 1.0)
    assert row["recovered_value"] == pytest.approx(8.0) and row["refund_value"] == pytest.approx(50.0)
    assert row["returns_cost"] == pytest.approx(5.0 + 3.5)
    assert row["transport_cost"] == pytest.approx(9.0)
    assert row["cost_to_serve"] == pytest.approx(53.5)
    assert row["gross_margin"] == pytest.approx(500 - 50 - 200 + 8 - 53.5)
    assert out.iloc[1]["returns_cost"] == row["returns_cost"]
    unchanged = add_returns_kpis(kpis, {"order_lines": lines, "shipments": ship}, skus=skus, warmup=0.0)
    assert unchanged is kpis


def test_kpis_of_a_run_count_the_returns_table(run: simulator.Results) -> None:
    k = run.kpis.set_index("segment").loc["only"]
    lots = run.tables["returns"]
    assert k["returned_units"] == lots["qty"].sum()
    assert k["return_rate"] == pytest.approx(lots["qty"].sum() / run.order_lines["delivered"].sum())
    assert k["scrapped_units"] == lots.loc[lots["inspected"].notna(), "scrap"].sum()
    assert run.sop["returns_cost"].sum() == pytest.approx(k["returns_cost"])  # warm-up 0: the months add up
    assert run.sop["gross_margin"].sum() == pytest.approx(k["gross_margin"])
    # the console table says it in a line of its own
    from analysis.kpis import format_table

    assert f"came back ({k['returned_units']:,.0f})" in format_table(run.kpis)


# ------------------------------------------------------------------------------------------ pure decisions
def test_split_condition_whole_and_fractional_units() -> None:
    rng = np.random.default_rng(0)
    parts = [split_condition(7.0, (0.5, 0.3, 0.2), rng) for _ in range(2000)]
    assert all(sum(p) == 7.0 and all(float(x).is_integer() for x in p) for p in parts)
    np.testing.assert_allclose(np.mean(parts, axis=0), [3.5, 2.1, 1.4], atol=0.1)
    assert split_condition(2.5, (0.5, 0.3, 0.2), None) == pytest.approx((1.25, 0.75, 0.5))
    assert returned_units(2.5, 0.2, None) == pytest.approx(0.5)
    assert returned_units(10.0, 0.0, rng) == 0.0 and returned_units(10.0, 1.0, rng) == 10.0


def test_first_matching_rule_applies() -> None:
    rc = ReturnsCentre.model_validate({"restock_to": "dc", "returns": [
        {"segments": ["fast"], "channels": ["web"], "rate": 0.3},
        {"channels": "web", "rate": 0.2},
        {"segments": "fast", "rate": 0.1}]})
    assert rc.rule("fast", "web").rate == 0.3  # type: ignore[union-attr]
    assert rc.rule("slow", "web").rate == 0.2  # type: ignore[union-attr]
    assert rc.rule("fast", "store").rate == 0.1  # type: ignore[union-attr]
    assert rc.rule("slow", "store") is None
    assert ConditionMix.model_validate({}).shares() == (1.0, 0.0, 0.0)


# ------------------------------------------------------------------------------------------ config errors
@pytest.mark.parametrize(("change", "key", "words"), [
    ({"returns": [{"rate": 1.5}]}, "network.returns_centres.rc.returns[0].rate", "got 1.5; must be <= 1"),
    ({"returns": [{"rate": -0.1}]}, "network.returns_centres.rc.returns[0].rate", "got -0.1; must be >= 0"),
    ({"returns": [{"rate": 0.1, "mix": {"resaleable": 0.5, "scrap": 0.4}}]},
     "network.returns_centres.rc.returns[0].mix.resaleable", "add up to 1; they add up to 0.9"),
    ({"restock_to": "dc_nowhere"}, "network.returns_centres.rc.restock_to", "unknown name; allowed: dc"),
    ({"collects_from": ["shop", "mall"]}, "network.returns_centres.rc.collects_from", "unknown name"),
    ({"returns": [{"segments": "gold", "rate": 0.1}]}, "network.returns_centres.rc.returns[0].segments",
     "unknown name; allowed: only"),
    ({"returns": [{"channels": "phone", "rate": 0.1}]}, "network.returns_centres.rc.returns[0].channels",
     "unknown name"),
    ({"inbound": None}, "network.returns_centres.rc.inbound", "no lane from shop to rc"),
    ({"outbound": {"mode": "rocket", "lead_time": 1}}, "network.returns_centres.rc.outbound.mode", "unknown name"),
    ({"inspectors": 0}, "network.returns_centres.rc.inspectors", "got 0; must be >= 1"),
    ({"returns": []}, "network.returns_centres.rc.returns", "at least 1"),
])
def test_bad_values_get_one_clear_error(change: dict[str, Any], key: str, words: str) -> None:
    with pytest.raises(ConfigError) as err:
        build_spec(_config(**change))
    message = str(err.value)
    assert key in message and words in message, message


def test_a_customer_goes_to_one_centre() -> None:
    cfg = _config()
    cfg["network"]["returns_centres"]["rc2"] = copy.deepcopy(cfg["network"]["returns_centres"]["rc"])
    with pytest.raises(ConfigError, match="already collected by rc"):
        build_spec(cfg)


def test_restock_dc_must_stock_what_comes_back() -> None:
    cfg = _config()
    net = cfg["network"]
    net["warehouses"]["dc_spare"] = {"sources": ["vendor"]}
    net["lanes"].append({"from": "vendor", "to": "dc_spare", "mode": "truck", "lead_time": 1})
    net["returns_centres"]["rc"]["restock_to"] = "dc_spare"
    with pytest.raises(ConfigError, match="none of these DCs stocks W-01"):
        build_spec(cfg)


@pytest.mark.parametrize(("override", "fragments"), [
    ("network.returns_centres.rc_central.restock_to=dc_nowhere",
     ["network.returns_centres.rc_central.restock_to", "dc_nowhere", "dc_central"]),
    ("network.returns_centres.rc_central.returns[0].mix.scrap=0.3",
     ["network.returns_centres.rc_central.returns[0].mix", "add up to 1; they add up to 1.2"]),
])
def test_the_command_line_refuses_bad_returns_with_exit_2(override: str, fragments: list[str], tmp_path: Any,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    from simulator.app.cli import main
    from tests.test_bad_files import refused

    run = tmp_path / "run"
    err = refused(capsys, main, ["+policy=returns", override, f"hydra.run.dir={run}"])
    assert all(f in err for f in fragments), err
    assert not run.exists()


def test_sporadic_streams_return_with_their_customer() -> None:
    """A customer's intermittent stream (``demand.intermittent``) sends returns to the customer's centre,
    over the customer's lane when the centre adds none."""
    cfg = _config(collects_from="shop", inbound=None)
    cfg["horizon_days"] = 150
    cfg["network"]["lanes"].append({"from": "shop", "to": "rc", "mode": "truck", "lead_time": INBOUND})
    cfg.setdefault("demand", {})["intermittent"] = [{"customer": "shop", "skus": ["W-01"], "mean_interval_days": 2,
                                                     "size": 20}]
    lots = simulator.run(cfg).tables["returns"]
    assert set(lots["customer"]) == {"shop", "shop/W-01/intermittent"}
    got = lots.dropna(subset=["received"])
    np.testing.assert_allclose(got["received"] - got["sent"], INBOUND)


def test_report_section_shows_the_returns(run: simulator.Results) -> None:
    from analysis.returns import returns_section

    (section,) = returns_section(run.kpis)
    k = run.kpis.set_index("segment").loc["ALL"]
    assert section.title == "Returns" and f"{k['returned_units']:,.0f}" in section.body
    assert returns_section(run.kpis.drop(columns=["return_rate"])) == []
