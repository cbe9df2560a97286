"""Figures of one run, as matplotlib ``Figure`` objects (no pyplot state: safe in scripts and notebooks).

Every figure has a title and labelled axes, uses one colour per segment throughout, and shades
disruption windows on time axes when the run's results hold a ``disruptions`` table
(columns ``kind``, ``target``, ``start``, ``end``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from analysis.kpis import made_to_order
from analysis.style import SUPTITLE, Margins, colours, new_figure, segment_colours, styled
from policies import REGISTRY

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from simulator.app.results import Results
    from simulator.engine.spec import Spec

COST_COMPONENTS = ("transport_cost", "handling_cost", "holding_cost", "changeover_cost")
_MODE_COLOURS = {"ftl": "#1f4e79", "ltl": "#2e86c1", "parcel": "#e67e22", "air": "#c0392b", "rail": "#27ae60",
                 "sea": "#16a085"}
_DISRUPTION_COLOUR = "#c0392b"


def policy_name(kind: str, policy: object) -> str:
    """The config name a policy object was registered under (e.g. ``make_to_stock``)."""
    for name, cls in REGISTRY[kind].items():
        if type(policy) is cls:
            return name
    return type(policy).__name__


def disruption_windows(results: Results) -> pd.DataFrame:
    """The run's disruption windows (kind, target, start, end), empty when the run had none."""
    table = results.tables.get("disruptions")
    if table is None or len(table) == 0 or not {"start", "end"} <= set(table.columns):
        return pd.DataFrame(columns=["kind", "target", "start", "end"])
    out = table.copy()
    for col in ("kind", "target"):
        if col not in out:
            out[col] = ""
    out["end"] = out["end"].fillna(results.spec.horizon_days)
    return out


def shade_disruptions(ax: Axes, windows: pd.DataFrame) -> None:
    """Shade each disruption window on a time axis, labelled once in the legend."""
    for i, w in enumerate(windows.itertuples(index=False)):
        ax.axvspan(float(w.start), float(w.end), color=_DISRUPTION_COLOUR, alpha=0.12, lw=0,
                   label="disruption" if i == 0 else None)


def shade_time(ax: Axes, results: Results) -> None:
    """Mark a time axis: the warm-up (left out of the KPIs) in grey, disruption windows in red."""
    warmup = results.spec.warmup_days
    if warmup > 0:
        ax.axvspan(0.0, warmup, color="#7f8c8d", alpha=0.12, lw=0, label="warm-up (not in KPIs)")
    shade_disruptions(ax, disruption_windows(results))


# ---------------------------------------------------------------------------------------------- network
def _stages(spec: Spec, depth: Mapping[str, int]) -> dict[str, int]:
    """Column of each node left to right: suppliers, plants, DCs by echelon (``depth``: each DC's
    stage depth, 0 when fed by plants and suppliers only), customers."""
    col: dict[str, int] = {n: 0 for n in spec.suppliers}
    col.update({n: 1 for n in spec.plants})
    for w in spec.warehouses:
        col[w] = 2 + depth[w]
    last = max(col.values(), default=1) + 1
    col.update({n: last for n in spec.customers})
    return col


@styled
def network(spec: Spec, depth: Mapping[str, int]) -> Figure:
    """The supply network drawn left to right, lanes coloured by transport mode, customers by channel.

    ``depth``: each DC's stage depth (``Results.stage_depth``)."""
    col = _stages(spec, depth)
    ordered: dict[int, list[str]] = {}
    customers = sorted(spec.customers, key=lambda c: (spec.customers[c].channel, c))
    for name in [*spec.suppliers, *spec.plants, *spec.warehouses, *customers]:
        ordered.setdefault(col[name], []).append(name)
    tallest = max(len(v) for v in ordered.values())
    pos = {}
    for x, names in ordered.items():  # each stage centred, nodes spread at most 1.5 apart
        gap = min(1.5, (tallest - 1) / max(len(names) - 1, 1))
        top = (tallest - 1) / 2 + gap * (len(names) - 1) / 2
        for i, name in enumerate(names):
            pos[name] = (float(x), top - i * gap)
    fig, (ax,) = new_figure(11, max(4.0, 0.5 * tallest + 1.5), margins=Margins(left=0.6, right=1.75))
    modes = sorted({ln.mode for ln in spec.lanes})
    mode_colour = {m: _MODE_COLOURS.get(m, c) for m, c in colours(modes).items()}
    seen: dict[tuple[str, str], int] = {}
    for lane in spec.lanes:
        if lane.origin not in pos or lane.dest not in pos:  # the reverse flow (returns centres) is not drawn
            continue
        (x0, y0), (x1, y1) = pos[lane.origin], pos[lane.dest]
        k = seen[(lane.origin, lane.dest)] = seen.get((lane.origin, lane.dest), -1) + 1  # parallel modes bend apart
        ax.annotate("", xy=(x1 - 0.12, y1), xytext=(x0 + 0.12, y0),
                    arrowprops={"arrowstyle": "-|>", "color": mode_colour[lane.mode], "lw": 1.4, "alpha": 0.8,
                                "connectionstyle": f"arc3,rad={0.18 * k * (-1) ** k}"})
    channel_colour = colours(sorted(spec.channels))
    kinds = (("supplier", spec.suppliers, "s", "#7f8c8d"), ("plant", spec.plants, "s", "#8e44ad"),
             ("warehouse", spec.warehouses, "D", "#2c3e50"))
    def mark(names: list[str], size: float, marker: str, colour: str) -> None:  # one collection per kind
        if names:
            ax.scatter([pos[n][0] for n in names], [pos[n][1] for n in names], s=size, marker=marker, color=colour,
                       zorder=3)

    for _, table, marker, colour in kinds:
        mark(list(table), 160, marker, colour)
    for ch, colour in channel_colour.items():
        mark([n for n in customers if spec.customers[n].channel == ch], 140, "o", colour)
    for name, xy in pos.items():
        label = name
        if name in spec.plants:
            label += "\n" + ", ".join(ln.name for ln in spec.plants[name].lines)
        ax.annotate(label, xy, xytext=(0, 11), textcoords="offset points", ha="center", va="bottom",
                    fontsize=8)
    stage_names = {0: "suppliers", 1: "plants"}
    last = max(col.values())
    for x in range(2, last):
        stage_names[x] = "DCs" if last == 3 else f"DCs (echelon {x - 1})"
    stage_names[last] = "customers"
    ax.set_xticks(sorted(stage_names), [stage_names[x] for x in sorted(stage_names)])
    ax.set_yticks([])
    ax.set_xlim(-0.5, last + 0.5)
    ax.set_ylim(-0.8, tallest - 0.2)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel("stage (goods flow left to right)")
    ax.set_ylabel("nodes")
    ax.set_title("Supply network: lanes by transport mode, customers by channel")
    handles = [Line2D([0], [0], color=mode_colour[m], lw=2, label=f"lane: {m}") for m in modes]
    handles += [Line2D([0], [0], marker="o", ls="", color=c, label=f"customers: {ch}")
                for ch, c in channel_colour.items()]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    return fig


# ---------------------------------------------------------------------------------------------- stock
@styled
def stock_by_segment(results: Results) -> Figure:
    """Units on hand and units on backorder over time, summed over DCs, one line per segment."""
    seg_colour = segment_colours(results.spec.segments)
    fig, axes = new_figure(10, 5.6, rows=2, sharex=True, margins=SUPTITLE)
    for ax, metric, title, ylabel in (
            (axes[0], "on_hand", "Stock on hand (end of day, all DCs)", "units on hand"),
            (axes[1], "backorders", "Customer and DC backorders waiting (end of day)", "units on backorder")):
        series = results.timeseries(metric, by="segment")
        for seg in series.columns:
            ax.plot(series.index, series[seg], color=seg_colour.get(seg), lw=1.3, label=seg)
        shade_time(ax, results)
        ax.set_title(title)
        ax.set_ylabel(ylabel)
        ax.set_xlabel("day")
        ax.grid(alpha=0.3)
    axes[0].legend(title="segment", fontsize=8, loc="upper right")
    fig.suptitle("Stock and backlog over time per segment")
    return fig


@styled
def stock_of_item(results: Results, sku: str, node: str) -> Figure:
    """One SKU at one DC: on hand, backorders and on order each day, and when replenishments were ordered."""
    fig, (ax,) = new_figure(10, 4.0, margins=SUPTITLE)
    held = _has_point(results, sku, node)
    for metric, colour in (("on_hand", "#1f77b4"), ("backorders", "#d62728"), ("on_order", "#7f7f7f")):
        s = results.timeseries(metric, by=None, sku=sku, node=node)["total"] if held else pd.Series(dtype=float)
        ax.step(s.index, s.values, where="post", color=colour, lw=1.2, label=metric.replace("_", " "))
    reps = results.tables["replenishments"]
    reps = reps[(reps["node"] == node) & (reps["sku"] == sku)]
    if len(reps):
        ax.scatter(reps["time"], np.zeros(len(reps)), marker="^", color="#2ca02c", s=28, zorder=3,
                   label="replenishment ordered")
    shade_time(ax, results)
    seg = _segment_of_point(results, sku, node)
    if not held:
        _say(ax, f"no stock of {sku or 'any SKU'} is held at {node or 'any DC'}")
    ax.set_title(f"{sku} at {node}" + (f" (stock governed by segment {seg})" if seg else ""))
    ax.set_xlabel("day")
    ax.set_ylabel("units")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper right")
    fig.suptitle("One item's stock, backlog and pipeline")
    return fig


def _has_point(results: Results, sku: str, node: str) -> bool:
    stock = results.tables["stock"]
    return bool(((stock["sku"] == sku) & (stock["node"] == node)).any())


def _segment_of_point(results: Results, sku: str, node: str) -> str:
    stock = results.tables["stock"]
    hit = stock.loc[(stock["sku"] == sku) & (stock["node"] == node), "segment"]
    return str(hit.iloc[0]) if len(hit) else ""


def busiest_item(results: Results) -> tuple[str, str]:
    """The (SKU, DC) pair that shipped the most units to customers: a sensible item to look at first."""
    lines = results.tables["order_lines"]
    lines = lines[lines["source"].isin(list(results.spec.warehouses))]
    if len(lines) == 0:
        stock = results.tables["stock"]
        return (str(stock["sku"].iloc[0]), str(stock["node"].iloc[0])) if len(stock) else ("", "")
    sku, node = lines.groupby(["sku", "source"])["qty"].sum().idxmax()
    return str(sku), str(node)


# ---------------------------------------------------------------------------------------------- production
@styled
def line_utilisation(results: Results) -> Figure:
    """Share of the horizon each line spent producing, changing over, or idle (incl. waiting for material)."""
    spec = results.spec
    prod = results.tables["production"]
    horizon = spec.horizon_days
    names = [f"{p.name} / {ln.name}" for p in spec.plants.values() for ln in p.lines]
    keys = [(p.name, ln.name) for p in spec.plants.values() for ln in p.lines]
    busy = prod.assign(run=prod["end"] - prod["start"] - prod["changeover_days"]).groupby(["plant", "line"])[
        ["run", "changeover_days"]].sum()
    run = np.array([busy["run"].get(k, 0.0) for k in keys]) / horizon * 100
    change = np.array([busy["changeover_days"].get(k, 0.0) for k in keys]) / horizon * 100
    idle = np.clip(100 - run - change, 0, None)
    counts = prod.groupby(["plant", "line"])["changeover_days"].apply(lambda c: int((c > 0).sum()))
    longest = max((len(n) for n in names), default=0)  # tick labels at 10 pt: ~0.075 inch a character
    fig, (ax,) = new_figure(9, 0.55 * len(names) + 1.8,
                         margins=Margins(left=0.075 * longest + 0.55, right=2.3, top=0.85))
    y = np.arange(len(names))
    if not names:
        _say(ax, "this network has no production lines")
    ax.barh(y, run, color="#2e86c1", label="producing")
    ax.barh(y, change, left=run, color="#e67e22", label="changing over")
    ax.barh(y, idle, left=run + change, color="#d5dbdb", label="idle / waiting")
    for i, k in enumerate(keys):
        days = change[i] * horizon / 100
        ax.annotate(f"{run[i] + change[i]:.0f}% busy, {counts.get(k, 0)} changeovers ({days:.1f} d)",
                    (101, i), va="center", fontsize=8, annotation_clip=False)
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel(f"% of the {horizon:g} simulated days")
    ax.set_ylabel("plant / line")
    ax.set_title("Line utilisation and changeover time per line")
    if names:
        ax.legend(fontsize=8, loc="lower left", bbox_to_anchor=(0, 1.08), ncols=3, frameon=False)
    return fig


def _say(ax: Axes, text: str) -> None:
    """Write a message in the middle of an axes that has nothing to draw."""
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color="#566573")


@styled
def production_by_segment(results: Results) -> Figure:
    """Units produced per week, stacked by segment; the legend names each segment's strategy (MTS/MTO)."""
    spec = results.spec
    prod = results.tables["production"]
    segs = sorted(spec.segments)
    seg_colour = segment_colours(segs)
    weeks = int(np.ceil(spec.horizon_days / 7))
    weekly = (prod.assign(week=(prod["end"] // 7).astype(int)).groupby(["week", "segment"])["qty"].sum()
              .unstack("segment").reindex(index=range(weeks), columns=segs).fillna(0.0))
    fig, axes = new_figure(11, 4.0, cols=2, width_ratios=(3, 1), margins=SUPTITLE)
    bottom = np.zeros(weeks)
    edges = np.arange(weeks + 1) * 7.0
    for seg in segs:  # one filled staircase per segment (a patch per weekly bar cost ~0.1 s to draw)
        label = f"{seg} ({policy_name('production', spec.segments[seg].policies.production)})"
        top = bottom + weekly[seg].to_numpy()
        axes[0].stairs(top, edges, baseline=bottom, fill=True, color=seg_colour[seg], label=label)
        bottom = top
    if len(prod) == 0:
        _say(axes[0], "nothing was produced in this run")
    shade_time(axes[0], results)
    axes[0].set_title("Units produced per week")
    axes[0].set_xlabel("day (weekly bars, by completion)")
    axes[0].set_ylabel("units produced")
    axes[0].legend(title="segment (strategy)", fontsize=8, loc="upper right")
    totals = weekly.sum()
    axes[1].bar(segs, totals, color=[seg_colour[s] for s in segs])
    axes[1].set_title("Total by segment")
    axes[1].set_xlabel("segment")
    axes[1].set_ylabel("units produced")
    fig.suptitle("Production by segment")
    return fig


# ---------------------------------------------------------------------------------------------- money and CO2
@styled
def cost_to_serve(results: Results) -> Figure:
    """Cost to serve per segment as stacked bars of transport, handling, holding and changeover cost."""
    k = results.kpis
    k = k[k["segment"] != "ALL"].set_index("segment")
    comp_colour = colours(COST_COMPONENTS)
    fig, axes = new_figure(11, 4.2, cols=2, margins=SUPTITLE)
    for ax, per_unit in ((axes[0], False), (axes[1], True)):
        bottom = np.zeros(len(k))
        scale = k["demand_units"].replace(0, np.nan) if per_unit else 1.0
        for comp in COST_COMPONENTS:
            values = (k[comp] / scale).fillna(0.0).to_numpy()
            ax.bar(k.index, values, bottom=bottom, color=comp_colour[comp], label=comp.removesuffix("_cost"))
            bottom += values
        ax.set_xlabel("segment")
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_title("Total cost to serve")
    axes[0].set_ylabel("cost (currency units)")
    axes[1].set_title("Cost to serve per unit ordered")
    axes[1].set_ylabel("cost per unit of demand")
    axes[0].legend(title="component", fontsize=8)
    fig.suptitle("Cost to serve per segment, by cost component")
    return fig


@styled
def co2_by_channel(results: Results) -> Figure:
    """Transport CO2 of deliveries to each sales channel, plus upstream replenishment, stacked by mode."""
    spec = results.spec
    ship = results.tables["shipments"]
    ship = ship[(ship["time"] >= spec.warmup_days) & (ship["kind"] != "raw")]
    # summed per (kind, destination, mode) first: the channel is looked up for a few hundred rows, not every shipment
    legs = ship.groupby(["kind", "dest", "mode"], sort=False, observed=True)["co2_kg"].sum().reset_index()
    channel = legs["dest"].map({c: cust.channel for c, cust in spec.customers.items()})
    legs["channel"] = channel.where(legs["kind"] == "customer", "replenishment (upstream)")
    table = legs.groupby(["channel", "mode"])["co2_kg"].sum().unstack("mode").fillna(0.0)
    order = [c for c in sorted(spec.channels) if c in table.index] + \
            [c for c in table.index if c not in spec.channels]
    table = table.reindex(order)
    mode_colour = {m: _MODE_COLOURS.get(m, c) for m, c in colours(table.columns).items()}
    fig, (ax,) = new_figure(8, 4.0, margins=Margins())
    bottom = np.zeros(len(table))
    for mode in table.columns:
        ax.bar(table.index, table[mode], bottom=bottom, color=mode_colour[mode], label=mode)
        bottom += table[mode].to_numpy()
    ax.set_xlabel("deliveries to channel")
    ax.set_ylabel("CO2 (kg)")
    ax.set_title("Transport CO2 by channel and mode")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(title="mode", fontsize=8)
    return fig


# ---------------------------------------------------------------------------------------------- service
@styled
def service(results: Results) -> Figure:
    """Fill rate per segment against its SLA target, and the distribution of order-line lead times."""
    spec = results.spec
    segs = sorted(spec.segments)
    seg_colour = segment_colours(segs)
    k = results.kpis.set_index("segment")
    fig, axes = new_figure(11, 4.2, cols=2, margins=SUPTITLE)
    ax = axes[0]
    x = np.arange(len(segs))
    actual = [float(k.loc[s, "fill_rate"]) * 100 for s in segs]
    # a made-to-order segment holds no stock: it has no fill-rate target (its SLA is the lead time)
    decisions = results.service_decisions
    target = [float("nan") if made_to_order(decisions, s) else spec.segments[s].target_fill_rate * 100 for s in segs]
    bars = ax.bar(x, actual, color=[seg_colour[s] for s in segs], label="actual")
    ax.scatter(x, target, marker="_", s=900, color="black", lw=2.5, zorder=3, label="SLA target")
    for bar, a, t in zip(bars, actual, target, strict=True):
        note = " (miss)" if a < t else " (made to order)" if np.isnan(t) else ""
        ax.annotate(f"{a:.1f}%{note}", (bar.get_x() + bar.get_width() / 2, np.nanmax([a, t])),
                    xytext=(0, 5), textcoords="offset points", ha="center", fontsize=8,
                    color="#c0392b" if a < t else "black")
    ax.set_xticks(x, segs)
    low = np.nanmin([*actual, *target]) if segs else 0.0
    ax.set_ylim(max(0.0, low - 10), 104)
    ax.set_xlabel("segment")
    ax.set_ylabel("unit fill rate from stock (%)")
    ax.set_title("Fill rate vs SLA target")
    ax.legend(fontsize=8, markerscale=0.4)
    ax = axes[1]
    lines = results.tables["order_lines"]
    lines = lines[(lines["time"] >= spec.warmup_days) & (lines["delivered"] >= lines["qty"])]
    lead = lines["last_delivery"] - lines["time"]
    for seg in segs:
        lt = lead[lines["segment"] == seg].to_numpy()
        if len(lt):  # the distribution's steps at each distinct lead time (not one vertex per line)
            values, counts = np.unique(lt, return_counts=True)
            ax.step(values, np.cumsum(counts) / len(lt) * 100, where="post", color=seg_colour[seg], label=seg)
        ax.axvline(spec.segments[seg].promised_lead_time, color=seg_colour[seg], ls=":", lw=1.2)
    ax.set_xlabel("order-line lead time, order to last delivery (days); dotted: promised")
    ax.set_ylabel("% of delivered lines within")
    ax.set_title("Order lead-time distribution")
    ax.grid(alpha=0.3)
    ax.legend(title="segment", fontsize=8, loc="lower right")
    fig.suptitle("Service per segment")
    return fig
