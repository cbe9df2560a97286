"""How every figure looks: one colour per segment everywhere, plain numbers on axes (thousands or
millions named in the label, never a '1e6' offset), legends outside the data, money as 12.4k / 3.1M."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ParamSpec

import numpy as np
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.ticker import FuncFormatter, ScalarFormatter

P = ParamSpec("P")
_PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
            "#bcbd22", "#17becf")


def colours(names: Iterable[str]) -> dict[str, str]:
    """A stable colour per name (segments, channels, modes), in the order given."""
    return {n: _PALETTE[i % len(_PALETTE)] for i, n in enumerate(names)}


_ALL_COLOUR = "#34495e"  # the ALL row (every segment together), in every figure


def segment_colours(names: Iterable[str]) -> dict[str, str]:
    """The colour of each segment: by its place in the sorted names, ``ALL`` always dark grey, so a
    segment has the same colour in every figure of a run, a sweep or a comparison."""
    names = list(dict.fromkeys(names))
    out = colours(sorted(n for n in names if n != "ALL"))
    if "ALL" in names:
        out["ALL"] = _ALL_COLOUR
    return out


def _scale(top: float) -> tuple[float, str]:
    """Divisor and word for an axis whose largest tick is ``top``: millions, thousands or none."""
    if top >= 1e6:
        return 1e6, "millions"
    if top >= 1e4:
        return 1e3, "thousands"
    return 1.0, ""


def plain_number(v: float) -> str:
    """A tick label without scientific notation: thousands separators, at most 3 decimals."""
    return f"{v:,.0f}" if abs(v) >= 100 or v == int(v) else f"{v:,.3f}".rstrip("0").rstrip(".")


def readable(fig: Figure) -> Figure:
    """Make a finished figure readable: numeric axes in plain numbers with thousands or millions
    named in the axis label (never a '1e6' offset), and every legend outside its axes (never over data)."""
    moved: list[Legend] = []
    for ax in fig.axes:
        for axis, limits, get_label, set_label in ((ax.xaxis, ax.get_xlim, ax.get_xlabel, ax.set_xlabel),
                                                  (ax.yaxis, ax.get_ylim, ax.get_ylabel, ax.set_ylabel)):
            if axis.get_scale() != "linear" or not isinstance(axis.get_major_formatter(), ScalarFormatter):
                continue
            div, word = _scale(max(abs(v) for v in limits()))
            axis.set_major_formatter(FuncFormatter(lambda v, _, d=div: plain_number(v / d)))
            label = get_label()
            if word and label and word not in label:
                set_label(f"{label} ({word})")
        legend = ax.get_legend()
        if legend is not None and tuple(legend.get_bbox_to_anchor().bounds) == tuple(ax.bbox.bounds):
            legend.set_bbox_to_anchor((1.01, 1.0), transform=ax.transAxes)
            legend.set_loc("upper left")
            moved.append(legend)
    if moved and fig.get_layout_engine() is None:
        _make_room(fig, moved)
    return fig


def _make_room(fig: Figure, legends: list[Legend]) -> None:
    """With fixed margins (no layout engine): widen the figure so that a legend now right of its axes
    fits in the right margin and between columns, the axes keeping their size."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    need = max(leg.get_window_extent(renderer).width for leg in legends) / fig.dpi + 0.15  # inches
    width = fig.get_figwidth()
    sp = fig.subplotpars
    grid = fig.axes[0].get_subplotspec().get_gridspec() if fig.axes[0].get_subplotspec() else None
    cols = grid.ncols if grid is not None else 1
    inner = (sp.right - sp.left) * width
    axes_w = inner / (cols + sp.wspace * (cols - 1))  # the average axes width, what wspace is a share of
    gap = sp.wspace * axes_w
    left_in, right_in = sp.left * width, (1 - sp.right) * width
    new_width = width + need + (cols - 1) * need
    fig.set_figwidth(new_width)
    fig.subplots_adjust(left=left_in / new_width, right=1 - (right_in + need) / new_width,
                        wspace=(gap + need) / axes_w if cols > 1 else sp.wspace)


def styled(make: Callable[P, Figure]) -> Callable[P, Figure]:
    """Decorator: the figure function's result passed through ``readable``."""
    @functools.wraps(make)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Figure:
        return readable(make(*args, **kwargs))
    return wrapper


def money(v: float) -> str:
    """An amount as a planner reads it: 950, 12.4k, 3.1M."""
    if abs(v) >= 1e6:
        return f"{v / 1e6:,.1f}M"
    if abs(v) >= 1e3:
        return f"{v / 1e3:,.1f}k"
    return f"{v:,.0f}"


@dataclass(frozen=True)
class Margins:
    """Space around and between the axes, in inches (titles, tick labels, axis labels, outside legends)."""

    left: float = 0.95
    right: float = 0.3
    top: float = 0.45      # the axes' title; + 0.35 with a figure suptitle
    bottom: float = 0.6
    wgap: float = 0.95     # between columns: the right axes' tick labels and y label
    hgap: float = 0.85     # between rows: the upper x label and the lower title


def new_figure(width: float = 9.0, height: float = 4.2, rows: int = 1, cols: int = 1, margins: Margins | None = None,
            **kw: Any) -> tuple[Figure, np.ndarray]:
    """An empty figure of ``rows`` x ``cols`` axes.

    The run report's figures pass fixed ``margins``: matplotlib's constrained layout draws a figure twice
    (once to measure every text, once to render), about a fifth of the report's time; their titles sit
    at a fixed height (no ticks on top to clear), another tenth. Figures whose
    labels come from the user's data in unknown lengths (the sweep's) keep the constrained layout.
    """
    fig = Figure(figsize=(width, height), layout=None if margins else "constrained")
    # These figures have no ticks on top: a title at a fixed height spares measuring the axes at every draw.
    with rc_context({"axes.titley": 1.0} if margins else {}):
        axes = fig.subplots(rows, cols, squeeze=False, **kw)
    if margins:
        inner_w = width - margins.left - margins.right
        inner_h = height - margins.top - margins.bottom
        axes_w = (inner_w - margins.wgap * (cols - 1)) / cols
        axes_h = (inner_h - margins.hgap * (rows - 1)) / rows
        fig.subplots_adjust(left=margins.left / width, right=1 - margins.right / width,
                            bottom=margins.bottom / height, top=1 - margins.top / height,
                            wspace=margins.wgap / axes_w, hspace=margins.hgap / axes_h)
    return fig, axes.ravel()


SUPTITLE = Margins(top=0.8)  # an axes title under a figure title
