"""The command line (``python -m simulator``): the only module that knows about Hydra.

It composes the config, turns it once into a ``Spec``, runs it (``replications: N`` times, each
disrupted replication beside its paired baseline), prints the KPI table and writes the run
directory. Config errors end with one message and exit status 2, without a traceback.

In a multirun (``-m``) each job records how it ended in ``job.json``; a job that fails is recorded
and the others go on; a job already finished with the same config is skipped when the sweep is
re-run into the same directory; ``SweepCallback`` gathers all jobs into ``sweep.parquet``.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import math
import os
import shutil
import sys
import time
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.experimental.callback import Callback
from hydra.types import RunMode
from omegaconf import DictConfig

from analysis.cost_allocation import format_full_cost
from analysis.kpis import format_table, sla_targets
from analysis.returns import RETURNS_COLUMNS
from analysis.statistics import summarize, summary_cells
from analysis.sweep import (
    DAILY_FILL_FILE,
    KPI_METRICS,
    RESILIENCE_METRICS,
    TOTAL_FILE,
    daily_fill,
    gather,
    sweep_report,
)
from analysis.trace import window_label, write_trace
from simulator.app.input_errors import check_overrides, normalize_override, one_line
from simulator.app.jobs import finished, set_aside, staged, start_job, to_plain, write_job
from simulator.app.replicate import replicate
from simulator.app.settings import read_settings, schema_main
from simulator.config import build_spec
from simulator.engine.errors import ConfigError

CONF_DIR = Path(__file__).resolve().parents[2] / "conf"
DONE_FILE = ".jobs_done"  # one byte per job finished (or skipped) in this run of the sweep: the progress line
SWEEP_HAD_FAILURES = 3  # exit status of a sweep that finished with failed jobs (2: a config error in a single run)
EXIT_INTERRUPTED = 130  # exit status after Ctrl-C (128 + SIGINT, as shells report it)


def exit_interrupted() -> NoReturn:
    """End the process with status 130 after Ctrl-C, at once. The worker pool's exit hook would wait
    for a reply from workers that Ctrl-C has already stopped (a hang seen in the interrupted-sweep
    test), so the logs and streams are flushed here and the exit hooks are skipped."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(EXIT_INTERRUPTED)
log = logging.getLogger("simulator")


def compose(overrides: Sequence[str] = ()) -> dict[str, Any]:
    """The config ``python -m simulator <overrides>`` would use, as plain dicts."""
    return compose_config(list(overrides))


def compose_config(overrides: list[str]) -> dict[str, Any]:
    """Compose ``conf/config.yaml`` with command-line style overrides, outside a Hydra run."""
    from hydra import compose, initialize_config_dir

    with initialize_config_dir(config_dir=str(CONF_DIR), version_base=None):
        return to_plain(compose(config_name="config", overrides=[normalize_override(o) for o in overrides]))


def run_job(plain: dict[str, Any], outdir: Path, echo: bool = True, report: bool = True, detail: bool = True) -> None:
    """One job: check the config, run the replications, write and print the results.

    The run directory holds replication 0's KPIs, its detail and summary tables (S&OP, carrier
    scorecard, planning parameters...; unless ``detail`` is off) and
    ``report.html`` (unless ``report`` is off),
    ``replications.csv`` and ``summary.csv``, and for a disrupted scenario ``resilience.csv`` and
    ``resilience_summary.csv``. The files are written aside and moved into place together at the end
    (``simulator.app.jobs.staged``): a run that fails or is killed leaves no half-written file.
    """
    spec = build_spec(plain)
    n, settings = read_settings(plain)
    started = time.perf_counter()
    reps = replicate(plain, n, settings=settings)
    outdir.mkdir(parents=True, exist_ok=True)
    with staged(outdir) as stage, _settled_heap():
        reps.first.write(stage, plain, tables=detail, summaries=detail)
        trace = write_trace(reps.first, stage / "trace.txt") if spec.trace is not None else None
        page = reps.first.report(stage / "report.html", resilience=reps.resilience,
                                 baseline=reps.first_baseline) if report else None
        reps.kpis.to_csv(stage / "replications.csv", index=False)
        daily_fill(reps.first.order_lines).to_csv(stage / DAILY_FILL_FILE, index=False)
        extra = [c for c in RETURNS_COLUMNS if c in reps.kpis.columns]  # runs with returns
        summary = summarize(reps.kpis, ["segment"], [*KPI_METRICS, *extra])
        summary.to_csv(stage / "summary.csv", index=False)
        if not reps.resilience.empty:
            reps.resilience.to_csv(stage / "resilience.csv", index=False)
            summarize(reps.resilience, ["segment", "disruption"], RESILIENCE_METRICS).to_csv(
                stage / "resilience_summary.csv", index=False)
    trace = outdir / trace.name if trace is not None else None
    page = outdir / page.name if page is not None else None
    if not echo:
        return
    if n == 1:
        info = reps.first.run_info()
        print(format_table(reps.first.kpis, sla_targets(spec, reps.first.service_decisions)))
        if reps.first.has_cost_allocation:
            print("\nfull cost to serve: variable + fixed DC cost + shared pools by activity driver (full_cost.csv)")
            print(format_full_cost(reps.first.full_cost))
        print(_window(spec))
        print(f"\n{spec.horizon_days:g} simulated days in {info['wall_seconds']:.2f} s "
              f"({info['events_processed']:,} events, {info['events_per_second']:,} events/s)")
    else:
        print(f"{n} replications, mean and 95% interval per segment (summary.csv; docs/kpis.md, Intervals); "
              f"{_window(spec)}")
        print(_ci_table(summary, ["fill_rate", "otif", "lost_units", "gross_margin"]))
    if not reps.resilience.empty:
        print(f"\nresilience against the paired baseline (resilience.csv; {n} replication(s)):")
        rs = summarize(reps.resilience, ["segment"], ["tts_days", "ttr_days", "service_loss_area", "revenue_change"])
        print(_ci_table(rs, ["tts_days", "ttr_days", "service_loss_area", "revenue_change"]))
    print(f"\n{n} run(s) in {time.perf_counter() - started:.1f} s; results written to {outdir}")
    if trace is not None:
        print(f"event trace of {window_label(spec.trace.start, spec.trace.end)}: {trace}")
    if page is not None:
        print(f"report: {page}")


@contextlib.contextmanager
def _settled_heap() -> Iterator[None]:
    """Writing a run's files with the objects that exist by now (the run's records, the model) left out
    of the garbage collector's full passes: drawing the report allocates enough to trigger one or two,
    each walking every object of the run (~0.3 s for the default company); they are let back in after."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _window(spec: Any) -> str:
    """Which days the KPIs cover, and the warm-up left out."""
    if spec.warmup_days <= 0:
        return f"KPIs over all {spec.horizon_days:g} days (no warm-up)"
    return (f"KPIs over days {spec.warmup_days:g}-{spec.horizon_days:g}: the first {spec.warmup_days:g} days are "
            "warm-up (stock settling after the start); warmup_days=0 counts them")


def _ci_table(summary: Any, metrics: list[str]) -> str:
    """Terminal view: one row per segment, 'mean [low, high]' per metric (``summary_cells``)."""
    return summary_cells(summary, ["segment"], metrics).set_index("segment").to_string()


def entry() -> None:
    """``python -m simulator``: ``schema`` prints the config's JSON Schema; anything else runs Hydra."""
    if sys.argv[1:2] == ["schema"]:
        sys.exit(schema_main(sys.argv[2:]))
    main()


def task(cfg: DictConfig) -> None:
    """Hydra's task function: one run, or one job of a multirun."""
    hc = HydraConfig.get()
    outdir = Path(hc.runtime.output_dir)
    plain = to_plain(cfg)
    multirun = hc.mode == RunMode.MULTIRUN
    if not multirun:  # the config was checked before the run directory was made (SweepCallback.on_run_start)
        if plain.get("quiet"):  # quiet: no progress bar and no INFO log lines; the summary always prints
            logging.getLogger().setLevel(logging.WARNING)
        run_job(plain, outdir)
        return
    overrides = list(hc.overrides.task)
    if finished(outdir, plain):
        print(f"segsim: job {hc.job.num} already finished in {outdir}; skipped")
        return
    start_job(outdir)  # no old job.json, result or half-written file survives past this point
    started = time.perf_counter()
    try:  # jobs print nothing and draw no progress bars; the sweep report sums them up.
        # Detail tables and run report (~6% of a job) only with sweep_detail=true: the sweep never reads them.
        detail = bool(plain.get("sweep_detail", False))
        run_job(dict(plain, quiet=True), outdir, echo=False, report=detail, detail=detail)
    except ConfigError as exc:
        write_job(outdir, status="failed", overrides=overrides, config=plain, error=str(exc))
        print(f"segsim: job {hc.job.num} failed: {exc}", file=sys.stderr)
        return
    except Exception as exc:  # a sweep records a crashed job and goes on with the others
        write_job(outdir, status="failed", overrides=overrides, config=plain,
                  error=f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=-3)}")
        print(f"segsim: job {hc.job.num} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return
    write_job(outdir, status="ok", overrides=overrides, config=plain, wall_seconds=time.perf_counter() - started)


_hydra_main = hydra.main(config_path=str(CONF_DIR), config_name="config", version_base=None)(task)
_created_dirs: list[Path] = []  # sweep directories this process made (removed again if the input is bad)


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m simulator [overrides]``: Hydra's command line, with every error it can blame on
    its input (an override, a YAML file, a config value) as one line and exit status 2.

    Exit status: 0 done; 2 bad input (nothing written); 3 a sweep with failed jobs (the others
    gathered); 130 interrupted (a sweep gathers what finished first)."""
    args = [normalize_override(a) for a in (sys.argv[1:] if argv is None else argv)]
    user_full_error = os.environ.get("HYDRA_FULL_ERROR")
    saved_argv = sys.argv
    try:
        check_overrides(_hydra_args(args))
        os.environ["HYDRA_FULL_ERROR"] = "1"  # Hydra raises instead of printing: the errors are ours to word
        sys.argv = [saved_argv[0], *args]
        _hydra_main()
    except KeyboardInterrupt:
        print("segsim: interrupted", file=sys.stderr)
        exit_interrupted()
    except Exception as exc:
        message = None if user_full_error else one_line(exc, args)
        if message is None:
            raise
        _remove_created_dirs()
        print(f"segsim: {message}", file=sys.stderr)
        sys.exit(2)
    finally:
        sys.argv = saved_argv
        if user_full_error is None:
            os.environ.pop("HYDRA_FULL_ERROR", None)
        from hydra.core.global_hydra import GlobalHydra

        GlobalHydra.instance().clear()


def _hydra_args(args: list[str]) -> list[str]:
    """The overrides among Hydra's command-line arguments (flags and their values left out)."""
    from hydra._internal.utils import get_args_parser

    parsed, _ = get_args_parser().parse_known_args(args)
    return list(parsed.overrides)


def _remove_created_dirs() -> None:
    """A sweep refused for bad input leaves no directory behind (only what Hydra and the callback put
    there when it started: multirun.yaml, the job count)."""
    for path in _created_dirs:
        leftovers = {p.name for p in path.iterdir()} if path.is_dir() else set()
        if leftovers <= {"multirun.yaml", TOTAL_FILE, DONE_FILE}:
            shutil.rmtree(path, ignore_errors=True)
    _created_dirs.clear()


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
    """Checks a single run's config before its directory is made; for a multirun, progress (jobs done
    / total) and, at its end, ``analysis.sweep.gather`` and the sweep report (``report: false`` in
    ``hydra.callbacks.sweep`` leaves the report out, e.g. for quick checks)."""

    def __init__(self, report: bool = True) -> None:
        self.report = report

    def on_run_start(self, config: DictConfig, **kwargs: Any) -> None:
        try:
            build_spec(to_plain(config))
        except Exception as exc:  # exits here: Hydra would only warn about a callback's exception
            message = one_line(exc)
            if message is None:
                raise
            print(f"segsim: {message}", file=sys.stderr)
            sys.exit(2)

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        if not sweep_dir.exists():
            _created_dirs.append(sweep_dir)
        sweep_dir.mkdir(parents=True, exist_ok=True)
        set_aside(sweep_dir)  # a re-run gathers only the jobs it finishes or finds finished
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
        from simulator.app import launcher

        sweep_dir = Path(config.hydra.sweep.dir)
        _created_dirs.clear()  # the sweep ran: its directory stays
        try:
            table = gather(sweep_dir)
        except FileNotFoundError:  # interrupted before any job finished
            if launcher.INTERRUPTED:
                print("segsim: interrupted before any job finished", file=sys.stderr)
                exit_interrupted()
            raise
        try:
            if self.report:
                print(f"segsim: sweep report {sweep_report(sweep_dir)}")
        except Exception as exc:  # the gathered tables matter more than the report: keep them, say why
            log.warning("no sweep report: %s: %s", type(exc).__name__, exc)
        jobs = table.drop_duplicates("job")
        failed = jobs[jobs["status"] != "ok"]
        print(f"segsim: {len(jobs)} jobs gathered into {sweep_dir / 'sweep.parquet'} and sweep.csv"
              + (f"; {len(failed)} failed: {', '.join(failed['job'])}" if len(failed) else ""))
        if launcher.INTERRUPTED:
            print("segsim: interrupted; the jobs above are those that finished", file=sys.stderr)
            exit_interrupted()
        if len(failed):  # the others are gathered; a script or CI running the sweep still has to notice
            sys.exit(SWEEP_HAD_FAILURES)
