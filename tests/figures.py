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
