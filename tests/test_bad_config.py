"""A corpus of bad configs: each is refused before the clock starts with one ``ConfigError`` line
naming the key the user wrote, the value found there and what is allowed.

Each case changes one thing in the default company. Classes: wrong types, NaN/inf, out-of-range
numbers, unknown names and keys, (s, S) levels, impossible structures, probabilities.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from simulator.app.settings import read_settings
from simulator.config import build_spec
from simulator.engine.errors import ConfigError

NAN, INF = math.nan, math.inf


def at(path: str, value: Any) -> Callable[[dict], None]:
    """Set ``path`` (dots; ``[i]`` for list items) to ``value``."""
    def change(cfg: dict) -> None:
        *parts, last = path.replace("[", ".[").split(".")
        node: Any = cfg
        for p in parts:
            node = node[int(p[1:-1])] if p.startswith("[") else node.setdefault(p, {})
        if last.startswith("["):
            node[int(last[1:-1])] = value
        else:
            node[last] = value
    return change


def both(*changes: Callable[[dict], None]) -> Callable[[dict], None]:
    def change(cfg: dict) -> None:
        for c in changes:
            c(cfg)
    return change


# lanes of the default company (conf/network/default.yaml): a lane appended gets this index
DEFAULT_NETWORK = Path(__file__).resolve().parents[1] / "conf" / "network" / "default.yaml"
DEFAULT_LANES = len(yaml.safe_load(DEFAULT_NETWORK.read_text())["lanes"])


def add_lane(lane: dict) -> Callable[[dict], None]:
    return lambda cfg: cfg["network"]["lanes"].append(lane)


SEG = "segments.core.policies"
REPL = f"{SEG}.replenishment"

# (class, case id, change, key in the message, value as printed in the message)
CASES: list[tuple[str, str, Callable[[dict], None], str, str]] = [
    # wrong types
    ("type", "horizon as text", at("horizon_days", "a year"), "'horizon_days'", "'a year'"),
    ("type", "seed not whole", at("seed", 1.5), "'seed'", "1.5"),
    ("type", "quiet as text", at("quiet", "yes"), "'quiet'", "'yes'"),
    ("type", "skus not whole", at("network.families.detergents.skus", 2.5), "network.families.detergents.skus", "2.5"),
    ("type", "lane mode a number", at("network.lanes[3].mode", 3), "network.lanes[3].mode", "3"),
    ("type", "served_from a number", at("network.customers.ecom_west.served_from", 5),
     "network.customers.ecom_west.served_from", "5"),
    ("type", "policy parameter as text", at(REPL, {"type": "s_S", "cycle_days": "ten"}), f"{REPL}.cycle_days",
     "'ten'"),
    ("type", "integer_units as 1", at("network.integer_units", 1), "network.integer_units", "1"),
    # NaN and infinity
    ("nan_inf", "lead time shift nan", at("network.lanes[2].lead_time", {"dist": "gamma", "mean": 1, "sd": 0.5,
                                                                          "shift": NAN}),
     "network.lanes[2].lead_time.shift", "nan"),
    ("nan_inf", "supplier lead time shift inf", at("network.suppliers.sup_resin.lead_time",
                                                   {"dist": "gamma", "mean": 3, "sd": 1, "shift": INF}),
     "network.suppliers.sup_resin.lead_time.shift", "inf"),
    ("nan_inf", "cycle_days inf", at(REPL, {"type": "s_S", "cycle_days": INF}), f"{REPL}.cycle_days", "inf"),
    ("nan_inf", "review_period nan", at(REPL, {"type": "s_S", "review_period": NAN}), f"{REPL}.review_period", "nan"),
    ("nan_inf", "safety z inf", at(f"{SEG}.safety_stock", {"type": "z_sigma", "z": INF}),
     f"{SEG}.safety_stock.z", "inf"),
    ("nan_inf", "days of supply inf", at(f"{SEG}.safety_stock", {"type": "days_of_supply", "days": INF}),
     f"{SEG}.safety_stock.days", "inf"),
    ("nan_inf", "refresh_days nan", at(f"{SEG}.forecast", {"type": "moving_average", "refresh_days": NAN}),
     f"{SEG}.forecast.refresh_days", "nan"),
    ("nan_inf", "horizon inf", at("horizon_days", INF), "'horizon_days'", "inf"),
    ("nan_inf", "holding rate nan", at("network.holding_rate", NAN), "network.holding_rate", "nan"),
    ("nan_inf", "orders per day inf", at("network.customers.retail_west.orders_per_day", INF),
     "network.customers.retail_west.orders_per_day", "inf"),
    ("nan_inf", "patience inf (no limit is null)", at("network.channels.retail.patience_days", INF),
     "network.channels.retail.patience_days", "inf"),
    # out-of-range numbers
    ("range", "negative lane lead time", at("network.lanes[2].lead_time", -3), "network.lanes[2].lead_time", "-3"),
    ("range", "negative line rate", at("network.plants.plant_north.lines.N1.rate", -5),
     "network.plants.plant_north.lines.N1.rate", "-5"),
    ("range", "zero supplier capacity", at("network.suppliers.sup_chem.capacity_per_day", 0),
     "network.suppliers.sup_chem.capacity_per_day", "0"),
    ("range", "negative price", at("network.families.refills.price", -1), "network.families.refills.price", "-1"),
    ("range", "negative patience", at("network.channels.b2b.patience_days", -1),
     "network.channels.b2b.patience_days", "-1"),
    ("range", "no SKUs in a family", at("network.families.refills.skus", 0), "network.families.refills.skus", "0"),
    ("range", "uniform low above high", at("network.lanes[1].lead_time", {"dist": "uniform", "low": 5, "high": 2}),
     "network.lanes[1].lead_time", "5"),
    ("range", "replications zero", at("replications", 0), "'replications'", "0"),
    # unknown names and keys
    ("unknown", "top-level key", at("horizon", 10), "'horizon'", "10"),
    ("unknown", "network key", at("network.warehouse", {}), "network.warehouse", "{}"),
    ("unknown", "policy name", at(REPL, {"type": "kanban"}), f"{REPL}.type", "'kanban'"),
    ("unknown", "policy parameter", at(REPL, {"type": "s_S", "reorder": 4}), f"{REPL}.reorder", "4"),
    ("unknown", "distribution", at("network.lanes[0].lead_time", {"dist": "weibull", "mean": 2}),
     "network.lanes[0].lead_time.dist", "'weibull'"),
    ("unknown", "warehouse served from", at("network.customers.retail_west.served_from", ["dc_east"]),
     "network.customers.retail_west.served_from", "'dc_east'"),
    ("unknown", "channel", at("network.customers.retail_west.channel", "wholesale"),
     "network.customers.retail_west.channel", "'wholesale'"),
    ("unknown", "segment in a rule", at("assignment.rules", [{"rank": [1, 3], "segment": "vip"}]),
     "assignment.rules[0].segment", "'vip'"),
    ("unknown", "disruption kind", at("scenario", {"disruptions": {"x": {"kind": "flood", "start": 1, "duration": 2}}}),
     "scenario.disruptions.x.kind", "'flood'"),
    ("unknown", "lane to an unknown node", add_lane({"from": "dc_west", "to": "shop_9", "mode": "ltl", "lead_time": 1}),
     f"network.lanes[{DEFAULT_LANES}].to", "'shop_9'"),
    # (s, S) levels
    ("s_S", "s above S", at(REPL, {"type": "s_S", "s": 50, "S": 10}), REPL, "50"),
    ("s_S", "negative s and S", at(REPL, {"type": "s_S", "s": -20, "S": -10}), f"{REPL}.s", "-20"),
    ("s_S", "negative S (order up to)", at(REPL, {"type": "order_up_to", "S": -5}), REPL, "-5"),
    ("s_S", "raw stock s above S", at("network.plants.plant_north.raw_stock.resin", {"s": 7000, "S": 6500}),
     "network.plants.plant_north.raw_stock.resin.s", "7000"),
    ("s_S", "raw stock negative s", at("network.plants.plant_south.raw_stock.resin", {"s": -1, "S": 3000}),
     "network.plants.plant_south.raw_stock.resin.s", "-1"),
    # impossible structures
    ("structure", "self-lane", add_lane({"from": "dc_west", "to": "dc_west", "mode": "ltl", "lead_time": 1}),
     f"network.lanes[{DEFAULT_LANES}].to", "'dc_west'"),
    ("structure", "two DCs sourcing from each other",
     both(at("network.warehouses.dc_north.sources", ["dc_south"]), at("network.warehouses.dc_south.sources",
                                                                        ["dc_north"])),
     "network.warehouses.dc_", "'dc_"),
    ("structure", "a DC its own source", at("network.warehouses.dc_west.sources", ["dc_west"]),
     "network.warehouses.dc_west.sources", "'dc_west'"),
    ("structure", "customer named like a DC",
     lambda cfg: cfg["network"]["customers"].__setitem__("dc_west", cfg["network"]["customers"].pop("ecom_west")),
     "network.customers.dc_west", "'dc_west'"),
    ("structure", "supplier named like a plant",
     lambda cfg: cfg["network"]["suppliers"].__setitem__("plant_north", cfg["network"]["suppliers"].pop("sup_chem")),
     "network.plants.plant_north", "'plant_north'"),
    ("structure", "unreachable customer (no lane)",
     lambda cfg: cfg["network"].__setitem__("lanes", [ln for ln in cfg["network"]["lanes"] if ln["to"] != "b2b_west"]),
     "network.customers.b2b_west.served_from", "dc_west"),
    ("structure", "no source chain to stock",
     both(at("network.warehouses.dc_west.sources", ["sup_resin"]),
          add_lane({"from": "sup_resin", "to": "dc_west", "mode": "ftl", "lead_time": 2})),
     "network.customers", "dc_west"),
    ("structure", "plant without lines", at("network.plants.plant_south.lines", {}),
     "network.plants.plant_south.lines", "{}"),
    ("structure", "line with two speeds", at("network.plants.plant_north.lines.N1.unit_time", 0.001),
     "network.plants.plant_north.lines.N1.rate", "'rate'"),
    # probabilities and shares
    ("probability", "on_time above one", at("network.transport_modes.air.on_time", 1.5),
     "network.transport_modes.air.on_time", "1.5"),
    ("probability", "fill rate above one", at("segments.fast.sla.fill_rate", 1.5), "segments.fast.sla.fill_rate",
     "1.5"),
    ("probability", "fill rate exactly one (z from target)", at("segments.fast.sla.fill_rate", 1.0),
     "segments.fast.sla.fill_rate", "1.0"),
    ("probability", "fill rate zero (z from target)", at("segments.tail.sla.fill_rate", 0),
     "segments.tail.sla.fill_rate", "0"),
    ("probability", "service level one", at(f"{SEG}.safety_stock", {"type": "z_sigma", "service_level": 1.0}),
     f"{SEG}.safety_stock", "1.0"),
    ("probability", "stock loss above one",
     at("scenario", {"disruptions": {"x": {"kind": "dc_outage", "target": "dc_west", "start": 1, "duration": 2,
                                           "stock_loss": 1.5}}}),
     "scenario.disruptions.x.stock_loss", "1.5"),
    ("probability", "capacity factor one",
     at("scenario", {"disruptions": {"x": {"kind": "supplier_failure", "target": "sup_resin", "start": 1,
                                           "duration": 2, "capacity_factor": 1.0}}}),
     "scenario.disruptions.x.capacity_factor", "1.0"),
]


@pytest.mark.parametrize(("change", "key", "value"), [c[2:] for c in CASES], ids=[f"{c[0]}: {c[1]}" for c in CASES])
def test_bad_config_is_one_clear_error(default_config: dict, change: Callable[[dict], None], key: str,
                                       value: str) -> None:
    cfg = copy.deepcopy(default_config)
    change(cfg)
    with pytest.raises(ConfigError) as err:
        build_spec(cfg)
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith("config error at '"), msg
    assert key in msg, msg
    assert f"got {value}" in msg or value in msg.split("; got ", 1)[-1], msg
    assert len(err.value.allowed) > 5, msg  # says what is allowed


def test_corpus_covers_every_class() -> None:
    counts: dict[str, int] = {}
    for cls, *_ in CASES:
        counts[cls] = counts.get(cls, 0) + 1
    assert len(CASES) >= 40
    assert set(counts) == {"type", "nan_inf", "range", "unknown", "s_S", "structure", "probability"}
    assert min(counts.values()) >= 4, counts


@pytest.mark.parametrize(("raw", "key", "value"), [({"epsilon": 2}, "resilience.epsilon", "2"),
                                                  ({"tts_threshold": NAN}, "resilience.tts_threshold", "nan")])
def test_bad_resilience_settings(default_config: dict, raw: dict, key: str, value: str) -> None:
    with pytest.raises(ConfigError) as err:
        read_settings(dict(default_config, resilience=raw))
    assert err.value.key == key and f"got {value}" in str(err.value)
