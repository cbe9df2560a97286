"""``python -m simulator.optimize optimize=<name> [overrides]``: search the segment settings that meet
every SLA at the least cost.

The study is named in ``conf/optimize/<name>.yaml`` (search space, objective, constraints, budget,
replications); any other argument is a Hydra override of the company config, e.g. ``horizon_days=180``
or ``optimize.budget.trials=10``. Results go to ``optimize.output_dir`` (default
``outputs/optimize/<name>``): re-running the same command there continues the study. The last line
printed is one JSON object: ``best``, ``objective``, ``feasible``, ``trials``.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from simulator.app.optimize.runner import Outcome, StudyMismatch, conclude, prepare, search
from simulator.app.optimize.settings import Settings, parse_settings
from simulator.app.optimize.study import quiet_logging

__all__ = ["Outcome", "Settings", "main", "optimize", "parse_settings"]
CONF_GROUP = Path(__file__).resolve().parents[3] / "conf" / "optimize"
log = logging.getLogger(__name__)


def optimize(base: dict[str, Any], settings: Settings, outdir: str | Path | None = None,
             verbose: bool = False, report: bool = True) -> Outcome:
    """Run (or continue) the study on ``base`` (a plain config) and write its outputs to ``outdir``
    (``report=False``: no ``report.html``, for quick scripted studies)."""
    problem = prepare(base, settings, Path(outdir or settings.output_dir))
    search(problem, verbose)
    return conclude(problem, report)


def split(config: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """The company config and the ``optimize`` section of a composed config."""
    base = dict(config)
    return base, base.pop("optimize", None)


def _names() -> list[str]:
    return sorted(p.stem for p in CONF_GROUP.glob("*.yaml"))


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    chosen = [a for a in args if a.split("=", 1)[0].lstrip("+") == "optimize"]
    if len(chosen) != 1 or "=" not in chosen[0]:
        print(f"segsim: name one study: optimize=<name>, one of: {', '.join(_names())}", file=sys.stderr)
        return 2
    name = chosen[0].split("=", 1)[1]
    if name not in _names():
        print(f"segsim: unknown optimize '{name}'; choose one of: {', '.join(_names())}", file=sys.stderr)
        return 2
    overrides = [a for a in args if a is not chosen[0]] + [f"+optimize={name}"]

    from simulator.app.cli import compose_config
    from simulator.config import build_spec
    from simulator.engine.errors import ConfigError

    quiet_logging(True)
    try:
        base, section = split(compose_config(overrides))
        settings = parse_settings(section, base)
        build_spec(base)
        outcome = optimize(base, settings, verbose=True)
    except (ConfigError, StudyMismatch) as exc:
        print(f"segsim: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # Hydra's override errors (unknown key, bad syntax) name the problem themselves
        if type(exc).__module__.startswith(("hydra", "omegaconf")):
            print(f"segsim: {' '.join(str(exc).split())}", file=sys.stderr)
            return 2
        raise
    s = outcome.summary
    print(f"{s['trials']} trials in {outcome.outdir}; report: {outcome.outdir / 'report.html'}")
    if s["best"] is not None:
        print(f"best settings: {outcome.outdir / 'best.yaml'}; run them with: python -m simulator "
              f"--config-dir {outcome.outdir} +policy=best")
    print(json.dumps({k: s[k] for k in ("best", "objective", "feasible", "trials")}))
    return 0
