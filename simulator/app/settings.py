"""The application's view of the config: the run's schema plus the sections only the application
reads (how resilience is measured), and the ``python -m simulator schema`` command."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from analysis.resilience import ResilienceSettings
from simulator.config.errors import validate
from simulator.config.geography import derive_lanes
from simulator.config.reference import REFERENCE_PATH, json_schema, reference_markdown
from simulator.config.schema_run import RunConfig

ROOT = Path(__file__).resolve().parents[2]


class AppConfig(RunConfig):
    """The whole config of ``python -m simulator``: the run plus how resilience is measured."""

    resilience: ResilienceSettings = {}  # type: ignore[assignment]


def read_settings(plain: dict[str, Any]) -> tuple[int, ResilienceSettings]:
    """The number of replications and the resilience settings of a composed config (lanes the
    config leaves to the map get their lead time, cost and CO2 first, as ``build_spec`` does)."""
    cfg = validate(AppConfig, derive_lanes(plain))
    return cfg.replications, cfg.resilience


def reference() -> str:
    """The text of docs/config-reference.md, generated from the schema."""
    return reference_markdown(AppConfig)


def schema_main(args: list[str]) -> int:
    """``python -m simulator schema``: print the JSON Schema of the config (for editors);
    ``--reference``: print the policy and parameter reference (docs/config-reference.md);
    ``--write``: write that reference into the docs."""
    if args == ["--reference"]:
        sys.stdout.write(reference())
    elif args == ["--write"]:
        (ROOT / REFERENCE_PATH).write_text(reference())
        print(f"wrote {REFERENCE_PATH}")
    elif not args:
        sys.stdout.write(json_schema(AppConfig))
    else:
        print(f"segsim: schema takes no arguments, --reference or --write; got {' '.join(args)}", file=sys.stderr)
        return 2
    return 0
