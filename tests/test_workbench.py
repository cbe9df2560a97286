"""The workbench without a browser: the form's overrides, inline config errors, exploring a sweep
directory, a job's run page against its kpis.csv, and the zip download (FastAPI's test client)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("fastapi", reason="the workbench's web packages are missing: pip install -e '.[app]'")
pytest.importorskip("httpx", reason="the test client needs httpx: pip install -e '.[test]'")

from fastapi.testclient import TestClient  # noqa: E402

from analysis.sweep import gather  # noqa: E402
from simulator.app.cli import compose, run_job  # noqa: E402
from simulator.app.jobs import write_job  # noqa: E402
from simulator.app.workbench import controls  # noqa: E402
from simulator.app.workbench.server import create_app  # noqa: E402


@pytest.fixture(scope="module")
def base() -> dict:
    return compose([])


def _form(base: dict, **changes: str) -> dict[str, str]:
    """The form as the browser sends it for ``base``: every control at its current value, then ``changes``."""
    form = {"network": "default", "segments": "default", "scenario": "baseline",
            **{name: str(base[name]) for name, _ in controls.TOP_FIELDS}}
    for c in controls.controls(base):
        form[f"policy.{c.segment}.{c.kind}"] = c.chosen
        for p in controls.catalogue()[c.kind].get(c.chosen, []):
            value = c.values.get(p.name)
            form[f"param.{c.segment}.{c.kind}.{c.chosen}.{p.name}"] = "" if value is None else str(value)
    form.update(changes)
    return form


def test_unchanged_form_is_the_default_command(base: dict) -> None:
    assert controls.form_overrides(_form(base), base) == []


def test_policy_change_composes_to_exactly_the_new_policy(base: dict) -> None:
    form = _form(base, **{"policy.fast.replenishment": "r_Q", "param.fast.replenishment.r_Q.Q": "50",
                          "policy.tail.production": "make_to_order", "sla.core.fill_rate": "0.97"})
    overrides = controls.form_overrides(form, base)
    assert "segments.tail.policies.production=make_to_order" in overrides
    result = controls.check(overrides)
    assert result.error == ""
    segs = result.config["segments"]
    # the old s_S parameters (cycle_days: 5) are gone, not merged into r_Q
    assert segs["fast"]["policies"]["replenishment"] == {"type": "r_Q", "Q": 50}
    assert segs["tail"]["policies"]["production"] == "make_to_order"
    assert segs["core"]["sla"]["fill_rate"] == 0.97
    assert segs["core"]["policies"] == base["segments"]["core"]["policies"]


def test_bad_parameter_is_reported_next_to_its_box(base: dict, tmp_path: Path) -> None:
    client = TestClient(create_app(tmp_path))
    form = _form(base, **{"param.tail.replenishment.order_up_to.review_period": "-3"})
    reply = client.post("/api/check", data=form).json()
    assert "review_period must be > 0" in reply["error"]
    assert reply["field"] == "param.tail.replenishment.order_up_to.review_period"
    page = client.post("/run", data=form)  # pressing Run anyway: the form comes back with the message, no run
    assert page.status_code == 400
    assert "review_period must be &gt; 0" in page.text or "review_period must be > 0" in page.text
    assert list(tmp_path.glob("*/workbench.json")) == []


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-job sweep (seed 1 and 2, 10 days), made as the CLI's multirun makes it."""
    root = tmp_path_factory.mktemp("sweep")
    for job, seed in (("0", 1), ("1", 2)):
        overrides = ["horizon_days=10", f"seed={seed}", "quiet=true"]
        plain = compose(overrides)
        run_job(plain, root / job, echo=False, report=False)
        write_job(root / job, status="ok", overrides=overrides, config=plain)
    gather(root)
    return root


def test_sweep_directory_filters_and_opens_a_job(sweep_dir: Path, tmp_path: Path) -> None:
    client = TestClient(create_app(tmp_path))
    page = client.get("/view", params={"dir": str(sweep_dir)}).text
    assert 'name="f.seed"' in page and 'name="f.segment"' in page
    assert f'href="/view?dir={sweep_dir}/0"' in page and f'href="/view?dir={sweep_dir}/1"' in page
    one = client.get("/view", params={"dir": str(sweep_dir), "f.seed": "2", "f.segment": "tail"}).text
    assert "<h2>1 row</h2>" in one
    assert f'href="/view?dir={sweep_dir}/1"' in one and f'href="/view?dir={sweep_dir}/0"' not in one

    job = client.get("/view", params={"dir": str(sweep_dir / "1")}).text
    kpis = pd.read_csv(sweep_dir / "1" / "kpis.csv").set_index("segment")
    rows = re.findall(r'<tr data-row="(\w+)">(.*?)</tr>', job, flags=re.S)
    shown = {(seg, m): float(v) for seg, body in rows
             for m, v in re.findall(r'data-metric="(\w+)" data-value="([^"]+)"', body)}
    for seg in kpis.index:
        for m in ("fill_rate", "otif", "lost_units", "cost_to_serve"):
            assert shown[(seg, m)] == pytest.approx(float(kpis.loc[seg, m]), rel=1e-12, abs=1e-12)
    assert "python -m simulator horizon_days=10 seed=2 quiet=true" in job

    figure = client.get("/figure", params={"dir": str(sweep_dir / "1"), "name": "service_over_time"})
    assert figure.status_code == 200 and figure.content[:8] == b"\x89PNG\r\n\x1a\n"

    archive = zipfile.ZipFile(io.BytesIO(client.get("/download", params={"dir": str(sweep_dir / "1")}).content))
    assert "1/kpis.csv" in archive.namelist()
    assert archive.read("1/kpis.csv") == (sweep_dir / "1" / "kpis.csv").read_bytes()


def test_compare_two_sweep_jobs(sweep_dir: Path, tmp_path: Path) -> None:
    client = TestClient(create_app(tmp_path))
    page = client.get("/compare", params=[("dir", str(sweep_dir / "0")), ("dir", str(sweep_dir / "1"))]).text
    assert "share no seed" in page  # seeds 1 and 2: nothing to pair on
    a = pd.read_csv(sweep_dir / "0" / "kpis.csv").set_index("segment")
    b = pd.read_csv(sweep_dir / "1" / "kpis.csv").set_index("segment")
    rows = re.findall(r'<tr data-row="(\w+)"><th scope="row">\w+</th><td>Fill rate</td>(.*?)</tr>', page)
    assert len(rows) == len(a.index)
    for seg, body in rows:
        va, vb, diff = (float(v) for v in re.findall(r'data-value="([^"]+)"', body))
        assert (va, vb) == (pytest.approx(a.loc[seg, "fill_rate"]), pytest.approx(b.loc[seg, "fill_rate"]))
        assert diff == pytest.approx(vb - va)


def test_not_a_result_directory(tmp_path: Path) -> None:
    client = TestClient(create_app(tmp_path / "runs"))
    page = client.get("/view", params={"dir": str(tmp_path)})
    assert page.status_code == 404 and "holds no run" in page.text


def test_the_readme_command_starts_the_workbench(tmp_path: Path) -> None:
    """`python -m simulator.app` (README, docs/workbench.md) serves its page; stopped once it answers."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "simulator.app", "--port", str(port), "--runs", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        page = ""
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30).read().decode()
                break
            except OSError:
                time.sleep(0.2)
        assert 'id="setup-form"' in page, proc.stdout.read() if proc.poll() is not None else "no page"
        assert '<script src="/static/workbench.js"' in page and "http" not in page.split("<main>")[0].replace(
            f"http://127.0.0.1:{port}", "")  # every asset is the workbench's own
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_two_runs_with_replications_get_paired_intervals(tmp_path: Path) -> None:
    """Five common seeds: the page's interval is the paired t-interval of B - A (scipy, independently)."""
    from scipy import stats

    from analysis.kpis import KPI_METRICS
    from simulator.app.workbench.views import compare_two

    rng = np.random.default_rng(5)
    seeds = [11, 12, 13, 14, 15]
    base = {m: rng.uniform(0.8, 1.0, 5) for m in KPI_METRICS}
    for name, shift in (("a", 0.0), ("b", 0.02)):
        (tmp_path / name).mkdir()
        rows = pd.DataFrame({"replication": range(5), "seed": seeds, "segment": "tail",
                             **{m: base[m] + (shift + rng.normal(0, 0.005, 5) if m == "fill_rate" else 0.0)
                                for m in KPI_METRICS}})
        rows.to_csv(tmp_path / name / "replications.csv", index=False)
    pair = compare_two(tmp_path / "a", tmp_path / "b", metrics=["fill_rate"])
    assert pair.paired and pair.n_pairs == 5
    (seg, cells), = pair.rows
    a = pd.read_csv(tmp_path / "a" / "replications.csv")["fill_rate"]
    b = pd.read_csv(tmp_path / "b" / "replications.csv")["fill_rate"]
    d = b - a
    low, high = stats.t.interval(0.95, len(d) - 1, loc=d.mean(), scale=stats.sem(d))
    assert float(cells[3].value) == pytest.approx(d.mean())
    assert cells[4].text == f"[{100 * low:+.2f} pts, {100 * high:+.2f} pts]"
    assert cells[5].text == ("*" if low > 0 or high < 0 else "")


def test_optimisation_directory_shows_best_and_trials(tmp_path: Path) -> None:
    out = tmp_path / "opt"
    out.mkdir()
    trials = pd.DataFrame({"trial": [0, 1, 2], "state": ["COMPLETE"] * 3, "objective": [1.5e5, 1.2e5, 1.4e5],
                           "segments.tail.policies.replenishment.review_period": [7, 14, 21]})
    trials.to_parquet(out / "trials.parquet", index=False)
    (out / "best.yaml").write_text("# @package _global_\nsegments:\n  tail:\n    policies: {replenishment: "
                                   "{type: order_up_to, review_period: 14}}\n")
    page = TestClient(create_app(tmp_path / "runs")).get("/view", params={"dir": str(out)}).text
    assert "optimisation: opt" in page and "review_period: 14" in page
    assert "<h2>3 rows</h2>" in page and 'data-value="120000.0"' in page
