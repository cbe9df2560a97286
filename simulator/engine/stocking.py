"""Stock planned before the clock starts: which DC holds which SKU for whom, the demand planned to
reach it, and the inputs its replenishment plan is made from.

Customer demand served from stock lands on each customer's first DC; from there it is pushed up the
chain of sources (a DC's replenishment orders are its source's demand). Each stocking point's plan
inputs (``PlanInputs``) are made here, once; the model builds the points from them, and a point
re-planned during the run is re-planned from the same inputs.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from policies.base import ItemStats
from simulator.engine.errors import ConfigError
from simulator.engine.network import Network
from simulator.engine.replanning import PlanInputs
from simulator.engine.spec import Segment, Spec


@dataclass
class Flow:
    """Planned demand reaching one stocking point: daily mean and variance, and the segment whose
    policy governs the stock (the most important one asking)."""

    mean: float = 0.0
    var: float = 0.0
    segment: Segment | None = None

    def add(self, mean: float, var: float, seg: Segment) -> None:
        self.mean += mean
        self.var += var
        if self.segment is None or seg.priority < self.segment.priority:
            self.segment = seg


def planned_flows(spec: Spec, network: Network) -> dict[tuple[str, str], Flow]:
    """Planned daily demand per (DC, SKU): customers' demand served from stock at their first DC,
    and each DC's demand again at its source DC, up the chain."""
    flows: dict[tuple[str, str], Flow] = defaultdict(Flow)

    def add(wh: str, sku: str, mean: float, var: float, seg: Segment) -> None:
        flows[(wh, sku)].add(mean, var, seg)
        src = network.stock_source(wh, sku)
        if src is not None and src in spec.warehouses:
            add(src, sku, mean, var, seg)

    # Customer demand lands on each stream's home DC; sum it there first, then push it upstream.
    direct: dict[tuple[str, str], Flow] = defaultdict(Flow)
    for cust in spec.customers.values():
        orders_per_day = 1.0 / cust.interarrival.mean
        cv2 = cust.interarrival.variance / cust.interarrival.mean**2
        q_mean, q_var = cust.qty.mean, cust.qty.variance
        home = cust.served_from[0]
        for sku, w in zip(cust.skus, cust.sku_weights, strict=True):
            decision = network.decision(cust.name, sku)
            if not decision.from_stock:
                continue
            lines_per_day = orders_per_day * cust.lines_per_order.mean * w
            # Daily demand of a renewal stream of lines: rate * (Var q + E[q]^2 * cv^2 of gaps).
            direct[(home, sku)].add(lines_per_day * q_mean, lines_per_day * (q_var + q_mean**2 * cv2),
                                    decision.segment)
    for (wh, sku), f in direct.items():
        assert f.segment is not None
        add(wh, sku, f.mean, f.var, f.segment)
    return dict(flows)


def lead_time(spec: Spec, network: Network, warehouse: str, source: str) -> tuple[float, float]:
    """Planning replenishment lead time (mean, sd) from ``source`` to ``warehouse``: the lane's, plus
    a plant's planned production time or a supplier's own lead time."""
    mean, sd = network.lane_lead_time(source, warehouse)
    if source in spec.plants:
        mean += spec.plants[source].planned_lead_time
    elif source in spec.suppliers:
        lt = spec.suppliers[source].lead_time
        mean, sd = mean + lt.mean, math.sqrt(sd**2 + lt.variance)
    return mean, sd


def plan_inputs(spec: Spec, network: Network, flows: dict[tuple[str, str], Flow]) -> dict[tuple[str, str], PlanInputs]:
    """The plan inputs of every stocking point, in (DC, SKU) order; checks each can be planned."""
    out = {}
    for (wh, sku), flow in sorted(flows.items()):
        source = network.stock_source(wh, sku)
        assert source is not None and flow.segment is not None
        seg = flow.segment
        lt_mean, lt_sd = lead_time(spec, network, wh, source)
        item = spec.skus[sku]
        stats = ItemStats(flow.mean, math.sqrt(flow.var), lt_mean, lt_sd, seg.target_fill_rate,
                          item.unit_cost, item.price, spec.holding_rate)
        local = spec.warehouses[wh].replenishment
        rule = local if local is not None else seg.policies.replenishment
        key = (f"network.warehouses.{wh}.replenishment" if local is not None
               else f"segments.{seg.name}.policies.replenishment")
        inputs = PlanInputs(stats, lt_mean + (rule.review_period or 0.0), rule, seg.policies.safety_stock, key)
        try:
            inputs.policy()
        except ValueError as exc:
            raise ConfigError(key, f"{wh}/{sku}", str(exc)) from None
        out[(wh, sku)] = inputs
    return out


def made_to_stock(spec: Spec, network: Network, flows: dict[tuple[str, str], Flow]) -> dict[str, dict[str, float]]:
    """Per plant: planned demand per day of each SKU it makes for stock (what its batches are sized on)."""
    made: dict[str, dict[str, float]] = defaultdict(dict)
    for (wh, sku), flow in flows.items():
        source = network.stock_source(wh, sku)
        if source is not None and source in spec.plants:
            made[source][sku] = made[source].get(sku, 0.0) + flow.mean
    return made


def raw_material_shares(spec: Spec) -> dict[tuple[str, str], dict[str, float]]:
    """For each (plant, material): each segment's share of the material the plant is planned to use,
    from forecast customer demand for the families its lines make (what a criticality matrix weighs)."""
    use: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    families_at = {p.name: {f for ln in p.lines for f in ln.families} for p in spec.plants.values()}
    for cust in spec.customers.values():
        units_per_line = cust.qty.mean * cust.lines_per_order.mean / cust.interarrival.mean
        for sku, w in zip(cust.skus, cust.sku_weights, strict=True):
            family = spec.skus[sku].family
            seg = spec.segment_of[(sku, cust.channel)]
            for plant, fams in families_at.items():
                if family in fams:
                    for m, per_unit in spec.families[family].bom.items():
                        use[(plant, m)][seg] += units_per_line * w * per_unit
    return {key: {seg: v / total for seg, v in by_seg.items()}
            for key, by_seg in use.items() if (total := sum(by_seg.values())) > 0}
