"""The run report and the figures behind it: every section and figure present, readable, and true to the data."""

from __future__ import annotations

import base64
import copy
import html
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Polygon, Rectangle

import simulator
from analysis import plots
from analysis.report import run_sections, write_run_report
from simulator.app.results import Results
from tests.figures import readability_problems

RUN_SECTIONS = ("network", "kpis", "stock", "production", "cost", "service")
RUN_FIGURES = 8  # network, stock by segment, one item's stock, lines, production, cost, CO2, service
IMG = re.compile(r'<img alt="[^"]*" src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)">')


@pytest.fixture(scope="module")
def short_run(default_config: dict[str, Any]) -> Results:
    """60 days of the default company, no warm-up (every day counts in the KPIs); the fast segment's
    target is set out of reach (a sure miss) and the tail's well below what it gets (a sure hit)."""
    cfg = copy.deepcopy(default_config)
    cfg.update(horizon_days=60, warmup_days=0, quiet=True)
    cfg["segments"]["fast"]["sla"]["fill_rate"] = 0.9999
    cfg["segments"]["tail"]["sla"]["fill_rate"] = 0.5
    return simulator.run(cfg)


@pytest.fixture(scope="module")
def report_page(short_run: Results, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("report")
    path = write_run_report(short_run, out)
    assert path == out / "report.html"
    return path.read_text()


def test_run_report_holds_every_section_and_figure(report_page: str) -> None:
    page = report_page
    for key in RUN_SECTIONS:
        assert f'<section id="{key}">' in page, key
    images = IMG.findall(page)
    assert len(images) == RUN_FIGURES == page.count("<img")
    titles = re.findall(r'<img alt="([^"]*)"', page)
    assert len(set(titles)) == RUN_FIGURES and all(titles)  # each image carries its figure's title
    for data, title in zip(images, titles, strict=True):
        svg = base64.b64decode(data).decode("utf-8")
        assert svg.lstrip().startswith("<?xml") and "<svg" in svg and svg.rstrip().endswith("</svg>")
        assert len(svg) > 10_000 and svg.count("<path") > 10  # a drawn picture, not an empty frame
        assert f">{html.unescape(title)}</text>" in svg  # text stays text: the figure's title is in the picture
    assert "http://" not in page and "https://" not in page and "<script" not in page  # opens offline


def test_kpi_table_sets_targets_beside_actuals_and_flags_misses(short_run: Results, report_page: str) -> None:
    page = report_page
    table = page[page.index('<section id="kpis">'):page.index('<section id="stock">')]
    rows = {m.group(1): m.group(0) for m in re.finditer(r"<tr><td>(\w+)</td>.*?</tr>", table)}
    assert set(rows) == {"core", "fast", "tail", "ALL"}
    k = short_run.kpis.set_index("segment")
    assert f'<td class="miss">{100 * k.loc["fast", "fill_rate"]:.1f}%</td>' in rows["fast"]
    assert "<td>100.0%</td>" in rows["fast"]  # the target, rounded, beside it
    assert f'<td class="met">{100 * k.loc["tail", "fill_rate"]:.1f}%</td>' in rows["tail"]
    assert "<td>50.0%</td>" in rows["tail"]
    assert 'class="miss"' not in rows["ALL"] and 'class="met"' not in rows["ALL"]  # ALL has no SLA
    assert "Missed an SLA (or lost money): <b>fast</b>" in table


def test_every_figure_is_titled_and_labelled(short_run: Results) -> None:
    figures = [fig for s in run_sections(short_run) for fig, _ in s.figures]
    assert len(figures) == RUN_FIGURES
    for fig in figures:
        assert readability_problems(fig) == [], fig.get_suptitle() or fig.axes[0].get_title()


def test_figures_show_the_numbers_of_the_run(short_run: Results) -> None:
    """The bars and lines carry the run's numbers, not just the right shape."""
    k = short_run.kpis.set_index("segment")
    ax = short_run.plot_cost_to_serve().axes[0]
    tops: dict[float, float] = {}
    for bar in ax.patches:
        x = round(bar.get_x() + bar.get_width() / 2, 6)
        tops[x] = max(tops.get(x, 0.0), bar.get_y() + bar.get_height())
    segments = [t.get_text() for t in ax.get_xticklabels()]
    for x, seg in zip(sorted(tops), segments, strict=True):
        assert tops[x] == pytest.approx(k.loc[seg, "cost_to_serve"], rel=1e-9)

    top = short_run.plot_stock().axes[0]
    on_hand = short_run.stock.groupby(["day", "segment"])["on_hand"].sum().unstack()
    for line in top.get_lines():
        np.testing.assert_allclose(line.get_ydata(), on_hand[line.get_label()].to_numpy())

    fill = short_run.plot_service().axes[0]
    heights = [b.get_height() for b in fill.patches]
    assert heights == pytest.approx([100 * k.loc[s, "fill_rate"] for s in ("core", "fast", "tail")])


def test_timeseries_adds_up_to_the_records_and_kpis(short_run: Results) -> None:
    k = short_run.kpis.set_index("segment")
    demand = short_run.timeseries("demand")
    filled = short_run.timeseries("filled")
    for seg in ("core", "fast", "tail"):
        assert demand[seg].sum() == k.loc[seg, "demand_units"]
        assert filled[seg].sum() / demand[seg].sum() == pytest.approx(k.loc[seg, "fill_rate"])
    rate = short_run.timeseries("fill_rate", by=None)
    day5 = short_run.order_lines[np.floor(short_run.order_lines["time"]) == 5]
    assert rate.loc[5, "total"] == pytest.approx(day5["immediate"].sum() / day5["qty"].sum())
    one = short_run.timeseries("on_hand", by=None, sku="CLN-01", node="dc_north")
    stock = short_run.stock
    expect = stock[(stock["sku"] == "CLN-01") & (stock["node"] == "dc_north")].set_index("day")["on_hand"]
    pd.testing.assert_series_equal(one["total"], expect, check_names=False)
    with pytest.raises(ValueError, match="unknown metric"):
        short_run.timeseries("stock")
    with pytest.raises(ValueError, match="unknown sku"):
        short_run.timeseries("on_hand", sku="NOPE-1")


def test_item_figure_follows_the_chosen_item(short_run: Results) -> None:
    fig = short_run.plot_stock(sku="DET-02", node="dc_south")
    assert "DET-02 at dc_south" in fig.axes[0].get_title()
    with pytest.raises(ValueError, match="give both"):
        short_run.plot_stock(sku="DET-02")
    assert plots.busiest_item(short_run) == tuple(
        short_run.order_lines.groupby(["sku", "source"])["qty"].sum().idxmax())


def test_disruption_windows_are_shaded_and_listed(short_run: Results, tmp_path: Path) -> None:
    """With a ``disruptions`` table in the results, time charts shade each window and the report lists it."""
    tables = dict(short_run.tables)
    tables["disruptions"] = pd.DataFrame({"kind": ["supplier_failure"], "target": ["sup_resin"],
                                          "start": [20.0], "end": [34.0]})
    disrupted = Results(short_run.spec, tables, wall_seconds=1.0, events=1)
    fig = disrupted.plot_stock()
    for ax in fig.axes:
        spans = [p for p in ax.patches if isinstance(p, (Polygon, Rectangle)) and p.get_label() == "disruption"]
        assert len(spans) == 1
        span = spans[0]
        xs = span.get_xy()[:, 0] if isinstance(span, Polygon) else [span.get_x(), span.get_x() + span.get_width()]
        assert min(xs) == 20.0 and max(xs) == 34.0
    assert not any(p.get_label() == "disruption" for p in short_run.plot_stock().axes[0].patches)
    page = write_run_report(disrupted, tmp_path).read_text()
    assert "<td>supplier_failure</td><td>sup_resin</td><td>20</td><td>34</td>" in page


def test_report_of_a_network_without_plants(tmp_path: Path) -> None:
    """A DC fed straight by a supplier (two lanes, two lead times): no lines to draw, still a whole report."""
    from tests.conftest import load_config

    cfg = load_config("single_stage", horizon_days=60, warmup_days=0, quiet=True)
    cfg["network"]["lanes"].append({"from": "vendor", "to": "dc", "mode": "truck", "lead_time": 5})
    results = simulator.run(cfg)
    sections = run_sections(results)
    figures = [fig for s in sections for fig, _ in s.figures]
    assert len(figures) == RUN_FIGURES
    assert all(readability_problems(fig) == [] for fig in figures)
    lines = results.plot_lines().axes[0]
    assert [t.get_text() for t in lines.texts] == ["this network has no production lines"]
    network = results.plot_network().axes[0]
    arrows = [a for a in network.texts if a.arrow_patch is not None]
    assert len(arrows) == 3  # both vendor -> dc lanes drawn, one bent away from the other
    rads = sorted(a.arrow_patch.get_connectionstyle().rad for a in arrows)
    assert rads == pytest.approx([-0.18, 0.0, 0.0])


def test_warm_up_is_shaded_grey(short_run: Results) -> None:
    import dataclasses

    warm = Results(dataclasses.replace(short_run.spec, warmup_days=10.0), short_run.tables, wall_seconds=1.0, events=1)
    for fig in (warm.plot_stock(), warm.plot_production()):
        spans = [p for p in fig.axes[0].patches if p.get_label() == "warm-up (not in KPIs)"]
        assert len(spans) == 1 and spans[0].get_x() == 0.0 and spans[0].get_width() == 10.0
    assert not any(p.get_label().startswith("warm-up") for p in short_run.plot_stock().axes[0].patches)


def test_made_to_order_segment_is_judged_on_lead_time_only(short_run: Results) -> None:
    """A segment holding no stock (make-to-order) gets no fill-rate target and no fill-rate miss."""
    import dataclasses

    from analysis.report import kpi_table
    from policies.production import MakeToOrder

    spec = short_run.spec
    fast = spec.segments["fast"]
    mto = dataclasses.replace(fast, policies=dataclasses.replace(fast.policies, production=MakeToOrder()))
    results = Results(dataclasses.replace(spec, segments={**spec.segments, "fast": mto}), short_run.tables,
                      wall_seconds=1.0, events=1)
    table, classes = kpi_table(results)
    row = table.index[table["segment"] == "fast"][0]
    assert table.loc[row, "fill rate target"] == "made to order"
    assert classes.loc[row, "fill rate"] == "" and classes.loc[row, "avg lead time (d)"] in ("met", "miss")
    tail = table.index[table["segment"] == "tail"][0]
    assert classes.loc[tail, "fill rate"] == "met"  # stocked segments are still judged on fill rate
    ax = results.plot_service().axes[0]
    assert any("(made to order)" in t.get_text() for t in ax.texts)
