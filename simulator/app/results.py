"""The outcome of one run: record tables, KPIs, and writing them to a run directory."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from functools import cached_property
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from analysis.ageing import add_ageing_kpis, finance_table
from analysis.cost_allocation import (
    add_facility_costs,
    add_facility_sop,
    allocation_table,
    charge_events,
    facility_charges,
    full_cost_table,
)
from analysis.freight import carrier_scorecard
from analysis.kpis import compute_kpis
from analysis.planning_kpis import add_planning_kpis
from analysis.returns import add_returns_kpis, add_returns_sop, returns_section
from analysis.sop import sop_table
from simulator.config import build_spec
from simulator.engine.model import Model
from simulator.engine.network import DECISION_COLUMNS, Network
from simulator.engine.records import RunRecord
from simulator.engine.spec import Spec

if TYPE_CHECKING:
    from matplotlib.figure import Figure


STOCK_METRICS = ("on_hand", "backorders", "on_order")
ORDER_METRICS = ("demand", "filled", "fill_rate", "lost")

log = logging.getLogger(__name__)
try:
    SEGSIM_VERSION = metadata.version("segsim")
except metadata.PackageNotFoundError:  # running from a source tree that was never installed
    SEGSIM_VERSION = "unknown"


class Results(RunRecord):
    """Tables of one run (``order_lines``, ``shipments``, ``production``, ``replenishments``,
    ``stock``) and the segment KPI table derived from them."""

    @classmethod
    def of(cls, record: RunRecord) -> Results:
        """The results view of a run's record (what ``Model(spec).run()`` returns)."""
        return cls(record.spec, record.tables, wall_seconds=record.wall_seconds, events=record.events)

    @cached_property
    def kpis(self) -> pd.DataFrame:
        """One row per segment and an ``ALL`` row; see docs/kpis.md for each definition."""
        spec = self.spec
        kpis = compute_kpis(
            self.tables, skus=self._sku_prices,
            promised={n: s.promised_lead_time for n, s in spec.segments.items()},
            handling={n: w.handling_cost_per_unit for n, w in spec.warehouses.items()},
            holding_rate=spec.holding_rate, warmup=spec.warmup_days, horizon=spec.horizon_days,
        )
        kpis = add_returns_kpis(kpis, self.tables, skus=self._sku_prices, warmup=spec.warmup_days)
        kpis = add_planning_kpis(kpis, self.tables, spec.warmup_days)
        kpis = add_ageing_kpis(kpis, self.tables, unit_cost=self._sku_prices["unit_cost"],
                               holding_rate=spec.holding_rate, warmup=spec.warmup_days, horizon=spec.horizon_days)
        if any(t["operated"] or t["overflow_cost_per_unit_day"] for t in self._facility_terms.values()):
            kpis = add_facility_costs(kpis, facility_charges(self.tables, segments=list(spec.segments),
                                                             terms=self._facility_terms, warmup=spec.warmup_days))
        return kpis

    @cached_property
    def _facility_terms(self) -> dict[str, dict[str, Any]]:
        """Per DC with facility terms: its fixed cost and driver, overflow cost and 3PL fees, as data."""
        out = {}
        for name, w in self.spec.warehouses.items():
            t = w.facility
            if t is None:
                continue
            op = t.operator
            out[name] = {"fixed_cost_per_day": t.fixed_cost_per_day, "fixed_cost_driver": t.fixed_cost_driver,
                         "overflow_cost_per_unit_day": t.overflow_cost_per_unit_day,
                         "handling_cost_per_unit": w.handling_cost_per_unit, "operated": op is not None,
                         "fee_per_unit": op.fee_per_unit if op else 0.0,
                         "fee_per_order": op.fee_per_order if op else 0.0,
                         "operator_segments": op.segments if op else None}
        return out

    @property
    def has_cost_allocation(self) -> bool:
        """True when the network has fixed DC costs or shared cost pools to allocate."""
        return bool(self.spec.cost_pools) or any(t["fixed_cost_per_day"] > 0 for t in self._facility_terms.values())

    @cached_property
    def cost_allocation(self) -> pd.DataFrame:
        """Each DC's fixed cost and each shared cost pool spread over segments by its driver: one row
        per pool x segment (``analysis/cost_allocation.py``; drivers in docs/kpis.md)."""
        spec = self.spec
        pools = [{"name": p.name, "per_day": p.per_day, "driver": p.driver, "warehouses": p.warehouses}
                 for p in spec.cost_pools]
        return allocation_table(self.tables, segments=list(spec.segments), warehouses=list(spec.warehouses),
                                terms=self._facility_terms, pools=pools, warmup=spec.warmup_days,
                                horizon=spec.horizon_days)

    @cached_property
    def full_cost(self) -> pd.DataFrame:
        """Per segment: variable cost to serve (the KPI table's), allocated fixed DC cost and shared
        cost, full cost to serve and the margin after it."""
        lines = self.tables["order_lines"]
        lines = lines[lines["time"] >= self.spec.warmup_days]
        return full_cost_table(self.kpis, self.cost_allocation, lines.groupby("segment")["delivered"].sum())

    @cached_property
    def _sku_prices(self) -> pd.DataFrame:
        return pd.DataFrame([(s.name, s.price, s.unit_cost) for s in self.spec.skus.values()],
                            columns=["sku", "price", "unit_cost"]).set_index("sku")

    @cached_property
    def carrier_scorecard(self) -> pd.DataFrame:
        """Per carrier and segment: shipments, on-time share, mean delay, cost per unit
        (``analysis/freight.py``; after the warm-up)."""
        return carrier_scorecard(self.tables["shipments"], self.spec.warmup_days)

    @cached_property
    def labour(self) -> pd.DataFrame:
        """Hours worked and overtime per line and segment after the warm-up, what labour planning is
        given (runs with shift calendars, crews or tools; empty otherwise; docs/shopfloor.md)."""
        from analysis.shopfloor import LABOUR_COLUMNS, labour_table

        if "line_work" not in self.tables:
            return pd.DataFrame(columns=list(LABOUR_COLUMNS))
        return labour_table(self.tables["shifts"], self.tables["line_work"], self.spec.warmup_days,
                            self.spec.horizon_days)

    @cached_property
    def sop(self) -> pd.DataFrame:
        """The S&OP table: per 30-day month and segment, demand, shipped, lost, production, ending
        inventory (units and value), revenue, cost to serve and margin (``analysis/sop.py``)."""
        spec = self.spec
        sop = sop_table(self.tables, skus=self._sku_prices,
                        handling={n: w.handling_cost_per_unit for n, w in spec.warehouses.items()},
                        holding_rate=spec.holding_rate, horizon=spec.horizon_days)
        sop = add_returns_sop(sop, self.tables, skus=self._sku_prices, horizon=spec.horizon_days)
        if any(t["operated"] or t["overflow_cost_per_unit_day"] for t in self._facility_terms.values()):
            events = charge_events(self.tables, terms=self._facility_terms, segments=list(spec.segments))
            sop = add_facility_sop(sop, events, horizon=spec.horizon_days)
        return sop

    @cached_property
    def finance(self) -> pd.DataFrame | None:
        """Runs with ``inventory:``: the finance table per month and segment (inventory value owned and
        consigned, value per age bucket, reserve, write-offs; ``analysis/ageing.py``); else None."""
        rules = self.spec.inventory
        if rules is None:
            return None
        return finance_table(self.tables, unit_cost=self._sku_prices["unit_cost"], holding_rate=self.spec.holding_rate,
                             horizon=self.spec.horizon_days, buckets=rules.bucket_names(),
                             reserve_rates=rules.reserve_rates, period_days=rules.period_days)

    @cached_property
    def service_decisions(self) -> pd.DataFrame:
        """How each customer's items are served, summed up: one row per (segment, customer, served from
        stock, serving node: first DC or the maker) with the number of SKUs served that way."""
        return pd.DataFrame(Network(self.spec).decision_table(), columns=list(DECISION_COLUMNS))

    @cached_property
    def stage_depth(self) -> dict[str, int]:
        """Each DC's stage depth: 0 when fed by plants and suppliers only, else one more than the
        deepest DC feeding it."""
        return dict(Network(self.spec).depth)

    # ------------------------------------------------------------ time series
    def timeseries(self, metric: str = "on_hand", *, by: str | None = "segment", sku: str | None = None,
                   node: str | None = None) -> pd.DataFrame:
        """A daily series, one row per day and one column per value of ``by`` (``total`` when None).

        Stock metrics (``on_hand``, ``backorders``, ``on_order``) are end-of-day units summed over the
        stocking points; row ``day=d`` is the state at the end of day d-1 (as in the ``stock`` table).
        Order metrics count the order lines placed during day d (from time d to d+1): ``demand``
        (units ordered), ``filled`` (units filled from stock on arrival), ``fill_rate``
        (filled / demand, NaN on a day without demand) and ``lost`` (units of that day's orders
        later cancelled). ``sku`` and ``node`` narrow the series to one SKU and one DC (for order
        metrics: lines served by that node).
        """
        if metric in STOCK_METRICS:
            table = self.tables["stock"]
            groups: tuple[str | None, ...] = ("segment", "node", "sku", None)
            index = pd.RangeIndex(1, int(table["day"].max()) + 1 if len(table) else 1, name="day")
        elif metric in ORDER_METRICS:
            table = self.tables["order_lines"]
            groups = ("segment", "node", "sku", "channel", "customer", None)
            index = pd.RangeIndex(0, int(np.ceil(self.spec.horizon_days)), name="day")
        else:
            raise ValueError(f"unknown metric {metric!r}; choose one of {', '.join(STOCK_METRICS + ORDER_METRICS)}")
        if by not in groups:
            raise ValueError(f"{metric} cannot be split by {by!r}; choose one of {groups}")
        node_col = "node" if metric in STOCK_METRICS else "source"
        for value, col, known in ((sku, "sku", self.spec.skus), (node, node_col, self.spec.warehouses)):
            if value is not None:
                if value not in known:
                    raise ValueError(f"unknown {col} {value!r}")
                table = table[table[col] == value]
        table = table.assign(total="total")
        if metric not in STOCK_METRICS:
            table = table.assign(day=np.floor(table["time"]).astype(int), node=table["source"],
                                 demand=table["qty"], filled=table["immediate"])
        key = by or "total"
        if metric == "fill_rate":
            sums = table.groupby(["day", key])[["filled", "demand"]].sum()
            wide = (sums["filled"] / sums["demand"]).unstack(key)
            return wide.reindex(index).rename_axis(columns=by)
        wide = table.groupby(["day", key])[metric].sum().unstack(key)
        return wide.reindex(index).fillna(0.0).rename_axis(columns=by)

    # ------------------------------------------------------------ figures (matplotlib, for notebooks)
    def plot_network(self) -> Figure:
        """The network: suppliers, plants, DCs and customers by channel, lanes coloured by mode."""
        from analysis import plots

        return plots.network(self.spec, self.stage_depth)

    def plot_stock(self, sku: str | None = None, node: str | None = None) -> Figure:
        """Stock on hand and backlog over time per segment; or, given ``sku`` and ``node``, for one item."""
        from analysis import plots

        if sku is None and node is None:
            return plots.stock_by_segment(self)
        if sku is None or node is None:
            raise ValueError("give both sku and node to see one item's stock, or neither for the segments")
        return plots.stock_of_item(self, sku, node)

    def plot_lines(self) -> Figure:
        """Each production line's time split into producing, changing over and idle."""
        from analysis import plots

        return plots.line_utilisation(self)

    def plot_production(self) -> Figure:
        """Units produced per week by segment, labelled with each segment's production strategy."""
        from analysis import plots

        return plots.production_by_segment(self)

    def plot_cost_to_serve(self) -> Figure:
        """Cost to serve per segment as stacked bars by component."""
        from analysis import plots

        return plots.cost_to_serve(self)

    def plot_co2(self) -> Figure:
        """Transport CO2 by sales channel (and upstream replenishment), split by mode."""
        from analysis import plots

        return plots.co2_by_channel(self)

    def plot_service(self) -> Figure:
        """Fill rate against the SLA target and the order lead-time distribution, per segment."""
        from analysis import plots

        return plots.service(self)

    def report(self, path: str | Path, *, resilience: pd.DataFrame | None = None,
               baseline: Results | None = None) -> Path:
        """Write the self-contained HTML run report (figures embedded) to ``path``; with the resilience
        table of a disrupted run (and its paired baseline run) it includes a resilience section."""
        from analysis.ageing_report import ageing_section
        from analysis.freight import scorecard_section
        from analysis.report import write_run_report
        from analysis.resilience_report import resilience_section

        extra = [resilience_section(self, resilience, baseline)] if resilience is not None and len(resilience) else []
        extra += ageing_section(self)
        extra += returns_section(self.kpis)
        return write_run_report(self, path, extra=[*extra, scorecard_section(self.carrier_scorecard)])

    def trace(self, start: float, end: float, sku: str | None = None) -> pd.DataFrame:
        """The readable event log of ``[start, end)`` (time, node, event, SKU, qty, segment, detail)."""
        from analysis.trace import event_log

        return event_log(self, start, end, sku=sku)

    def run_info(self, config: Mapping[str, Any] | None = None) -> dict[str, object]:
        """What ran: seed, horizon, speed, and (given the composed ``config``) the record an auditor asks
        for: config hash, segsim version and git revision, the segment definitions' name, version,
        approval and hash, and the SHA-256 of every input file the config names (see ``run_record``)."""
        info: dict[str, object] = {
            "seed": self.spec.seed, "segsim_version": SEGSIM_VERSION, "wall_seconds": round(self.wall_seconds, 4),
            "simulated_days": self.spec.horizon_days, "warmup_days": self.spec.warmup_days,
            "events_processed": self.events,
            "events_per_second": round(self.events / self.wall_seconds) if self.wall_seconds > 0 else None,
        }
        if config is not None:
            from simulator.app.record import run_record

            info.update(run_record(config))
        return info

    def write(self, outdir: str | Path, config: Mapping[str, Any] | None = None, *, tables: bool = True,
              summaries: bool = True) -> Path:
        """Write ``kpis.csv``, one Parquet file per record table (unless ``tables`` is off), the summary
        tables (S&OP, carrier scorecard, finance, cost allocation, labour, ``planning_parameters.csv``;
        unless ``summaries`` is off, as in a sweep's jobs) and ``run.json`` into ``outdir``; given the
        composed ``config``, also ``config.json`` (what ``python -m analysis.diff`` compares) and the run
        record in ``run.json``."""
        from simulator.app.planning import PLANNING_FILE, planning_parameters

        out = Path(outdir)
        out.mkdir(parents=True, exist_ok=True)
        self.kpis.to_csv(out / "kpis.csv", index=False)
        if summaries:
            self._write_summaries(out)
        detail = self.tables if tables else {}
        for name, table in detail.items():
            table.to_parquet(out / f"{name}.parquet", index=False)
        if summaries:
            planning_parameters(self.spec).to_csv(out / PLANNING_FILE, index=False)
        if config is not None:
            (out / "config.json").write_text(json.dumps(config, indent=1, sort_keys=True, default=str) + "\n")
        (out / "run.json").write_text(json.dumps(self.run_info(config), indent=2) + "\n")
        log.info("wrote kpis.csv, run.json and %d tables to %s", len(detail), out)
        return out

    def _write_summaries(self, out: Path) -> None:
        self.sop.to_csv(out / "sop.csv", index=False)
        self.carrier_scorecard.to_csv(out / "carrier_scorecard.csv", index=False)
        if self.finance is not None:
            self.finance.to_csv(out / "finance.csv", index=False)
        if self.has_cost_allocation:
            self.full_cost.to_csv(out / "full_cost.csv", index=False)
            self.cost_allocation.to_csv(out / "cost_allocation.csv", index=False)
        if "line_work" in self.tables:
            self.labour.to_csv(out / "labour.csv", index=False)


def run(config: Mapping[str, Any] | Spec) -> Results:
    """Run one simulation from a composed config (plain mapping) or a built ``Spec``."""
    spec = config if isinstance(config, Spec) else build_spec(config)
    return Results.of(Model(spec).run())
