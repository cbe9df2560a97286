"""``python -m analysis.diff RUN_A RUN_B``: what differs between two runs, and what it did to the KPIs.

Reads only the run directories' files (a single run's output directory or one sweep job's): the config
(``config.json``, else the ``.hydra/config.yaml`` Hydra keeps) and ``kpis.csv`` (or, for replicated
runs, the means of ``replications.csv``). Prints every config key whose value differs (dotted paths)
and, per segment, each KPI of A, of B and B - A.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.kpis import KPI_METRICS

_MISSING = "<absent>"


def read_config(run_dir: str | Path) -> dict[str, Any]:
    """The composed config a run used."""
    d = Path(run_dir)
    if (d / "config.json").exists():
        return json.loads((d / "config.json").read_text())
    if (d / ".hydra" / "config.yaml").exists():
        import yaml

        return yaml.safe_load((d / ".hydra" / "config.yaml").read_text()) or {}
    raise FileNotFoundError(f"{d}: no config.json or .hydra/config.yaml (is this a segsim run directory?)")


def read_kpis(run_dir: str | Path) -> pd.DataFrame:
    """One row per segment, the KPI columns (means over replications when there were several)."""
    d = Path(run_dir)
    if (d / "replications.csv").exists():
        reps = pd.read_csv(d / "replications.csv")
        metrics = [m for m in KPI_METRICS if m in reps.columns]
        return reps.groupby("segment", sort=False)[metrics].mean().reset_index()
    if (d / "kpis.csv").exists():
        return pd.read_csv(d / "kpis.csv")
    raise FileNotFoundError(f"{d}: no kpis.csv")


def _flat(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping) and value:
        for k in value:
            yield from _flat(value[k], f"{path}.{k}" if path else str(k))
    elif isinstance(value, list) and value and any(isinstance(v, (Mapping, list)) for v in value):
        for i, v in enumerate(value):
            yield from _flat(v, f"{path}[{i}]")
    else:
        yield path, value


def config_differences(a: Mapping[str, Any], b: Mapping[str, Any]) -> pd.DataFrame:
    """Every dotted config key whose value differs (or exists on one side only): key, a, b."""
    fa, fb = dict(_flat(a)), dict(_flat(b))
    rows = [(k, fa.get(k, _MISSING), fb.get(k, _MISSING)) for k in sorted(set(fa) | set(fb))
            if fa.get(k, _MISSING) != fb.get(k, _MISSING)]
    return pd.DataFrame(rows, columns=["key", "a", "b"])


def kpi_differences(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Per segment and KPI: the value in A, in B, and B - A (segments present in both)."""
    metrics = [m for m in KPI_METRICS if m in a.columns and m in b.columns]
    long_a = a.melt(id_vars="segment", value_vars=metrics, var_name="kpi", value_name="a")
    long_b = b.melt(id_vars="segment", value_vars=metrics, var_name="kpi", value_name="b")
    out = long_a.merge(long_b, on=["segment", "kpi"], how="outer")
    return out.assign(diff=out["b"] - out["a"])


def diff_runs(run_a: str | Path, run_b: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The config keys that differ and the KPI differences by segment between two run directories."""
    return (config_differences(read_config(run_a), read_config(run_b)),
            kpi_differences(read_kpis(run_a), read_kpis(run_b)))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m analysis.diff", description=__doc__.split("\n")[0])
    parser.add_argument("run_a")
    parser.add_argument("run_b")
    args = parser.parse_args(argv)
    try:
        keys, kpis = diff_runs(args.run_a, args.run_b)
    except FileNotFoundError as exc:
        print(f"analysis.diff: {exc}", file=sys.stderr)
        sys.exit(2)
    print(f"A = {args.run_a}\nB = {args.run_b}\n")
    if keys.empty:
        print("config: identical")
    else:
        print(f"config: {len(keys)} key(s) differ")
        print(keys.to_string(index=False))
    changed = kpis[kpis["diff"].fillna(1) != 0]
    print(f"\nKPIs by segment: {len(changed)} of {len(kpis)} differ")
    if len(changed):
        wide = changed.pivot(index="kpi", columns="segment", values="diff")
        print("B - A:")
        print(wide.to_string(float_format=lambda v: f"{v:,.4g}"))


if __name__ == "__main__":
    main()
