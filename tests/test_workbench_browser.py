"""The workbench driven in a real browser (headless Chromium through Playwright): set up and run the
default company, change a segment's policy (with an inline validation message on the way), run again,
compare the two runs; the numbers on the pages must be those of each run's kpis.csv.

Screenshots are saved to a temporary folder; with SEGSIM_SCREENSHOTS=docs they replace the ones in
docs/images/ that the README and docs/workbench.md show (so an ordinary test run leaves the tree clean).
"""

from __future__ import annotations

import math
import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

playwright_api = pytest.importorskip("playwright.sync_api", reason="no playwright: pip install -e '.[test]'")
uvicorn = pytest.importorskip("uvicorn", reason="the workbench's web packages are missing: pip install -e '.[app]'")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed here (Debian package 'chromium'; .ci/run installs it)")

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
IMAGES = (Path(__file__).resolve().parents[1] / "docs" / "images" if os.environ.get("SEGSIM_SCREENSHOTS") == "docs"
          else Path(tempfile.mkdtemp(prefix="segsim-screenshots-")))
HORIZON = "60"
RUN_TIMEOUT_MS = 120_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from simulator.app.workbench.server import create_app

    root = tmp_path_factory.mktemp("workbench")
    port = _free_port()
    # log_config=None: leave the logging of the test session alone (no handlers bound to captured streams)
    srv = uvicorn.Server(uvicorn.Config(create_app(root / "runs"), host="127.0.0.1", port=port, log_config=None))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started, "the workbench did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        # Offline: anything not served by the workbench itself would fail the page.
        outside: list[str] = []
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server)
                      else (outside.append(route.request.url), route.abort()))
        pg = context.new_page()
        pg.outside = outside  # type: ignore[attr-defined]
        yield pg
        browser.close()


def _page_kpis(pg: object, table: str = "#kpi-table") -> dict[tuple[str, str], tuple[float, str]]:
    """(segment, metric) -> (data-value, the text shown) of every number cell of a KPI table."""
    cells = pg.eval_on_selector_all(  # type: ignore[attr-defined]
        f"{table} td[data-value]",
        "tds => tds.map(td => [td.closest('tr').dataset.row, td.dataset.metric, td.dataset.value, td.textContent])")
    return {(seg, metric): (float(v), text) for seg, metric, v, text in cells}


def _shown(metric: str, v: float) -> str:
    """How a planner expects a KPI printed: percentages to 0.1, days to 0.01, counts and money whole."""
    if metric in ("fill_rate", "otif"):
        return f"{100 * v:.1f}%"
    if metric == "avg_lead_time_days":
        return f"{v:.2f}"
    return f"{v:,.0f}"


def _run(pg: object, server: str) -> Path:
    """Press Run, wait for the result page; return the run directory the page shows."""
    pg.click("#run-button")  # type: ignore[attr-defined]
    pg.wait_for_selector("#kpi-table", timeout=RUN_TIMEOUT_MS)  # type: ignore[attr-defined]
    return Path(pg.text_content(".meta").split(" · ")[0].strip())  # type: ignore[attr-defined]


def _check_against_csv(pg: object, run_dir: Path) -> None:
    kpis = pd.read_csv(run_dir / "kpis.csv").set_index("segment")
    shown = _page_kpis(pg)
    metrics = ["fill_rate", "otif", "avg_lead_time_days", "lost_units", "avg_on_hand_units", "cost_to_serve",
               "gross_margin", "demand_units"]
    for seg in kpis.index:
        for m in metrics:
            value, text = shown[(seg, m)]
            assert value == pytest.approx(float(kpis.loc[seg, m]), rel=1e-12, abs=1e-12), (seg, m)
            assert text == _shown(m, float(kpis.loc[seg, m])), (seg, m, text)


def test_workbench_run_change_policy_compare(server: str, page: object) -> None:
    pg = page
    IMAGES.mkdir(parents=True, exist_ok=True)
    pg.goto(server + "/")  # type: ignore[attr-defined]
    pg.fill("#horizon_days", HORIZON)  # type: ignore[attr-defined]
    pg.wait_for_function("document.getElementById('command').textContent.includes('horizon_days=60')")  # type: ignore[attr-defined]
    first = _run(pg, server)
    assert (first / "report.html").exists()
    _check_against_csv(pg, first)
    # The figures are drawn (each image decoded with a width).
    pg.wait_for_function(  # type: ignore[attr-defined]
        "[...document.querySelectorAll('figure img')].every(i => i.complete && i.naturalWidth > 100)", timeout=60_000)
    pg.screenshot(path=str(IMAGES / "workbench-run.png"), full_page=False)  # type: ignore[attr-defined]

    # Step 2 of the tutorial: make the tail to order. On the way, a bad parameter is flagged next to its box.
    pg.goto(server + "/")  # type: ignore[attr-defined]
    pg.fill("#horizon_days", HORIZON)  # type: ignore[attr-defined]
    pg.select_option("select[name='policy.tail.replenishment']", "order_up_to")  # type: ignore[attr-defined]
    box = "[name='param.tail.replenishment.order_up_to.review_period']"
    pg.fill(box, "-2")  # type: ignore[attr-defined]
    slot = ".field-error[data-error-for='param.tail.replenishment.order_up_to.review_period']"
    pg.wait_for_function(f"document.querySelector(\"{slot}\").textContent.includes('review_period')")  # type: ignore[attr-defined]
    assert "config error at 'segments.tail.policies.replenishment" in pg.text_content(slot)  # type: ignore[attr-defined]
    assert pg.is_disabled("#run-button")  # type: ignore[attr-defined]
    pg.fill(box, "14")  # type: ignore[attr-defined]
    pg.select_option("select[name='policy.tail.production']", "make_to_order")  # type: ignore[attr-defined]
    pg.wait_for_function(  # type: ignore[attr-defined]
        "document.getElementById('command').textContent.includes('segments.tail.policies.production=make_to_order')")
    assert pg.is_enabled("#run-button")  # type: ignore[attr-defined]
    command = pg.text_content("#command")  # type: ignore[attr-defined]
    assert command == "python -m simulator horizon_days=60 segments.tail.policies.production=make_to_order"
    pg.screenshot(path=str(IMAGES / "workbench-setup.png"), full_page=False)  # type: ignore[attr-defined]
    second = _run(pg, server)
    _check_against_csv(pg, second)
    assert pg.text_content("#command") == command  # type: ignore[attr-defined]

    # Compare the two runs: pick both in the list.
    pg.goto(server + "/#runs")  # type: ignore[attr-defined]
    for d in (first, second):
        pg.check(f"input.pick[value='{d}']")  # type: ignore[attr-defined]
    pg.click("#compare-button")  # type: ignore[attr-defined]
    pg.wait_for_selector("#pair-table")  # type: ignore[attr-defined]
    a = pd.read_csv(first / "kpis.csv").set_index("segment")
    b = pd.read_csv(second / "kpis.csv").set_index("segment")
    rows = pg.eval_on_selector_all(  # type: ignore[attr-defined]
        "#pair-table tbody tr", "trs => trs.map(tr => [tr.dataset.row, "
        "[...tr.querySelectorAll('td')].map(td => td.dataset.value || td.textContent)])")
    names = {"Fill rate": "fill_rate", "Lost units": "lost_units", "Cost to serve": "cost_to_serve",
             "Avg on hand (units)": "avg_on_hand_units"}
    checked = 0
    for seg, cells in rows:
        if cells[0] not in names:
            continue
        m = names[cells[0]]
        va, vb, diff = (float(c) for c in cells[1:4])
        assert va == pytest.approx(float(a.loc[seg, m]), rel=1e-12, abs=1e-12)
        assert vb == pytest.approx(float(b.loc[seg, m]), rel=1e-12, abs=1e-12)
        assert diff == pytest.approx(vb - va, rel=1e-9, abs=1e-9)
        checked += 1
    assert checked >= 4 * 3  # four KPIs for each of the three segments
    assert "same seed" in pg.text_content("#pair-note")  # type: ignore[attr-defined]
    # The tail made to order holds no stock: its average on hand falls (computed from the two kpis.csv).
    assert b.loc["tail", "avg_on_hand_units"] < a.loc["tail", "avg_on_hand_units"] or math.isclose(
        a.loc["tail", "avg_on_hand_units"], 0.0)
    pg.wait_for_function(  # type: ignore[attr-defined]
        "[...document.querySelectorAll('figure img')].every(i => i.complete && i.naturalWidth > 100)", timeout=60_000)
    pg.screenshot(path=str(IMAGES / "workbench-compare.png"), full_page=True)  # type: ignore[attr-defined]
    assert pg.outside == []  # type: ignore[attr-defined]
