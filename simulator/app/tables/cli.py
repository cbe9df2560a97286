"""``python -m simulator.tables``: the company as planning tables, and back.

    python -m simulator.tables export --out company.xlsx [overrides...]     # or --format csv --out folder
    python -m simulator.tables import company.xlsx --out conf/network/mine.yaml [--segments-out ...]
    python -m simulator.tables template --out template.xlsx

``export`` writes the composed network and segments (the config ``python -m simulator [overrides]``
would run) with a planning-parameters sheet; ``import`` checks every cell, reports all problems at once
(sheet, row, column, value, what is allowed; exit status 2) or writes the network YAML and the segments
YAML (by default ``conf/segments/<same name>.yaml`` beside ``conf/network/``).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from simulator.app.record import file_hash
from simulator.app.tables.export import SECTIONS, columns_table, config_tables, write_tables
from simulator.app.tables.importer import WorkbookError, workbook_config
from simulator.app.tables.sheets import COLUMNS_SHEET

log = logging.getLogger(__name__)


def planning_table(config: Mapping[str, Any]) -> list[list[Any]]:
    """The planning-parameters sheet of a composed config (what the run would start from)."""
    from simulator.app.planning import planning_parameters
    from simulator.config import build_spec

    table = planning_parameters(build_spec(config))
    return [list(table.columns), *table.astype(object).where(table.notna(), None).values.tolist()]


def export(config: Mapping[str, Any], out: str | Path, fmt: str = "xlsx", planning: bool = True) -> Path:
    """Write ``config``'s network and segments as a workbook (``fmt='csv'``: a folder of CSVs)."""
    return write_tables(config_tables(config, planning_table(config) if planning else None), out, fmt)


def template(out: str | Path, fmt: str = "xlsx") -> Path:
    """A blank workbook: every sheet with one example row (the default company's first) and the
    ``columns`` sheet explaining every column."""
    from simulator.app.cli import compose_config

    tables = config_tables(compose_config([]))
    tables = {name: rows[:2] for name, rows in tables.items()}
    examples = {"sites": ["plant_north", "plant", 53.48, -2.24],  # the default company has no coordinates
                "extras": ["network.warehouses.dc_central.cross_dock_days", 0.5]}
    for name, row in examples.items():
        if len(tables[name]) == 1:
            tables[name].append(row)
    tables[COLUMNS_SHEET] = columns_table()
    return write_tables(tables, out, fmt)


def _dump(data: Mapping[str, Any], header: str) -> str:
    return header + yaml.safe_dump(dict(data), sort_keys=False, default_flow_style=None, width=110,
                                   allow_unicode=True)


def import_workbook(source: str | Path, out: str | Path, segments_out: str | Path | None = None
                    ) -> tuple[Path, Path]:
    """Check the workbook and write its network YAML to ``out`` and segments YAML to ``segments_out``
    (default: ``../segments/<name>`` beside ``out``). Raises ``WorkbookError`` listing every problem."""
    config = workbook_config(source)
    out = Path(out)
    seg_out = Path(segments_out) if segments_out else out.parent.parent / "segments" / out.name
    net = dict(config.get("network") or {})
    inputs = [str(source)] + [x for x in net.get("inputs", []) if x != str(source)]
    net["inputs"] = inputs
    sha = file_hash(Path(source))
    out.parent.mkdir(parents=True, exist_ok=True)
    seg_out.parent.mkdir(parents=True, exist_ok=True)
    note = f"# Imported from {source} (sha256 {sha[:16]}) by `python -m simulator.tables import`.\n"
    out.write_text(_dump(net, note + "# Edit the workbook and import again rather than this file.\n"))
    segments = {k: config[k] for k in SECTIONS[1:] if k in config}
    seg_out.write_text(_dump(segments, "# @package _global_\n" + note))
    return out, seg_out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m simulator.tables", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("export", help="write the composed network and segments as a workbook")
    ex.add_argument("--out", required=True, help="company.xlsx, or a folder with --format csv")
    ex.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    ex.add_argument("overrides", nargs="*", help="config overrides, as for python -m simulator")
    im = sub.add_parser("import", help="check a workbook and write network and segments YAML")
    im.add_argument("workbook", help="an .xlsx file or a folder of <sheet>.csv files")
    im.add_argument("--out", required=True, help="network YAML to write, e.g. conf/network/mine.yaml")
    im.add_argument("--segments-out", help="segments YAML (default: conf/segments/<same name>.yaml)")
    tp = sub.add_parser("template", help="a blank workbook with one example row per sheet and the column guide")
    tp.add_argument("--out", required=True)
    tp.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    from simulator.engine.errors import ConfigError

    try:
        if args.command == "export":
            from simulator.app.cli import compose_config

            path = export(compose_config(list(args.overrides)), args.out, args.format)
            print(f"segsim: wrote {path} ({time.perf_counter() - started:.1f} s)")
        elif args.command == "template":
            print(f"segsim: wrote {template(args.out, args.format)}")
        else:
            net, seg = import_workbook(args.workbook, args.out, args.segments_out)
            print(f"segsim: {args.workbook} is valid; wrote {net} and {seg} ({time.perf_counter() - started:.1f} s)")
            print(f"run it: python -m simulator network={net.stem} segments={seg.stem}")
    except WorkbookError as exc:
        print(f"segsim: {exc}", file=sys.stderr)
        sys.exit(2)
    except ConfigError as exc:
        print(f"segsim: {exc}", file=sys.stderr)
        sys.exit(2)
