"""The network on a longitude/latitude map (offline: a plain graticule, no map tiles or coastlines).

Lanes are coloured by transport mode and as wide as the volume shipped on them; nodes are sized by
their throughput (units shipped out, or for customers received) and shaped by kind.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from analysis.plots import _MODE_COLOURS, colours

if TYPE_CHECKING:
    from simulator.engine.spec import Spec

_KINDS = (("suppliers", "supplier", "s", "#7f8c8d"), ("plants", "plant", "s", "#8e44ad"),
          ("warehouses", "DC", "D", "#2c3e50"), ("customers", "customers", "o", "#e67e22"))


def has_map(spec: Spec) -> bool:
    """True when at least two nodes have coordinates (``network.locations``)."""
    return len(spec.locations) >= 2


def lane_volumes(shipments: pd.DataFrame) -> pd.DataFrame:
    """Units shipped per (origin, dest, mode) over the run."""
    if shipments.empty:
        return pd.DataFrame(columns=["origin", "dest", "mode", "qty"])
    return shipments.groupby(["origin", "dest", "mode"], as_index=False, observed=True)["qty"].sum()


def throughput(shipments: pd.DataFrame) -> pd.Series:
    """Units through each node: shipped out of it, or received by it when it ships nothing (customers)."""
    out = shipments.groupby("origin", observed=True)["qty"].sum()
    inn = shipments.groupby("dest", observed=True)["qty"].sum()
    return out.combine(inn, max, fill_value=0.0)


def network_map(spec: Spec, shipments: pd.DataFrame) -> Figure:
    """The located nodes on a lon/lat frame (with a 5-degree graticule): lanes coloured by mode, line
    width by units shipped, node area by throughput. Nodes without coordinates are left off (and named
    in the subtitle)."""
    loc = dict(spec.locations)
    volumes = lane_volumes(shipments)
    through = throughput(shipments) if not shipments.empty else pd.Series(dtype=float)
    lats = [lat for lat, _ in loc.values()]
    mean_lat = math.radians(float(np.mean(lats))) if lats else 0.0
    lons = [lon for _, lon in loc.values()]
    pad = 1.5
    x0, x1 = min(lons) - pad, max(lons) + pad
    y0, y1 = min(lats) - pad, max(lats) + pad
    aspect = 1.0 / max(0.2, math.cos(mean_lat))  # degrees of latitude are longer than of longitude
    width = 10.0
    height = max(4.0, min(11.0, width * (y1 - y0) * aspect / (x1 - x0) + 1.0))
    fig = Figure(figsize=(width + 2.5, height), layout="constrained")
    ax = fig.subplots()
    ax.set_aspect(aspect)
    modes = sorted({ln.mode for ln in spec.lanes})
    mode_colour = {m: _MODE_COLOURS.get(m, c) for m, c in colours(modes).items()}
    top = float(volumes["qty"].max()) if len(volumes) else 1.0
    drawn = volumes.set_index(["origin", "dest", "mode"])["qty"].to_dict() if len(volumes) else {}
    for lane in {(ln.origin, ln.dest, ln.mode) for ln in spec.lanes}:
        a, b, mode = lane
        if a not in loc or b not in loc:
            continue
        qty = float(drawn.get(lane, 0.0))
        (ya, xa), (yb, xb) = loc[a], loc[b]
        ax.plot([xa, xb], [ya, yb], color=mode_colour[mode], alpha=0.75 if qty else 0.3, zorder=1,
                lw=0.6 + 6.0 * math.sqrt(qty / top) if top > 0 else 0.6, ls="-" if qty else ":",
                solid_capstyle="round")
    biggest = float(through.max()) if len(through) else 1.0
    for table, label, marker, colour in _KINDS:
        names = [n for n in getattr(spec, table) if n in loc]
        if not names:
            continue
        sizes = [30 + 600 * math.sqrt(float(through.get(n, 0.0)) / biggest) if biggest > 0 else 30 for n in names]
        ax.scatter([loc[n][1] for n in names], [loc[n][0] for n in names], s=sizes, marker=marker, color=colour,
                   edgecolor="white", linewidth=0.8, zorder=3, label=label)
        if table != "customers":
            for n in names:
                ax.annotate(n, (loc[n][1], loc[n][0]), xytext=(0, 7), textcoords="offset points", ha="center",
                            va="bottom", fontsize=7, zorder=4)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xticks(np.arange(math.ceil(x0 / 5) * 5, x1, 5))
    ax.set_yticks(np.arange(math.ceil(y0 / 5) * 5, y1, 5))
    ax.grid(True, color="#d5dbdb", lw=0.6)
    ax.set_xlabel("longitude (degrees east)")
    ax.set_ylabel("latitude (degrees north)")
    missing = [n for t, *_ in _KINDS for n in getattr(spec, t) if n not in loc]
    ax.set_title("Network map: lanes coloured by mode, width by units shipped; nodes sized by throughput"
                 + (f"\n(no coordinates: {', '.join(missing[:6])}{', ...' if len(missing) > 6 else ''})"
                    if missing else ""), fontsize=10)
    handles = [Line2D([0], [0], color=mode_colour[m], lw=3, label=f"lane: {m}") for m in modes]
    handles += [Line2D([0], [0], marker=mk, ls="", color=c, markersize=8, label=lab) for _, lab, mk, c in _KINDS]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    return fig
