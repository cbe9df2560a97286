"""Build a SimPy model of the network from a ``Spec``, run it, and hand back the records."""

from __future__ import annotations

import contextlib
import gc
import itertools
import logging
import math
import time
from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

import pandas as pd

from simulator.engine.ageing import Ageing
from simulator.engine.allocation import attach_rationing
from simulator.engine.calendar import ShopRuntime
from simulator.engine.context import Clock, Context
from simulator.engine.demand import CustomerStream, DemandModifier
from simulator.engine.facility import Facilities
from simulator.engine.goodwill import GoodwillStream
from simulator.engine.production import PlantNode
from simulator.engine.promising import Promiser
from simulator.engine.records import UNIT_BALANCE_COLUMNS, DailyStock, RunRecord
from simulator.engine.replanning import Books, PlanInputs, Replanner, Replanning, line_watchers
from simulator.engine.returns import Returns
from simulator.engine.routing import Routings
from simulator.engine.spec import Spec
from simulator.engine.stocking import Flow, made_to_stock, plan_inputs, planned_flows, raw_material_shares
from simulator.engine.streams import Streams
from simulator.engine.supplier import SupplierNode
from simulator.engine.warehouse import DemandHistory, StockPoint, WarehouseNode, periodic_reviews

log = logging.getLogger(__name__)


@contextlib.contextmanager
def _rare_gc_passes(young: int = 50_000) -> Iterator[None]:
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
        self.env = Clock()
        self.ctx = Context(spec, self.env, Streams(spec.seed))
        ctx, network = self.ctx, self.ctx.network
        # Plan before building: the demand reaching each stocking point and its plan inputs.
        flows = planned_flows(spec, network)
        self.plans: dict[tuple[str, str], PlanInputs] = plan_inputs(spec, network, flows)  # (DC, SKU) -> inputs
        made = made_to_stock(spec, network, flows)
        shares = raw_material_shares(spec)
        # Then the entities, each built with what it works with: suppliers, plants, DCs, stock points.
        self.suppliers = {n: SupplierNode(ctx, s, shares) for n, s in spec.suppliers.items()}
        self.plants = {n: PlantNode(ctx, p, {m: self.suppliers[network.raw_source(n, m)] for m in p.raw_stock},
                                    made.get(n, {})) for n, p in spec.plants.items()}
        self.routings = Routings(ctx, spec.routings, self.plants)  # operations of routed families
        self.shop = ShopRuntime(ctx, spec.shop, self.plants) if spec.shop is not None else None
        self.promiser = Promiser(ctx) if any(s.planning for s in spec.segments.values()) else None
        for plant in self.plants.values():
            plant.promiser = self.promiser
        self.warehouses = {n: WarehouseNode(ctx, n, w.handling_cost_per_unit) for n, w in spec.warehouses.items()}
        ctx.nodes.update(self.warehouses)
        ctx.nodes.update(self.plants)
        ctx.nodes.update(self.suppliers)
        self.points: list[StockPoint] = self._stock_points(flows)
        for index, point in enumerate(self.points):
            point.index = index
        ctx.stock_changed[:] = self.points  # the first reading reads every point
        # lots, expiry, obsolete stock and ownership: only when configured (no cost otherwise)
        self.ageing = Ageing(ctx, spec.inventory, self.points, self.warehouses) if spec.inventory else None
        self.facilities = Facilities(ctx, self.warehouses)  # DCs with capacity, fixed cost or a 3PL
        books = Books()
        overrides = spec.forecast_overrides
        replanners = [Replanner(p, p.history, self.plans[(p.node, p.sku)], overrides, books)
                      for p in self.points if p.history is not None]
        self.replanning = Replanning(ctx, replanners, line_watchers(spec, self.plants, books), books)
        order_ids, line_ids = itertools.count(1), itertools.count(1)
        shared_tables: dict[tuple[Any, ...], Any] = {}  # route tables shared by similar customer streams
        self.customers = {n: (GoodwillStream if spec.channels[c.channel].goodwill else CustomerStream)(
                              ctx, c, order_ids, line_ids, shared_tables) for n, c in spec.customers.items()}
        # reverse logistics, when configured: returns centres, told of every delivery to the customers they serve
        self.returns = Returns(ctx, {(p.node, p.sku): p for p in self.points}) if spec.returns_centres else None
        for name, hook in (self.returns.hooks() if self.returns is not None else {}).items():
            self.customers[name].on_delivery = hook
        # seasonality, promotions, spikes: the configured demand models, plus any added before start
        self.demand_modifiers: list[DemandModifier] = list(spec.demand_models)
        self.stock_log = DailyStock(int(math.floor(spec.horizon_days)),
                                    [(p.node, p.sku, p.segment.name) for p in self.points])
        self._ran = False

    def _stock_points(self, flows: Mapping[tuple[str, str], Flow]) -> list[StockPoint]:
        """One stock point per planned (DC, SKU), built upstream first (a point is built with the DC
        stock point it orders from); listed and added to their DCs in (DC, SKU) order."""
        spec, network, ctx = self.spec, self.ctx.network, self.ctx
        built: dict[tuple[str, str], StockPoint] = {}
        for wh, sku in sorted(self.plans, key=lambda key: (network.depth[key[0]], key)):
            inputs, seg = self.plans[(wh, sku)], flows[(wh, sku)].segment
            assert seg is not None
            source = network.stock_source(wh, sku)
            assert source is not None
            replanned = seg.policies.forecast is not None or seg.alerts is not None or \
                seg.policies.safety_stock.replan_every_days is not None
            history = DemandHistory(keep_orders=seg.alerts is not None) if replanned else None
            built[(wh, sku)] = StockPoint(ctx, wh, sku, seg, inputs.policy(), spec.warehouses[wh].initial_stock,
                                          ctx.nodes[source], built.get((source, sku)), history,
                                          self.warehouses[wh].availability)
        points = [built[key] for key in sorted(built)]
        attach_rationing(spec, points, flows, ctx.recorder.rationing)
        for point in points:
            self.warehouses[point.node].add(point)
            ctx.ledger.initial[point.sku] += point.on_hand
        return points

    # ---------------------------------------------------------------- running
    def _snapshot(self) -> None:
        self.ctx.carrier.deliver_due(self.env.now)  # keeps the booked customer deliveries few
        self.ctx.recorder.compact()  # keeps the rows held as Python objects few
        self._record_stock()
        if self.stock_log.days < self.stock_log.on_hand.shape[0]:
            self._schedule_snapshot()

    def _record_stock(self) -> None:
        """Today's reading: the stock points marked changed since the last one are read; the others
        are as they were (on a large network most points are idle on a given day)."""
        changed = self.ctx.stock_changed
        points = list({p.index: p for p in changed}.values())
        changed.clear()
        self.stock_log.record([p.index for p in points], [p.on_hand for p in points],
                              [p.backlog_qty for p in points], [p.on_order for p in points])

    def _schedule_snapshot(self) -> None:
        # End-of-day stock is read at the start of the next day, before that day's events.
        self.ctx.urgent(1.0, self._snapshot)

    def add_demand_modifier(self, modifier: DemandModifier) -> None:
        """Multiply demand over time by ``modifier`` (a season, promotion or spike) from the start of
        the run (scenarios add theirs when they are installed, before the clock starts)."""
        if self._ran and self.env.now > 0:
            raise RuntimeError("demand modifiers are added before the run starts")
        self.demand_modifiers.append(modifier)

    def start(self) -> None:
        """Start every process (idempotent); ``step_until`` and ``run`` call it."""
        if self._ran:
            return
        self._ran = True
        self._wall_start = time.perf_counter()
        if self.spec.scenario is not None:
            self.spec.scenario.install(self)  # schedules disruption windows; may add demand modifiers
        self.env.process(periodic_reviews(self.env, [p for p in self.points if not p.continuous]))
        self.facilities.start(self.warehouses)
        for wh in self.warehouses.values():
            wh.start()
        for plant in self.plants.values():
            plant.start()
        self.routings.start()
        if self.shop is not None:
            self.shop.start()
        for cust in self.customers.values():
            for proc in cust.processes(list(self.demand_modifiers)):
                self.env.process(proc)
        if self.stock_log.on_hand.shape[0] > 0:
            self._schedule_snapshot()
        self.replanning.start()
        if self.ageing is not None:
            self.ageing.start()

    def step_until(self, t: float) -> None:
        """Advance the clock to day ``t`` (for tests that inspect state mid-run)."""
        self.start()
        self.env.run(until=t)
        self.ctx.carrier.deliver_due(self.env.now)

    def run(self, progress: bool | None = None) -> RunRecord:
        """Run to the horizon and return the results.

        ``progress``: show a progress bar in simulated days (on stderr); by default shown unless the
        spec says ``quiet``. The bar advances the clock by whole days (about 1/200 of the horizon at
        a time), which changes no outcome.
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
        self.ctx.carrier.deliver_due(self.env.now)  # what arrived before the horizon (not at it: the run stops first)
        if self.env.now >= horizon and self.stock_log.days < self.stock_log.on_hand.shape[0]:
            # The run stops at the horizon before the reading due at that instant: take the last day's.
            self._record_stock()
        wall = time.perf_counter() - self._wall_start
        # Events processed, less the stop event that ends each env.run(until=...): SimPy processes it
        # once to stop, and each one but the last once more on resuming (it is re-queued at once).
        events = self.env.processed - (2 * stops - 1)
        tables = self.ctx.recorder.tables(release=True)
        tables["stock"] = self.stock_log.table(release=True)
        tables["unit_balance"] = self.unit_balance()
        tables.update(self.replanning.tables())
        if self.ageing is not None:
            tables.update(self.ageing.tables())
        if self.returns is not None:
            tables["returns"] = self.returns.table()
        tables.update(self.routings.tables())
        if self.shop is not None:
            tables.update(self.shop.tables())
        if self.promiser is not None:
            tables.update(self.promiser.tables())
        tables.update(self.facilities.tables(self.env.now))
        return RunRecord(self.spec, tables, wall_seconds=wall, events=events)

    def _run_with_progress(self, horizon: float) -> int:
        """Run to ``horizon`` in steps of whole days with a tqdm bar; returns the number of steps.

        About 200 steps a run: a step per day cost ~15% of a 10-year run's CPU (each stop and
        restart of the clock, and the bar's update), for a bar that cannot show a day of 3,650."""
        from tqdm.auto import tqdm

        env = self.env
        # The end of the run is scheduled first, exactly as ``env.run(until=horizon)`` would, so the
        # order of everything at the horizon (e.g. the last stock snapshot) is the same with or without the bar.
        end = self.ctx.urgent(horizon - env.now)
        days = max(1, math.floor(horizon / 200))
        steps = 0
        with tqdm(total=horizon, initial=env.now, unit="day", desc="simulating", leave=False,
                  bar_format="{desc}: day {n:.0f}/{total:.0f} |{bar}| {elapsed}<{remaining}") as bar:
            while env.now < horizon:
                step = math.floor(env.now) + days
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
        table = pd.DataFrame(rows, columns=list(UNIT_BALANCE_COLUMNS))
        if self.returns is not None:  # + returned = ... + scrapped + at_returns_centre_end
            table = table.assign(**self.returns.balance(list(self.spec.skus)))
        return table

    # ---------------------------------------------------------------- checks
    def flow_balance(self) -> dict[str, float]:
        """Per SKU: units that entered the network minus units accounted for (should be 0).

        Accounted for = on hand in DCs + on a carrier + delivered to customers + written off.
        """
        led = self.ctx.ledger
        on_hand: dict[str, float] = defaultdict(float)
        for p in self.points:
            on_hand[p.sku] += p.on_hand
        back = self.returns.balance(list(self.spec.skus)) if self.returns is not None else {}
        out = {}
        for i, sku in enumerate(self.spec.skus):
            entered = led.initial[sku] + led.released[sku]
            out[sku] = entered - on_hand[sku] - led.in_transit[sku] - led.delivered[sku] - led.written_off[sku]
            if back:  # returned units came back in; scrapped ones and those still at a centre are accounted for
                out[sku] += back["returned"][i] - back["scrapped"][i] - back["at_returns_centre_end"][i]
        return out
