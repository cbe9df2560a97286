"""Reading result directories: a run (``kpis.csv``), a sweep or stress matrix (``sweep.parquet``), an
optimisation (``trials.parquet``); loading a run back into ``Results`` to draw its figures."""

from __future__ import annotations

import io
import json
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from simulator.app.cli import compose
from simulator.app.results import Results
from simulator.config import build_spec
from simulator.engine.spec import Spec

TABLES = ("order_lines", "shipments", "production", "replenishments", "stock", "disruptions", "shortages")
OPTIMISATION_FILES = ("trials.parquet", "trials.csv")


def kind_of(path: Path) -> str:
    """``run``, ``sweep``, ``stress`` or ``optimisation``; raises ``FileNotFoundError`` for anything else."""
    if not path.is_dir():
        raise FileNotFoundError(f"no directory {path}")
    if (path / "kpis.csv").exists():
        return "run"
    if (path / "stress_matrix.csv").exists():
        return "stress"
    if (path / "sweep.parquet").exists():
        return "sweep"
    if any((path / f).exists() for f in OPTIMISATION_FILES):
        return "optimisation"
    raise FileNotFoundError(f"{path} holds no run (kpis.csv), sweep (sweep.parquet), stress matrix "
                            "(stress_matrix.csv) or optimisation (trials.parquet)")


def overrides_of(path: Path) -> list[str]:
    """The command-line overrides a run directory was made with (Hydra's record, else the sweep's job.json)."""
    meta = path / "workbench.json"
    if meta.exists():
        return list(json.loads(meta.read_text())["overrides"])
    hydra = path / ".hydra" / "overrides.yaml"
    if hydra.exists():
        return [o for o in yaml.safe_load(hydra.read_text()) or [] if not o.startswith("hydra")]
    job = path / "job.json"
    if job.exists():
        return list(json.loads(job.read_text()).get("overrides", []))
    return []


@lru_cache(maxsize=32)
def spec_of(overrides: tuple[str, ...]) -> Spec:
    return build_spec(compose(list(overrides)))


class ResultsCache:
    """Runs loaded back from their Parquet tables (a few at a time: they can be large)."""

    def __init__(self, size: int = 6) -> None:
        self.size = size
        self._items: OrderedDict[str, Results] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, path: Path) -> Results:
        key = str(path.resolve())
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        spec = spec_of(tuple(overrides_of(path)))
        tables = {name: pd.read_parquet(path / f"{name}.parquet") for name in TABLES
                  if (path / f"{name}.parquet").exists()}
        info = json.loads((path / "run.json").read_text()) if (path / "run.json").exists() else {}
        results = Results(spec, tables, wall_seconds=float(info.get("wall_seconds", 0.0)),
                          events=int(info.get("events_processed", 0)))
        with self._lock:
            self._items[key] = results
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return results


def read_csv(path: Path) -> pd.DataFrame | None:
    return pd.read_csv(path) if path.exists() and path.stat().st_size > 1 else None


def sweep_table(path: Path) -> pd.DataFrame:
    """The gathered sweep: one row per job x segment, the overrides as columns."""
    return pd.read_parquet(path / "sweep.parquet")


def optimisation_table(path: Path) -> pd.DataFrame:
    for name in OPTIMISATION_FILES:
        if (path / name).exists():
            return pd.read_parquet(path / name) if name.endswith(".parquet") else pd.read_csv(path / name)
    raise FileNotFoundError(f"no trials table in {path}")


def factor_columns(table: pd.DataFrame, metrics: list[str]) -> list[str]:
    """The columns of a sweep table that describe a job (its overrides), not its results."""
    skip = {"job", "status", "error", "segment", "n_replications", *metrics}
    return [c for c in table.columns if c not in skip and not pd.api.types.is_float_dtype(table[c])]


def zip_directory(path: Path) -> Iterator[bytes]:
    """The run directory as a zip archive (written in memory: run directories are a few MB)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(path.rglob("*")):
            if f.is_file():
                zf.write(f, f.relative_to(path.parent))
    yield buf.getvalue()


def safe_file(root: Path, name: str) -> Path:
    """``root/name`` if it is a file inside ``root`` (no escaping with ``..``)."""
    target = (root / name).resolve()
    if root.resolve() not in target.parents or not target.is_file():
        raise FileNotFoundError(name)
    return target

