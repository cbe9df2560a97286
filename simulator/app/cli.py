"""The command line (``python -m simulator``): the only module that knows about Hydra.

It composes the config, turns it once into a ``Spec``, runs it (``replications: N`` times, each
disrupted replication beside its paired baseline), prints the KPI table and writes the run
directory. Config errors end with one message and exit status 2, without a traceback.

In a multirun (``-m``) each job records how it ended in ``job.json``; a job that fails is recorded
and the others go on; a job already finished with the same config is skipped when the sweep is
re-run into the same directory; ``SweepCallback`` gathers all jobs into ``sweep.parquet``.
"""

from __future__ import annotations

import logging
import math
import os
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.experimental.callback import Callback
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf

from analysis.kpis import format_table
from analysis.statistics import summarize
from analysis.sweep import (
    DAILY_FILL_FILE,
    KPI_METRICS,
    RESILIENCE_METRICS,
    TOTAL_FILE,
    daily_fill,
    finished,
    gather,
    sweep_report,
    write_job,
)
from analysis.trace import write_trace
from simulator.app.replicate import replicate
from simulator.app.settings import read_settings, schema_main
from simulator.config import build_spec
from simulator.engine.errors import ConfigError

CONF_DIR = Path(__file__).resolve().parents[2] / "conf"
DONE_FILE = ".jobs_done"  # one byte per job finished (or skipped) in this run of the sweep: the progress line
SWEEP_HAD_FAILURES = 3  # exit status of a sweep that finished with failed jobs (2: a config error in a single run)
log = logging.getLogger("simulator")


def to_plain(cfg: DictConfig) -> dict[str, Any]:
    """The composed config as plain dicts and lists, without Hydra's own settings."""
    plain = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(plain, dict)
    plain.pop("hydra", None)
    return plain


def compose(overrides: Sequence[str] = ()) -> dict[str, Any]:
    """The config ``python -m simulator <overrides>`` would use, as plain dicts."""
    return compose_config(list(overrides))


def compose_config(overrides: list[str]) -> dict[str, Any]:
    """Compose ``conf/config.yaml`` with command-line style overrides, outside a Hydra run."""
    from hydra import compose, initialize_config_dir

    with initialize_config_dir(config_dir=str(CONF_DIR), version_base=None):
        return to_plain(compose(config_name="config", overrides=overrides))


def run_job(plain: dict[str, Any], outdir: Path, echo: bool = True, report: bool = True, detail: bool = True) -> None:
    """One job: check the config, run the replications, write and print the results.

    The run directory holds replication 0's KPIs, its detail tables (unless ``detail`` is off) and
    ``report.html`` (unless ``report`` is off),
    ``replications.csv`` and ``summary.csv``, and for a disrupted scenario ``resilience.csv`` and
    ``resilience_summary.csv``.
    """
    spec = build_spec(plain)
    n, settings = read_settings(plain)
    started = time.perf_counter()
    reps = replicate(plain, n, settings=settings)
    reps.first.write(outdir, plain, tables=detail)
    trace = write_trace(reps.first, outdir / "trace.txt") if spec.trace is not None else None
    page = reps.first.report(outdir / "report.html", resilience=reps.resilience,
                             baseline=reps.first_baseline) if report else None
    reps.kpis.to_csv(outdir / "replications.csv", index=False)
    daily_fill(reps.first.order_lines).to_csv(outdir / DAILY_FILL_FILE, index=False)
    summary = summarize(reps.kpis, ["segment"], KPI_METRICS)
    summary.to_csv(outdir / "summary.csv", index=False)
    if not reps.resilience.empty:
        reps.resilience.to_csv(outdir / "resilience.csv", index=False)
        summarize(reps.resilience, ["segment", "disruption"], RESILIENCE_METRICS).to_csv(
            outdir / "resilience_summary.csv", index=False)
    if not echo:
        return
    if n == 1:
        info = reps.first.run_info()
        print(format_table(reps.first.kpis))
        print(f"\n{spec.horizon_days:g} simulated days in {info['wall_seconds']:.2f} s "
              f"({info['events_processed']:,} events, {info['events_per_second']:,} events/s)")
    else:
        print(f"{n} replications, mean and 95% t-interval per segment (summary.csv):")
        print(_ci_table(summary, ["fill_rate", "otif", "lost_units", "gross_margin"]))
    if not reps.resilience.empty:
        print(f"\nresilience against the paired baseline (resilience.csv; {n} replication(s)):")
        rs = summarize(reps.resilience, ["segment"], ["tts_days", "ttr_days", "service_loss_area", "lost_revenue"])
        print(_ci_table(rs, ["tts_days", "ttr_days", "service_loss_area", "lost_revenue"]))
    print(f"\n{n} run(s) in {time.perf_counter() - started:.1f} s; results written to {outdir}")
    if trace is not None:
        print(f"event trace of days {spec.trace.start:g}-{spec.trace.end:g}: {trace}")
    if page is not None:
        print(f"report: {page}")


def _ci_table(summary: Any, metrics: list[str]) -> str:
    """Terminal view: one row per segment, 'mean [low, high]' per metric."""
    def cell(r: Any) -> str:  # r is a row (a Series): r.mean would be the Series method
        if math.isnan(r["ci_low"]):
            return f"{r['mean']:,.4g}"
        return f"{r['mean']:,.4g} [{r['ci_low']:,.4g}, {r['ci_high']:,.4g}]"

    view = summary[summary["metric"].isin(metrics)].assign(cell=lambda d: d.apply(cell, axis=1))
    return view.pivot(index="segment", columns="metric", values="cell")[metrics].to_string()


def entry() -> None:
    """``python -m simulator``: ``schema`` prints the config's JSON Schema; anything else runs Hydra."""
    if sys.argv[1:2] == ["schema"]:
        sys.exit(schema_main(sys.argv[2:]))
    main()


@hydra.main(config_path=str(CONF_DIR), config_name="config", version_base=None)
def main(cfg: DictConfig) -> None:
    hc = HydraConfig.get()
    outdir = Path(hc.runtime.output_dir)
    plain = to_plain(cfg)
    multirun = hc.mode == RunMode.MULTIRUN
    overrides = list(hc.overrides.task)
    if multirun and finished(outdir, plain):
        print(f"segsim: job {hc.job.num} already finished in {outdir}; skipped")
        return
    started = time.perf_counter()
    try:
        if multirun:  # jobs print nothing and draw no progress bars; the sweep report sums them up.
            # Detail tables and run report (~6% of a job) only with sweep_detail=true: the sweep never reads them.
            detail = bool(plain.get("sweep_detail", False))
            run_job(dict(plain, quiet=True), outdir, echo=False, report=detail, detail=detail)
        else:
            run_job(plain, outdir)  # `quiet` silences progress bars only; the summary always prints
    except ConfigError as exc:
        if not multirun:
            print(f"segsim: {exc}", file=sys.stderr)
            sys.exit(2)
        write_job(outdir, status="failed", overrides=overrides, config=plain, error=str(exc))
        print(f"segsim: job {hc.job.num} failed: {exc}", file=sys.stderr)
        return
    except Exception as exc:  # a sweep records a crashed job and goes on with the others
        if not multirun:
            raise
        write_job(outdir, status="failed", overrides=overrides, config=plain,
                  error=f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=-3)}")
        print(f"segsim: job {hc.job.num} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return
    write_job(outdir, status="ok", overrides=overrides, config=plain, wall_seconds=time.perf_counter() - started)


def _sweep_size(config: DictConfig) -> int:
    """How many jobs the command line's sweep overrides make (for the progress line)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parsed = OverridesParser.create().parse_overrides(list(config.hydra.overrides.task))
    return math.prod(len(list(o.sweep_iterator())) if o.is_sweep_override() else 1 for o in parsed)


def _count_done(sweep_dir: Path) -> int:
    """Count one more finished job: one byte appended to the sweep's counter file, whose size is the count.

    Jobs end in several processes (or machines, over a shared directory); an append of one byte is atomic
    on a local file system, and costs the same for the 10,000th job as for the first (listing every
    ``job.json`` after each job made a sweep quadratic: ~500-1,000 s over 10,000 jobs)."""
    fd = os.open(sweep_dir / DONE_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, b".")
        return os.fstat(fd).st_size
    finally:
        os.close(fd)


class SweepCallback(Callback):
    """Progress of a multirun (jobs done / total) and, at its end, ``analysis.sweep.gather``."""

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        sweep_dir.mkdir(parents=True, exist_ok=True)
        try:
            total = _sweep_size(config)
        except Exception:  # a sweeper with its own syntax: no total, progress still counts jobs
            total = 0
        (sweep_dir / TOTAL_FILE).write_text(str(total))
        (sweep_dir / DONE_FILE).write_bytes(b"")  # this run's progress counter (a resumed sweep counts again)

    def on_job_end(self, config: DictConfig, job_return: Any, **kwargs: Any) -> None:
        if HydraConfig.get().mode != RunMode.MULTIRUN:
            return
        sweep_dir = Path(config.hydra.sweep.dir)
        done = _count_done(sweep_dir)
        total_file = sweep_dir / TOTAL_FILE
        total = int(total_file.read_text() or 0) if total_file.exists() else 0
        left = f", {total - done} left" if total else ""
        if not config.get("quiet", False):
            print(f"[sweep] {done}/{total or '?'} jobs done{left}", file=sys.stderr, flush=True)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        table = gather(sweep_dir)
        try:
            print(f"segsim: sweep report {sweep_report(sweep_dir)}")
        except Exception as exc:  # the gathered tables matter more than the report: keep them, say why
            log.warning("no sweep report: %s: %s", type(exc).__name__, exc)
        jobs = table.drop_duplicates("job")
        failed = jobs[jobs["status"] != "ok"]
        print(f"segsim: {len(jobs)} jobs gathered into {sweep_dir / 'sweep.parquet'} and sweep.csv"
              + (f"; {len(failed)} failed: {', '.join(failed['job'])}" if len(failed) else ""))
        if len(failed):  # the others are gathered; a script or CI running the sweep still has to notice
            sys.exit(SWEEP_HAD_FAILURES)
