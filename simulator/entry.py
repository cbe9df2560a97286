"""The command line (``python -m simulator``): the only module that knows about Hydra.

It composes the config, turns it once into a ``Spec``, runs, prints the KPI table and writes
the run directory. Config errors end with one message and exit status 2, without a traceback.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from analysis.kpis import format_table
from analysis.trace import write_trace
from simulator.errors import ConfigError
from simulator.model import Model
from simulator.spec import build_spec

CONF_DIR = Path(__file__).resolve().parent.parent / "conf"
log = logging.getLogger("simulator")


def to_plain(cfg: DictConfig) -> dict[str, Any]:
    """The composed config as plain dicts and lists, without Hydra's own settings."""
    plain = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(plain, dict)
    plain.pop("hydra", None)
    return plain


def compose_config(overrides: list[str]) -> dict[str, Any]:
    """Compose ``conf/config.yaml`` with command-line style overrides, outside a Hydra run."""
    from hydra import compose, initialize_config_dir

    with initialize_config_dir(config_dir=str(CONF_DIR), version_base=None):
        return to_plain(compose(config_name="config", overrides=overrides))


@hydra.main(config_path=str(CONF_DIR), config_name="config", version_base=None)
def main(cfg: DictConfig) -> None:
    try:
        spec = build_spec(to_plain(cfg))
    except ConfigError as exc:
        print(f"segsim: {exc}", file=sys.stderr)
        sys.exit(2)
    results = Model(spec).run()
    outdir = Path(HydraConfig.get().runtime.output_dir)
    results.write(outdir)
    info = results.run_info()
    print(format_table(results.kpis))
    print(f"\n{spec.horizon_days:g} simulated days in {info['wall_seconds']:.2f} s "
          f"({info['events_processed']:,} events, {info['events_per_second']:,} events/s)")
    print(f"results written to {outdir}")
    if spec.trace is not None:
        trace = write_trace(results, outdir / "trace.txt")
        print(f"event trace of days {spec.trace.start:g}-{spec.trace.end:g}: {trace}")
    print(f"report: {results.report(outdir / 'report.html')}")
