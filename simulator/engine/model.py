"""Build a SimPy model of the network from a ``Spec``, run it, and hand back the records."""

from __future__ import annotations

import contextlib
import gc
import itertools
import logging
import math
import time
from collections import defaultdict
from dataclasses import dataclass

import pandas as pd
import simpy
from simpy.events import URGENT

from policies.base import ItemStats, Replenishment
from simulator.engine.demand import CustomerStream, DemandModifier
from simulator.engine.errors import ConfigError
from simulator.engine.flow import Context
from simulator.engine.forecasting import DemandPlanning
from simulator.engine.production import PlantNode
from simulator.engine.records import UNIT_BALANCE_COLUMNS, DailyStock, RunRecord
from simulator.engine.spec import Segment, Spec
from simulator.engine.streams import Streams
from simulator.engine.supplier import SupplierNode
from simulator.engine.warehouse import StockPoint, Warehouse, periodic_reviews

log = logging.getLogger(__name__)


@dataclass
class _Flow:
    """Planned demand reaching one stocking point: daily mean and variance, and who asks."""

    mean: float = 0.0
    var: float = 0.0
    segment: Segment | None = None


@contextlib.contextmanager
def _rare_gc_passes(young: int = 50_000):
    """Let Python's cycle collector run less often while the model runs.

    A run allocates hundreds of thousands of short-lived objects (events, requests, record rows)
    that reference counting frees on its own; at Python's default threshold (700 allocations) the
    collector still sweeps them dozens of times a second, which costs 5-10% of a run. Raising the
    youngest generation's threshold changes no result (collection timing never touches the model's
    state) and is undone afterwards."""
    thresholds = gc.get_threshold()
    gc.set_threshold(max(young, thresholds[0]), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


class Model:
    """One simulation run of the network in ``spec``: ``Model(spec).run()`` returns its ``RunRecord``."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.env = simpy.Environment()
        self.ctx = Context(spec, self.env, Streams(spec.seed))
        ctx = self.ctx
        self.warehouses = {n: Warehouse(ctx, n, w.handling_cost_per_unit) for n, w in spec.warehouses.items()}
        self.plants = {n: PlantNode(ctx, p) for n, p in spec.plants.items()}
        self.suppliers = {n: SupplierNode(ctx, s) for n, s in spec.suppliers.items()}
        ctx.nodes.update(self.warehouses)
        ctx.nodes.update(self.plants)
        ctx.nodes.update(self.suppliers)
        order_ids, line_ids = itertools.count(1), itertools.count(1)
        self.customers = {n: CustomerStream(ctx, c, order_ids, line_ids) for n, c in spec.customers.items()}
        # seasonality, promotions, spikes: the configured demand models, plus any added before start
        self.demand_modifiers: list[DemandModifier] = list(spec.demand_models)
        shared_tables: dict = {}
        for cust in self.customers.values():
            cust.bind(ctx.nodes, shared_tables)
        self.points: list[StockPoint] = []
        self._planned: dict[tuple[str, str], tuple[ItemStats, float, Replenishment]] = {}  # (dc, sku) -> plan inputs
        self._sources: dict[tuple[str, str], str | None] = {}
        self._plan_stock()
        self.planning = DemandPlanning(self.ctx, self.points, self._planned)
        self._wire_raw_sources()
        self.stock_log = DailyStock(int(math.floor(spec.horizon_days)),
                                    [(p.node, p.sku, p.segment.name) for p in self.points])
        self._ran = False

    # ---------------------------------------------------------------- planning
    def source_of(self, warehouse: str, sku: str) -> str | None:
        """The first of the warehouse's sources that can supply ``sku``."""
        key = (warehouse, sku)
        if key not in self._sources:
            spec = self.spec
            makers = spec.makers_of(sku)
            self._sources[key] = next(
                (src for src in spec.warehouses[warehouse].sources
                 if src in makers or (src in spec.warehouses and self.source_of(src, sku) is not None)), None)
        return self._sources[key]

    def _lead_time(self, warehouse: str, source: str) -> tuple[float, float]:
        """Planning replenishment lead time (mean, sd) from ``source`` to ``warehouse``."""
        mean, sd = self.ctx.carrier.mean_lead_time(source, warehouse)
        if source in self.spec.plants:
            mean += self.spec.plants[source].planned_lead_time
        elif source in self.spec.suppliers:
            lt = self.spec.suppliers[source].lead_time
            mean, sd = mean + lt.mean, math.sqrt(sd**2 + lt.variance)
        return mean, sd

    def _plan_stock(self) -> None:
        """Derive each stocking point's planned demand, lead time, governing segment and policy."""
        spec = self.spec
        flows: dict[tuple[str, str], _Flow] = defaultdict(_Flow)

        def add(wh: str, sku: str, mean: float, var: float, seg: Segment) -> None:
            f = flows[(wh, sku)]
            f.mean += mean
            f.var += var
            if f.segment is None or seg.priority < f.segment.priority:
                f.segment = seg
            src = self.source_of(wh, sku)
            if src in spec.warehouses:
                add(src, sku, mean, var, seg)

        # Customer demand lands on each stream's home DC; sum it there first, then push it upstream.
        direct: dict[tuple[str, str], _Flow] = defaultdict(_Flow)
        for cust in spec.customers.values():
            orders_per_day = 1.0 / cust.interarrival.mean
            cv2 = cust.interarrival.variance / cust.interarrival.mean**2
            q_mean, q_var = cust.qty.mean, cust.qty.variance
            home = cust.served_from[0]
            for sku, w in zip(cust.skus, cust.sku_weights, strict=True):
                seg = spec.segments[spec.segment_of[(sku, cust.channel)]]
                if not spec.serves_from_stock(seg, sku, cust.name):
                    continue
                lines_per_day = orders_per_day * cust.lines_per_order.mean * w
                # Daily demand of a renewal stream of lines: rate * (Var q + E[q]^2 * cv^2 of gaps).
                f = direct[(home, sku)]
                f.mean += lines_per_day * q_mean
                f.var += lines_per_day * (q_var + q_mean**2 * cv2)
                if f.segment is None or seg.priority < f.segment.priority:
                    f.segment = seg
        for (wh, sku), f in direct.items():
            add(wh, sku, f.mean, f.var, f.segment)

        for (wh, sku), flow in sorted(flows.items()):
            source = self.source_of(wh, sku)
            seg = flow.segment
            lt_mean, lt_sd = self._lead_time(wh, source)
            item = spec.skus[sku]
            stats = ItemStats(flow.mean, math.sqrt(flow.var), lt_mean, lt_sd, seg.target_fill_rate,
                              item.unit_cost, item.price, spec.holding_rate)
            local = spec.warehouses[wh].replenishment
            rule = local if local is not None else seg.policies.replenishment
            cover = lt_mean + (rule.review_period or 0.0)
            key = (f"network.warehouses.{wh}.replenishment" if local is not None
                   else f"segments.{seg.name}.policies.replenishment")
            try:
                policy = rule.planned(stats, seg.policies.safety_stock.units(stats, cover))
            except ValueError as exc:
                raise ConfigError(key, f"{wh}/{sku}", str(exc)) from None
            point = StockPoint(self.ctx, wh, sku, seg, policy, spec.warehouses[wh].initial_stock)
            self._planned[(wh, sku)] = (stats, cover, rule)
            point.source = self.ctx.nodes[source]
            point.plan = (rule, stats)  # kept for safety stock re-computed during the run
            self.warehouses[wh].add(point)
            self.points.append(point)
            self.ctx.ledger.initial[sku] += point.on_hand
        made: dict[str, dict[str, float]] = defaultdict(dict)  # plant -> SKU -> planned demand per day
        for (wh, sku), flow in flows.items():
            source = self.source_of(wh, sku)
            if source in self.plants:
                made[source][sku] = made[source].get(sku, 0.0) + flow.mean
        for plant, demand in made.items():
            self.plants[plant].plan_batches(demand)
        for point in self.points:  # link the serial chains (for echelon policies)
            if point.source is not None and point.source.kind == "warehouse":
                point.upstream = self.warehouses[point.source.name].stock[point.sku]
                point.upstream.downstream.append(point)

    def _wire_raw_sources(self) -> None:
        for plant in self.plants.values():
            for m in plant.raw.on_hand:
                sups = [s for s in self.spec.suppliers.values() if m in s.supplies]
                chosen = next(s for s in sups if self.ctx.carrier.has_lane(s.name, plant.name))
                plant.raw.sources[m] = self.suppliers[chosen.name]
        shares = self._raw_material_shares()
        for supplier in self.suppliers.values():
            supplier.segment_shares = shares

    def _raw_material_shares(self) -> dict[tuple[str, str], dict[str, float]]:
        """For each (plant, material): each segment's share of the material the plant is planned to use,
        from forecast customer demand for the families its lines make (what a criticality matrix weighs)."""
        spec = self.spec
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

    # ---------------------------------------------------------------- running
    def _snapshot(self, _event: simpy.Event | None = None) -> None:
        self._record_stock()
        if self.stock_log.days < self.stock_log.on_hand.shape[0]:
            self._schedule_snapshot()

    def _record_stock(self) -> None:
        points = self.points
        self.stock_log.record([p.on_hand for p in points], [p.backlog_qty for p in points],
                              [p.on_order for p in points])

    def _schedule_snapshot(self) -> None:
        # End-of-day stock is read at the start of the next day, before that day's events:
        # an URGENT event at the day boundary runs ahead of receipts and reviews due then.
        ev = simpy.Event(self.env)
        ev._ok = True
        ev._value = None
        ev.callbacks.append(self._snapshot)
        self.env.schedule(ev, URGENT, 1.0)

    def start(self) -> None:
        """Start every process (idempotent); ``step_until`` and ``run`` call it."""
        if self._ran:
            return
        self._ran = True
        self._wall_start = time.perf_counter()
        if self.spec.scenario is not None:
            self.spec.scenario.install(self)  # schedules disruption windows; may add demand modifiers
        self.env.process(periodic_reviews(self.env, [p for p in self.points if not p.continuous]))
        for wh in self.warehouses.values():
            wh.start()
        for plant in self.plants.values():
            plant.start()
        for cust in self.customers.values():
            cust.modifiers = list(self.demand_modifiers)
            for proc in cust.processes():
                self.env.process(proc)
        if self.stock_log.on_hand.shape[0] > 0:
            self._schedule_snapshot()
        self.planning.start()

    def step_until(self, t: float) -> None:
        """Advance the clock to day ``t`` (for tests that inspect state mid-run)."""
        self.start()
        self.env.run(until=t)

    def run(self, progress: bool | None = None) -> RunRecord:
        """Run to the horizon and return the results.

        ``progress``: show a progress bar in simulated days (on stderr); by default shown unless the
        spec says ``quiet``. The bar advances the clock a day at a time, which changes no outcome.
        """
        self.start()
        horizon = self.spec.horizon_days
        log.info("running %s days, seed %s", horizon, self.spec.seed)
        stops = 1
        with _rare_gc_passes():
            if not self.spec.quiet if progress is None else progress:
                stops = self._run_with_progress(horizon)
            else:
                self.env.run(until=horizon)
        if self.env.now >= horizon and self.stock_log.days < self.stock_log.on_hand.shape[0]:
            # The run stops at the horizon before the reading due at that instant: take the last day's.
            self._record_stock()
        wall = time.perf_counter() - self._wall_start
        # Events scheduled minus still pending. Each env.run(until=...) beyond the first adds its stop event,
        # which SimPy processes once to stop and re-queues to process again on resuming: 2 per extra step.
        events = next(self.env._eid) - len(self.env._queue) - 1 - 2 * (stops - 1)
        tables = self.ctx.recorder.tables(release=True)
        tables["stock"] = self.stock_log.table(release=True)
        tables["unit_balance"] = self.unit_balance()
        tables.update(self.planning.tables())
        return RunRecord(self.spec, tables, wall_seconds=wall, events=events)

    def _run_with_progress(self, horizon: float) -> int:
        """Run to ``horizon`` in day-sized steps with a tqdm bar; returns the number of steps."""
        from tqdm.auto import tqdm

        env = self.env
        # The end of the run is scheduled first, exactly as ``env.run(until=horizon)`` would, so the
        # order of everything at the horizon (e.g. the last stock snapshot) is the same with or without the bar.
        end = simpy.Event(env)
        end._ok = True
        end._value = None
        env.schedule(end, URGENT, horizon - env.now)
        steps = 0
        with tqdm(total=horizon, initial=env.now, unit="day", desc="simulating", leave=False,
                  bar_format="{desc}: day {n:.0f}/{total:.0f} |{bar}| {elapsed}<{remaining}") as bar:
            while env.now < horizon:
                step = math.floor(env.now) + 1.0
                before = env.now
                env.run(until=step if step < horizon else end)
                steps += 1
                bar.update(env.now - before)
        return steps

    def unit_balance(self) -> pd.DataFrame:
        """Where every finished unit is at the end of the run, per SKU (the ``unit_balance`` table):
        initial stock + released (made by a line or sold by a supplier) = delivered to customers +
        written off + on hand in DCs + in transit (on a carrier, at a closed dock, in cross-dock
        handling, or ``waiting_for_truck_end``: loaded onto a truck that has not left yet)."""
        led = self.ctx.ledger
        on_hand: dict[str, float] = defaultdict(float)
        for p in self.points:
            on_hand[p.sku] += p.on_hand
        waiting = self.ctx.carrier.waiting_for_truck()
        rows = [(sku, led.initial[sku], led.released[sku], led.delivered[sku], led.written_off[sku], on_hand[sku],
                 led.in_transit[sku], waiting.get(sku, 0.0)) for sku in self.spec.skus]
        return pd.DataFrame(rows, columns=list(UNIT_BALANCE_COLUMNS))

    # ---------------------------------------------------------------- checks
    def flow_balance(self) -> dict[str, float]:
        """Per SKU: units that entered the network minus units accounted for (should be 0).

        Accounted for = on hand in DCs + on a carrier + delivered to customers + written off.
        """
        led = self.ctx.ledger
        on_hand: dict[str, float] = defaultdict(float)
        for p in self.points:
            on_hand[p.sku] += p.on_hand
        out = {}
        for sku in self.spec.skus:
            entered = led.initial[sku] + led.released[sku]
            out[sku] = entered - on_hand[sku] - led.in_transit[sku] - led.delivered[sku] - led.written_off[sku]
        return out
