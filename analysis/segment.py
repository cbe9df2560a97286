"""Command line: demand-history CSV -> segment assignment a simulation uses directly.

    python -m analysis.segment --history data/alder_finch_demand_history.csv.gz \\
        --out conf/segments/from_history.yaml
    python -m simulator segments=from_history

Writes a segments config file (the segments, SLAs and policies of ``--base``, with an
``assignment`` section listing each segment's SKUs by name) and, beside it, the assignment table
(``<out>.csv``: every item with its value share, classes and segment). Given ``--previous``
(an earlier assignment table), it also reports the items that crossed a threshold and would move
segment. Exit status 2 with a one-line message on bad input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import yaml

from analysis.segmentation import (
    DEFAULT_SEGMENT_MAP,
    SegmentMap,
    Thresholds,
    assignment_rules,
    profile,
    read_history,
    reevaluate,
)
from analysis.table_checks import TableError, read_text_table, require_columns

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BASE = ROOT / "conf" / "segments" / "default.yaml"


def _pair(text: str) -> tuple[float, float]:
    parts = [float(x) for x in text.split(",")]
    if len(parts) != 2:
        raise argparse.ArgumentTypeError(f"expected two numbers 'a,b'; got {text!r}")
    return parts[0], parts[1]


def _segment_map(text: str) -> SegmentMap:
    rules = []
    for item in text.split(","):
        pattern, sep, seg = item.partition("=")
        if not sep or not pattern.strip() or not seg.strip():
            raise argparse.ArgumentTypeError(f"expected 'PATTERN=segment' items; got {item!r}")
        rules.append((pattern.strip(), seg.strip()))
    return SegmentMap(tuple(rules))


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m analysis.segment",
                                description="ABC/XYZ segmentation of a demand history into a segsim segments file")
    p.add_argument("--history", required=True, type=Path, help="CSV: date, sku, [channel], quantity, price, unit_cost")
    p.add_argument("--out", required=True, type=Path, help="segments YAML to write (e.g. conf/segments/NAME.yaml)")
    p.add_argument("--base", type=Path, default=DEFAULT_BASE,
                   help="segments YAML whose segments, SLAs and policies are kept (default conf/segments/default.yaml)")
    p.add_argument("--by", choices=("sku", "sku,channel"), default="sku", metavar="sku|sku,channel",
                   help="'sku' (default): a segment per SKU; 'sku,channel': per SKU x channel (hybrid)")
    p.add_argument("--abc", type=_pair, default=Thresholds.abc,
                   help="cumulative value shares closing A and B (0.8,0.95)")
    p.add_argument("--xyz", type=_pair, default=Thresholds.xyz, help="CV limits of X and Y per bucket (0.5,1.0)")
    p.add_argument("--value", choices=("revenue", "margin"), default="revenue", help="what ABC ranks by")
    p.add_argument("--bucket", choices=("D", "W", "M"), default="W", help="bucket of the XYZ CV: day, week, month")
    p.add_argument("--map", type=_segment_map, default=None, dest="segment_map",
                   help="ordered 'CLASS PATTERN=segment' pairs, e.g. 'AX *=fast,C* *=tail,*=core' (default: "
                   + ", ".join(f"{a}={b}" for a, b in DEFAULT_SEGMENT_MAP) + ")")
    p.add_argument("--previous", type=Path, default=None, help="an earlier assignment table (.csv) to compare with")
    p.add_argument("--report", type=Path, default=None, help="where to write the re-evaluation report (.csv)")
    return p


def run(args: argparse.Namespace) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Do the segmentation; return the assignment table and the re-evaluation report (if asked)."""
    thresholds = Thresholds(abc=args.abc, xyz=args.xyz, value=args.value, bucket=args.bucket)
    by = args.by.split(",")
    history = read_history(str(args.history))
    if "channel" in by and "channel" not in history.columns:
        raise TableError(args.history, 1, "channel", list(history.columns), "--by sku,channel needs a channel column")
    table = profile(history, by, thresholds, args.segment_map)
    base = yaml.safe_load(args.base.read_text())
    segments = base.get("segments") or {}
    unknown = sorted(set(table["segment"]) - set(segments))
    if unknown:
        raise ValueError(f"segment map names {', '.join(unknown)}, not defined in {args.base} "
                         f"(defined: {', '.join(segments)})")
    history_path = args.history.resolve()
    source = history_path.relative_to(ROOT).as_posix() if history_path.is_relative_to(ROOT) else str(args.history)
    # the run record hashes the history the assignment was derived from (run.json: input_files)
    doc = {"segments": segments, "assignment": assignment_rules(table),
           "segments_meta": {"name": args.out.stem, "inputs": [source]}}
    header = (f"# @package _global_\n# Generated by `python -m analysis.segment` from {args.history.name}: "
              f"ABC by {args.value} (cuts {args.abc[0]:g}/{args.abc[1]:g}), XYZ by CV per bucket "
              f"'{args.bucket}' ({args.xyz[0]:g}/{args.xyz[1]:g}).\n# Segments and policies copied from "
              f"{args.base.name}; the table of classes is {args.out.with_suffix('.csv').name}.\n")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(header + yaml.safe_dump(doc, sort_keys=False, width=120))
    table.to_csv(args.out.with_suffix(".csv"), index=False, float_format="%.6g")
    report = None
    if args.previous is not None:
        previous = read_text_table(args.previous)
        require_columns(previous, args.previous, ("sku", "segment"), ("channel", "abc", "xyz", "pattern"))
        report = reevaluate(table, previous, by)
        if args.report is not None:
            report.to_csv(args.report, index=False, float_format="%.6g")
    return table, report


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        table, report = run(args)
    except (ValueError, OSError) as exc:
        print(f"segsim segment: {exc}", file=sys.stderr)
        sys.exit(2)
    except yaml.YAMLError as exc:  # --base: the message names the file, line and column
        print(f"segsim segment: YAML error: {' '.join(str(exc).split())}", file=sys.stderr)
        sys.exit(2)
    summary = table.groupby("segment").agg(items=("sku", "size"), value_share=("value_share", "sum"))
    print(summary.to_string(float_format=lambda v: f"{v:.1%}"))
    print(f"wrote {args.out} and {args.out.with_suffix('.csv')}")
    if report is not None:
        print(f"\n{len(report)} item(s) would move segment since {args.previous}:")
        if len(report):
            print(report.to_string(index=False))


if __name__ == "__main__":
    main()
