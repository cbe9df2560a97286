"""Replications of one config: N runs with derived seeds, each disrupted run beside its paired
baseline (same seed, no disruption), gathered into KPI and resilience tables."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis.resilience import ResilienceSettings, resilience_table, without_disruptions
from analysis.statistics import replication_seeds
from simulator.app.results import run
from simulator.config import build_spec

log = logging.getLogger(__name__)


@dataclass
class Replications:
    """Outputs of N replications of one config: KPIs per replication x segment, and (when the
    scenario has disruptions) resilience metrics against the paired baseline of each replication."""

    kpis: pd.DataFrame
    resilience: pd.DataFrame
    first: Any  # Results of replication 0 (its detail tables are written to the run directory)
    first_baseline: Any = None


def replicate(config: Mapping[str, Any], n: int, *, settings: ResilienceSettings | None = None,
              on_done: Callable[[int, int], None] | None = None) -> Replications:
    """Run ``n`` replications of ``config`` (seeds from ``replication_seeds``).

    If the scenario has disruptions, each replication also runs its paired baseline (same seed, no
    disruption) and the resilience metrics are computed; ``settings`` tunes them.
    """
    settings = settings or ResilienceSettings()
    spec0 = build_spec(config)  # config errors surface before anything runs
    disrupted = bool(spec0.scenario.disruptions)
    kpi_frames, res_frames = [], []
    first = first_base = None
    for i, seed in enumerate(replication_seeds(spec0.seed, n)):
        cfg = dict(config, seed=seed)
        result = run(cfg)
        kpi_frames.append(result.kpis.assign(replication=i, seed=seed))
        if disrupted:
            base = run(without_disruptions(cfg))
            res_frames.append(resilience_table(result, base, settings).assign(replication=i, seed=seed))
            if i == 0:
                first_base = base
        if i == 0:
            first = result
        log.info("replication %d/%d done (seed %d)", i + 1, n, seed)
        if on_done is not None:
            on_done(i + 1, n)
    kpis = pd.concat(kpi_frames, ignore_index=True)
    res = pd.concat(res_frames, ignore_index=True) if res_frames else pd.DataFrame()
    return Replications(_front(kpis), _front(res), first, first_base)


def _front(df: pd.DataFrame) -> pd.DataFrame:
    if df.empty:
        return df
    cols = ["replication", "seed"] + [c for c in df.columns if c not in ("replication", "seed")]
    return df[cols]
