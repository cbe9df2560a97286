"""Reports people read: plain numbers on axes, legends off the data, one colour per segment, the
stress heatmap readable and money-formatted, a resilience section for a disrupted run, and a sweep
report that opens with its summary."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.patches import Polygon

import simulator
from analysis import plots, sweep_plots
from analysis.report import write_run_report, write_sweep_report
from analysis.style import money, readable
from simulator.app.replicate import replicate
from tests.figures import layout_problems


@pytest.fixture(scope="module")
def disrupted() -> simulator.Replications:
    """The resin supplier fails on day 15 for 10 days; 45 days; its paired baseline beside it."""
    cfg = simulator.compose(["scenario=supplier_failure", "horizon_days=45", "quiet=true",
                             "scenario.disruptions.resin_supplier_down.start=15",
                             "scenario.disruptions.resin_supplier_down.duration=10"])
    return replicate(cfg, 1)


def _figures(results: simulator.Results) -> dict[str, object]:
    sku, node = plots.busiest_item(results)
    return {"network": results.plot_network(), "stock": results.plot_stock(), "item": results.plot_stock(sku, node),
            "lines": results.plot_lines(), "production": results.plot_production(),
            "cost": results.plot_cost_to_serve(), "co2": results.plot_co2(), "service": results.plot_service()}


def test_run_figures_have_plain_axes_and_legends_off_the_data(disrupted: simulator.Replications) -> None:
    for name, fig in _figures(disrupted.first).items():
        assert layout_problems(fig) == [], name


def test_large_numbers_are_labelled_in_thousands_or_millions() -> None:
    from matplotlib.figure import Figure

    fig = Figure(layout="constrained")
    ax = fig.subplots()
    ax.plot([0, 1, 2], [0, 2.5e6, 4.0e6], label="cost")
    ax.set_ylabel("cost")
    ax.legend(loc="upper left")
    readable(fig)
    assert layout_problems(fig) == []
    assert ax.get_ylabel() == "cost (millions)"
    ticks = [t.get_text() for t in ax.yaxis.get_ticklabels()]
    assert "4" in ticks and not any("000" in t for t in ticks)


def test_a_segment_has_one_colour_in_every_figure(disrupted: simulator.Replications) -> None:
    figs = _figures(disrupted.first)
    stock = {line.get_label(): to_hex(line.get_color()) for line in figs["stock"].axes[0].get_lines()}
    service_bars = figs["service"].axes[0].patches
    segs = sorted(disrupted.first.spec.segments)
    service = {s: to_hex(p.get_facecolor()) for s, p in zip(segs, service_bars, strict=False)}
    totals = {s: to_hex(p.get_facecolor()) for s, p in zip(segs, figs["production"].axes[1].patches, strict=False)}
    assert {s: stock[s] for s in segs} == service == totals
    assert len(set(service.values())) == len(segs)


def test_stress_heatmap_formats_money_and_keeps_text_readable() -> None:
    matrix = pd.DataFrame([[1.2e6, 3.0e4], [0.0, 850.0]], index=pd.Index(["sup_resin", "dc_north"], name="node"),
                          columns=pd.Index([7, 28], name="outage days"))
    fig = sweep_plots.heatmap(matrix, "Stress matrix", "lost revenue")
    texts = {t.get_text(): to_hex(t.get_color()) for t in fig.axes[0].texts}
    assert texts == {"1.2M": "#ffffff", "30.0k": "#000000", "0": "#000000", "850": "#000000"}
    assert layout_problems(fig) == []
    assert (money(1.2e6), money(-30_000), money(12.4)) == ("1.2M", "-30.0k", "12")


def test_disrupted_run_report_has_a_resilience_section(disrupted: simulator.Replications, tmp_path: Path) -> None:
    page = disrupted.first.report(tmp_path, resilience=disrupted.resilience,
                                  baseline=disrupted.first_baseline).read_text()
    assert '<section id="resilience">' in page
    sections = re.findall(r'<section id="(\w+)">', page)
    assert sections.index("resilience") == sections.index("kpis") + 1
    res = disrupted.resilience
    for r in res.itertuples():
        shown = f"{r.tts_days:.2f}"
        assert shown in page
    assert "Service over time: disrupted runs against the baseline" in page
    # the same run without its resilience table: no section
    plain = write_run_report(disrupted.first, tmp_path / "plain").read_text()
    assert '<section id="resilience">' not in plain


def test_resilience_figure_shades_the_disruption(disrupted: simulator.Replications) -> None:
    from analysis.resilience_report import resilience_section

    section = resilience_section(disrupted.first, disrupted.resilience, disrupted.first_baseline)
    (fig, _), = section.figures
    for ax in fig.axes:
        spans = [p for p in ax.patches if p.get_label() == "disruption"]
        assert len(spans) == 1
        span = spans[0]
        xs = span.get_xy()[:, 0] if isinstance(span, Polygon) else [span.get_x(), span.get_x() + span.get_width()]
        assert (min(xs), max(xs)) == (15.0, 25.0)
    assert layout_problems(fig) == []


def test_sweep_report_opens_with_its_summary(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    rows = []
    from analysis.kpis import KPI_COLUMNS

    for policy in ("make_to_stock", "make_to_order"):
        for seed in range(3):
            for seg in ("core", "tail", "ALL"):
                row = {c: float(rng.normal(1000, 50)) for c in KPI_COLUMNS if c != "segment"}
                row["fill_rate"] = 0.95 - 0.1 * (policy == "make_to_order")
                rows.append({"production": policy, "seed": seed, "segment": seg, "job": f"{policy}-{seed}", **row})
    table = pd.DataFrame(rows)
    paired = pd.DataFrame({"group": "production make_to_order - make_to_stock", "segment": ["core", "tail"],
                           "metric": "fill_rate", "mean": [-0.1, 0.001], "low": [-0.12, -0.01],
                           "high": [-0.08, 0.012]})
    matrix = pd.DataFrame([[2.5e5, 1.1e6]], index=pd.Index(["sup_resin"], name="node"),
                          columns=pd.Index([7, 28], name="outage days"))
    page = write_sweep_report(table, tmp_path, metrics=["fill_rate"], paired=paired, stress_matrix=matrix).read_text()
    sections = re.findall(r'<section id="(\w+)">', page)
    assert sections[0] == "summary"
    summary = page[page.index('<section id="summary">'):page.index("</section>")]
    assert "<td>production=make_to_order</td><td>85.0%</td>" in summary  # the ALL row's mean fill rate
    assert "segment core: fill_rate -10.00 pts" in summary and "segment tail" not in summary  # significant only
    stress = page[page.index('<section id="stress">'):]
    stress = stress[:stress.index("</section>")]
    assert stress.index("<figure>") < stress.index("<table>")  # the heatmap before its table
    assert "<td>250.0k</td><td>1.1M</td>" in stress
