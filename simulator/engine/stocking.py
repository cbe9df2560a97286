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

import numpy as np

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


class _Direct:
    """Planned demand landing on one home DC, per item of the catalogue (see ``planned_flows``)."""

    def __init__(self, n: int) -> None:
        self.mean = np.zeros(n)
        self.var = np.zeros(n)
        self.priority = np.full(n, np.inf)  # priority of the most important segment asking (1 = first)
        self.segment = np.zeros(n, dtype=np.int64)  # that segment, as a place in ``segments``
        self.segments: list[Segment] = []
        self.seen = np.zeros(n, dtype=bool)


def planned_flows(spec: Spec, network: Network) -> dict[tuple[str, str], Flow]:
    """Planned daily demand per (DC, SKU): customers' demand served from stock at their first DC,
    and each DC's demand again at its source DC, up the chain."""
    flows: dict[tuple[str, str], Flow] = defaultdict(Flow)

    def add(wh: str, sku: str, mean: float, var: float, seg: Segment) -> None:
        flows[(wh, sku)].add(mean, var, seg)
        src = network.stock_source(wh, sku)
        if src is not None and src in spec.warehouses:
            add(src, sku, mean, var, seg)

    # Customer demand lands on each stream's home DC; sum it there first, then push it upstream. The sums
    # are arrays per home DC (one entry per item), added customer by customer in the order a loop over
    # the items would add them, so the figures are the same to the last bit.
    index = {sku: i for i, sku in enumerate(spec.skus)}
    positions: dict[tuple[str, ...], np.ndarray] = {}  # a stream's items -> their places in spec.skus
    arrays: dict[tuple[float, ...], np.ndarray] = {}  # a stream's item weights (streams buying alike share it)
    sums: dict[str, _Direct] = {}
    first_seen: list[tuple[str, int]] = []  # (home DC, item) in the order demand first reaches them
    for cust in spec.customers.values():
        orders_per_day = 1.0 / cust.interarrival.mean
        cv2 = cust.interarrival.variance / cust.interarrival.mean**2
        q_mean, q_var = cust.qty.mean, cust.qty.variance
        home = cust.served_from[0]
        acc = sums.get(home)
        if acc is None:
            acc = sums[home] = _Direct(len(index))
        where = positions.get(cust.skus)
        if where is None:
            where = positions[cust.skus] = np.fromiter((index[s] for s in cust.skus), np.int64, len(cust.skus))
        weights = arrays.get(cust.sku_weights)
        if weights is None:
            weights = arrays[cust.sku_weights] = np.asarray(cust.sku_weights, dtype=float)
        lines_scale = orders_per_day * cust.lines_per_order.mean
        stocked = []
        for decision, idx in network.customer_groups(cust.name):
            if not decision.from_stock:
                continue
            local = np.asarray(idx)
            at = where[local]
            stocked.append(local)
            # Daily demand of a renewal stream of lines: rate * (Var q + E[q]^2 * cv^2 of gaps).
            lines_per_day = lines_scale * weights[local]
            acc.mean[at] += lines_per_day * q_mean
            acc.var[at] += lines_per_day * (q_var + q_mean**2 * cv2)
            better = at[decision.segment.priority < acc.priority[at]]  # the most important segment asking
            acc.priority[better] = decision.segment.priority
            acc.segment[better] = len(acc.segments)
            acc.segments.append(decision.segment)
        if stocked:
            at = where[np.sort(np.concatenate(stocked))]  # in the customer's item order
            fresh = at[~acc.seen[at]]
            acc.seen[fresh] = True
            first_seen.extend((home, int(i)) for i in fresh)
    skus = list(spec.skus)
    direct = {(home, skus[i]): Flow(float(sums[home].mean[i]), float(sums[home].var[i]),
                                    sums[home].segments[sums[home].segment[i]]) for home, i in first_seen}
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


_Layout = tuple[np.ndarray, np.ndarray, tuple[int, ...]]  # see ``_material_layout``


def raw_material_shares(spec: Spec) -> dict[tuple[str, str], dict[str, float]]:
    """For each (plant, material): each segment's share of the material the plant is planned to use,
    from forecast customer demand for the families its lines make (what a criticality matrix weighs).

    The use of each (plant, material, segment) is a running sum over customers and, within each, over
    its items in order (what a loop over customers x items would add, to the last bit), taken one
    customer at a time as an array's running total: setup grows with customers + items."""
    families_at = {p.name: {f for ln in p.lines for f in ln.families} for p in spec.plants.values()}
    # per (channel, items): (plant, material, segment) -> (places of its items, material per unit of each,
    # where it is first touched: place of its first item, plant, material)
    layouts: dict[tuple[str, tuple[str, ...]], dict[tuple[str, str, str], _Layout]] = {}
    totals: dict[tuple[str, str, str], float] = {}
    first: dict[tuple[str, str, str], tuple[int, ...]] = {}  # (customer, item, plant, material) places
    weights_of: dict[tuple[float, ...], np.ndarray] = {}
    for c, cust in enumerate(spec.customers.values()):
        layout = layouts.get((cust.channel, cust.skus))
        if layout is None:
            layout = layouts[(cust.channel, cust.skus)] = _material_layout(spec, families_at, cust.channel, cust.skus)
        weights = weights_of.get(cust.sku_weights)
        if weights is None:
            weights = weights_of[cust.sku_weights] = np.asarray(cust.sku_weights, dtype=float)
        units_per_line = cust.qty.mean * cust.lines_per_order.mean / cust.interarrival.mean
        for key, (at, per_unit, touch) in layout.items():
            values = units_per_line * weights[at] * per_unit
            start = totals.get(key)
            if start is None:
                first[key] = (c, *touch)
                start = 0.0
            totals[key] = float(np.cumsum(np.concatenate(([start], values)))[-1])
    use: dict[tuple[str, str], dict[str, float]] = {}
    for plant, m, seg in sorted(totals, key=first.__getitem__):  # in the order a loop would first touch them
        use.setdefault((plant, m), {})[seg] = totals[(plant, m, seg)]
    return {key: {seg: v / total for seg, v in by_seg.items()}
            for key, by_seg in use.items() if (total := sum(by_seg.values())) > 0}


def _material_layout(spec: Spec, families_at: dict[str, set[str]], channel: str, skus: tuple[str, ...]
                     ) -> dict[tuple[str, str, str], _Layout]:
    """For a stream of ``channel`` buying ``skus``: per (plant, material, segment), the places of the items
    using it (in item order), each one's material per unit, and where a loop over items, plants and
    materials first reaches it."""
    places: dict[tuple[str, str, str], list[int]] = {}
    per_unit: dict[tuple[str, str, str], list[float]] = {}
    touch: dict[tuple[str, str, str], tuple[int, ...]] = {}
    by_family: dict[tuple[str, str], list[int]] = {}
    for i, sku in enumerate(skus):
        by_family.setdefault((spec.skus[sku].family, spec.segment_of[(sku, channel)]), []).append(i)
    for (family, seg), idx in by_family.items():
        for p, (plant, fams) in enumerate(families_at.items()):
            if family in fams:
                for k, (m, units) in enumerate(spec.families[family].bom.items()):
                    key = (plant, m, seg)
                    places.setdefault(key, []).extend(idx)
                    per_unit.setdefault(key, []).extend([units] * len(idx))
                    touch[key] = min(touch.get(key, (idx[0], p, k)), (idx[0], p, k))
    out = {}
    for key, idx in places.items():
        order = np.argsort(np.asarray(idx), kind="stable")
        out[key] = (np.asarray(idx)[order], np.asarray(per_unit[key], dtype=float)[order], touch[key])
    return out
