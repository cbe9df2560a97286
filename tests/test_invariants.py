"""Flow conservation and non-negativity, on the default company and on generated networks.

At any moment every finished unit that entered the network (initial stock, production,
bought-in goods) is on hand in a DC, on a carrier, or delivered; stock and backorders are never
negative; and what customers still wait for equals what the DCs hold on backorder for them.
"""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import simulator
from simulator import Model, build_spec

TOL = 1e-6


def check_state(model: Model) -> None:
    for sku, gap in model.flow_balance().items():
        assert abs(gap) < TOL, f"{sku}: {gap} units unaccounted for at t={model.env.now}"
    for p in model.points:
        assert p.on_hand >= -TOL and p.backlog_qty >= -TOL and p.on_order >= -TOL, (p.node, p.sku)
        waiting_whole = next((r.complete_only for r in p.backlog if r.open > 0), False)
        assert p.on_hand <= TOL or p.backlog_qty <= TOL or waiting_whole, "stock on hand while backorders wait"
        waiting = sum(r.open for r in p.backlog)
        assert math.isclose(waiting, p.backlog_qty, abs_tol=1e-6)
    lines = model.ctx.recorder.order_lines
    for line in lines:
        assert line.immediate <= line.shipped + TOL <= line.qty + 2 * TOL
        assert line.delivered <= line.shipped + TOL and line.lost >= 0
        assert line.shipped + line.lost <= line.qty + TOL
    open_lines = sum(line.open for line in lines)
    backlog_for_customers = sum(r.open for p in model.points for r in p.backlog if r.kind == "customer")
    assert math.isclose(open_lines, backlog_for_customers, abs_tol=1e-6)
    for plant in model.plants.values():
        assert all(v >= -TOL for v in plant.raw.on_hand.values())


def test_default_network_conserves_flow(default_config: dict) -> None:
    cfg = dict(default_config, horizon_days=120)
    model = Model(build_spec(cfg))
    for t in (0.5, 3.2, 17.0, 45.5, 90.25, 120.0):
        model.step_until(t)
        check_state(model)
    assert sum(model.ctx.ledger.delivered.values()) > 0


def test_demand_is_filled_backordered_or_lost(default_results: simulator.Results) -> None:
    lines = default_results.order_lines
    filled_now = lines["immediate"].sum()
    filled_later = (lines["shipped"] - lines["immediate"]).sum()
    assert lines["qty"].sum() == filled_now + filled_later + lines["lost"].sum() + lines["open"].sum()
    assert (lines["open"] >= -TOL).all()
    stock = default_results.stock
    assert (stock[["on_hand", "backorders", "on_order"]] >= -TOL).all().all()


# ---------------------------------------------------------------- generated networks

POLICIES = st.sampled_from([
    {"type": "s_S", "cycle_days": 3},
    {"type": "s_S", "cycle_days": 10, "review_period": 2},
    {"type": "order_up_to", "review_period": 5},
    {"type": "base_stock"},
])
LEAD = st.one_of(st.integers(0, 4), st.fixed_dictionaries(
    {"dist": st.just("uniform"), "low": st.just(0.5), "high": st.sampled_from([1.5, 3.0])}))


@st.composite
def networks(draw: st.DrawFn) -> dict:
    made = draw(st.booleans())  # a plant with a line, or a vendor selling finished goods
    n_regional = draw(st.integers(1, 3))
    regional = [f"dc{i}" for i in range(n_regional)]
    net: dict = {
        "integer_units": draw(st.booleans()),
        "transport_modes": {"truck": {"cost_per_unit": 0.1}},
        "raw_materials": {"rm": {"unit_cost": 1}},
        "families": {"f": {"skus": draw(st.integers(1, 4)), "price": 5, "unit_cost": 2,
                           "bom": {"rm": 1.0} if made else {}}},
        "warehouses": {"hub": {"sources": ["plant" if made else "vendor"]}},
        "lanes": [{"from": "hub", "to": regional, "mode": "truck", "lead_time": draw(LEAD)}],
        "channels": {"c": {"patience_days": draw(st.sampled_from([0, 0.5, 3, 1000])),
                           "ship_complete": draw(st.booleans())}},
        "customers": {},
    }
    if made:
        net["suppliers"] = {"vendor": {"supplies": ["rm"], "lead_time": draw(LEAD),
                                       "capacity_per_day": draw(st.sampled_from([None, 40, 500]))}}
        net["plants"] = {"plant": {"raw_stock": {"rm": {"s": 20, "S": 80}}, "lines": {
            "L": {"families": ["f"], "rate": draw(st.sampled_from([30, 200])),
                  "min_batch": draw(st.sampled_from([0, 25]))}}}}
        net["lanes"] += [{"from": "vendor", "to": "plant", "mode": "truck", "lead_time": draw(LEAD)},
                         {"from": "plant", "to": "hub", "mode": "truck", "lead_time": draw(LEAD)}]
    else:
        net["suppliers"] = {"vendor": {"supplies": ["F-01", "F-02", "F-03", "F-04"][: net["families"]["f"]["skus"]],
                                       "lead_time": draw(LEAD)}}
        net["families"]["f"]["prefix"] = "F"
        net["lanes"].append({"from": "vendor", "to": "hub", "mode": "truck", "lead_time": draw(LEAD)})
    if made:
        net["families"]["f"]["prefix"] = "F"
    for dc in regional:
        net["warehouses"][dc] = {"sources": ["hub"]}
        name = f"cust_{dc}"
        net["customers"][name] = {"channel": "c", "served_from": [dc],
                                  "orders_per_day": draw(st.sampled_from([0.5, 3.0, 12.0])),
                                  "lines_per_order": {"dist": "poisson", "mean": 1, "shift": 1},
                                  "qty": draw(st.sampled_from([{"dist": "poisson", "mean": 3},
                                                               {"dist": "gamma", "mean": 4, "sd": 3}]))}
        net["lanes"].append({"from": dc, "to": name, "mode": "truck", "lead_time": draw(LEAD)})
    return {
        "seed": draw(st.integers(0, 10_000)), "horizon_days": 40, "network": net,
        "segments": {"s": {"sla": {"fill_rate": draw(st.sampled_from([0.5, 0.9, 0.99])), "lead_time_days": 2},
                           "policies": {"replenishment": draw(POLICIES)}}},
    }


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(), st.lists(st.floats(0.1, 40.0), min_size=3, max_size=6))
def test_generated_networks_conserve_flow(cfg: dict, times: list[float]) -> None:
    model = Model(build_spec(cfg))
    for t in sorted(times):
        model.step_until(max(t, model.env.now + 1e-9))
        check_state(model)


def test_stock_table_has_every_end_of_day(default_config: dict) -> None:
    """One end-of-day reading per day, the last day's included (with or without the progress bar)."""
    for quiet in (True, False):
        results = simulator.run(dict(default_config, horizon_days=12, quiet=quiet))
        assert sorted(results.stock["day"].unique()) == list(range(1, 13))
