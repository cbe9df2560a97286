"""What a reader needs from a figure, checked through matplotlib's objects (not pixels)."""

from __future__ import annotations

from matplotlib.figure import Figure


def readability_problems(fig: Figure) -> list[str]:
    """Axes (colour bars aside) without a title (own or the figure's) or without axis labels."""
    problems = []
    for i, ax in enumerate(fig.axes):
        if ax.get_label() == "<colorbar>":
            continue
        for what, text in (("title", ax.get_title() or fig.get_suptitle()), ("x label", ax.get_xlabel()),
                           ("y label", ax.get_ylabel())):
            if not text.strip():
                problems.append(f"axes {i} ({ax.get_title()!r}) has no {what}")
    return problems


def layout_problems(fig: Figure) -> list[str]:
    """After drawing: an axis with a '1e6'-style offset or scientific tick labels, or a legend that
    covers any axes' plotting area (its data)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    problems = []
    plots = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    for i, ax in enumerate(fig.axes):
        for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            if axis.get_offset_text().get_text():
                problems.append(f"axes {i} {name} axis has an offset {axis.get_offset_text().get_text()!r}")
            labels = [t.get_text() for t in axis.get_ticklabels()]
            if any("e+" in t or "e-" in t or "×10" in t for t in labels):
                problems.append(f"axes {i} {name} ticks in scientific notation: {labels}")
        legend = ax.get_legend()
        if legend is None:
            continue
        box = legend.get_window_extent(renderer)
        for j, other in enumerate(plots):
            if box.overlaps(other.get_window_extent(renderer)):
                problems.append(f"the legend of axes {i} covers the plotting area of axes {j}")
    return problems
