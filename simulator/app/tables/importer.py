"""Tables -> config: read a workbook (xlsx or a folder of CSVs), check every cell, build the config.

Every problem is collected, not only the first: missing sheets and columns, cells of the wrong kind or
out of range, duplicate names, names that refer to nothing, coordinates off the globe. When the cells
are clean, the config is checked as a whole by building the simulation spec; its error (a dotted config
key) is traced back to the cell it came from. Each problem names sheet, row, column, value and what is
allowed.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulator.app.tables.cells import MISSING, CellError, Problem, get_path, read_cell, set_path, split_path
from simulator.app.tables.sheets import (
    COLUMNS_SHEET,
    NODE_SHEETS,
    PLANNING_SHEET,
    SETTINGS_KEYS,
    SHEET,
    SHEETS,
    Sheet,
)
from simulator.engine.errors import ConfigError

Cell = tuple[str, int, str]  # (sheet, row, column)
OUTPUT_SHEETS = (PLANNING_SHEET, COLUMNS_SHEET)  # written for people to read; never imported


class WorkbookError(Exception):
    """A workbook that cannot become a valid config: every problem found, each naming its cell."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in {source}:\n" + "\n".join(f"  {p}" for p in problems))


def read_book(path: str | Path) -> dict[str, list[list[Any]]]:
    """Every sheet's rows (the header first) of an ``.xlsx`` file or a folder of ``<sheet>.csv`` files."""
    src = Path(path)
    if src.is_dir():
        book = {}
        for f in sorted(src.glob("*.csv")):
            with open(f, newline="") as fh:
                book[f.stem] = [[None if v == "" else v for v in row] for row in csv.reader(fh)]
        return book
    from openpyxl import load_workbook

    wb = load_workbook(src, read_only=True, data_only=True)
    try:
        return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    finally:
        wb.close()


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


@dataclass
class _Reader:
    """The config being built, where each key came from, and the problems found so far."""

    config: dict[str, Any] = field(default_factory=dict)
    origin: dict[str, Cell] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    names: dict[str, dict[str, int]] = field(default_factory=dict)  # sheet -> name -> row
    refs: list[tuple[Cell, str, str]] = field(default_factory=list)  # (cell, name, sheet it must be on)

    def problem(self, sheet: str, row: int | None, column: str | None, value: Any, allowed: str) -> None:
        self.problems.append(Problem(sheet, row, column, value, allowed))

    def put(self, path: str, value: Any, cell: Cell) -> None:
        set_path(self.config, path, value)
        self.origin[path] = cell


def _read_sheet(r: _Reader, sheet: Sheet, rows: list[list[Any]]) -> None:
    header = [None if _blank(h) else str(h).strip() for h in (rows[0] if rows else [])]
    allowed = [c.name for c in sheet.columns]
    where: dict[str, int] = {}
    for j, h in enumerate(header):
        if h is None:
            continue
        if h not in allowed:
            r.problem(sheet.name, 1, h, None, f"unknown column; allowed: {', '.join(allowed)}")
        elif h in where:
            r.problem(sheet.name, 1, h, None, "column appears twice")
        else:
            where[h] = j
    for c in sheet.columns:
        if c.required and c.name not in where:
            r.problem(sheet.name, 1, c.name, None, "required column missing")
    if any(c.required and c.name not in where for c in sheet.columns):
        return
    seen = r.names.setdefault(sheet.name, {})
    index = 0
    for i, raw in enumerate(rows[1:], start=2):
        cells = {name: raw[j] if j < len(raw) else None for name, j in where.items()}
        if all(_blank(v) for v in cells.values()):
            continue
        values: dict[str, Any] = {}
        for c in sheet.columns:
            v = cells.get(c.name)
            if _blank(v):
                if c.required:
                    r.problem(sheet.name, i, c.name, None, f"required: {c.help}")
                continue
            kind = c.kind
            if sheet.name == "settings" and c.name == "value":
                kind = SETTINGS_KEYS.get(str(cells.get("key")).strip(), (c.kind,))[0]
            try:
                value = read_cell(v, kind)
            except CellError as exc:
                r.problem(sheet.name, i, c.name, v, f"expected {exc}")
                continue
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                if c.min is not None and value < c.min:
                    r.problem(sheet.name, i, c.name, v, f"must be >= {c.min:g}")
                    continue
                if c.max is not None and value > c.max:
                    r.problem(sheet.name, i, c.name, v, f"must be <= {c.max:g}")
                    continue
            if sheet.name == "lanes" and c.name == "to" and len(value) == 1:
                value = value[0]  # one destination: written as in hand-made YAML, `to: dc_a`
            values[c.name] = value
            if c.refers_to:
                for name in value if isinstance(value, list) else [value]:
                    r.refs.append(((sheet.name, i, c.name), name, c.refers_to))
        ids = {name: values.get(name) for name in sheet.id_columns}
        if any(v is None for v in ids.values()):
            continue
        ident = " / ".join(str(v) for v in ids.values())
        if sheet.id_columns and ident in seen:
            r.problem(sheet.name, i, sheet.id_columns[-1], ident, f"duplicate name: also in row {seen[ident]}")
            continue
        if sheet.name in ("settings", "extras"):
            _read_key(r, sheet, i, ids["key"], values)
            continue
        if sheet.id_columns:
            seen[ident] = i
        if sheet.listed:
            ids["index"] = index
            index += 1
        base = sheet.base.format(**ids)
        r.origin[base] = (sheet.name, i, sheet.columns[0].name)
        if get_path(r.config, base) is MISSING:
            set_path(r.config, base, {})
        for c in sheet.columns:
            if c.path is None:
                continue
            path = f"{base}.{c.path}" if c.path and not c.path.startswith("[") else base + c.path
            if c.name in values:
                r.put(path, values[c.name], (sheet.name, i, c.name))
            else:  # a blank cell: a whole-model error about the key still points here
                r.origin[path] = (sheet.name, i, c.name)
        if sheet.name == "sites" and "kind" in values:
            r.refs.append(((sheet.name, i, "kind"), f"{ids['name']}={values['kind']}", "kind"))


def _read_key(r: _Reader, sheet: Sheet, row: int, key: str, values: Mapping[str, Any]) -> None:
    if sheet.name == "settings" and key not in SETTINGS_KEYS:
        r.problem(sheet.name, row, "key", key, f"unknown setting; allowed: {', '.join(SETTINGS_KEYS)}")
        return
    if sheet.name == "extras" and split_path(key)[0] not in ("network", "segments", "assignment", "segments_meta"):
        r.problem(sheet.name, row, "key", key, "a config key under network., segments., assignment. or segments_meta.")
        return
    if "value" in values:
        r.put(key, values["value"], (sheet.name, row, "value"))
        r.names.setdefault(sheet.name, {})[key] = row


def _check_references(r: _Reader) -> None:
    """Names used on one sheet must be defined on another; nodes are named once across sheets."""
    nodes: dict[str, str] = {}
    for kind in NODE_SHEETS:
        for name, row in r.names.get(kind, {}).items():
            if name in nodes:
                r.problem(kind, row, SHEET[kind].id_columns[0], name,
                          f"duplicate name: also on sheet '{nodes[name]}' (site names must be unique)")
            else:
                nodes[name] = kind
    known = {"nodes": set(nodes), **{s: set(r.names.get(s, {})) for s in r.names}}
    for (sheet, row, column), name, target in r.refs:
        if target == "kind":
            site, _, kind = name.partition("=")
            actual = nodes.get(site)
            if actual is not None and kind != actual[:-1]:
                r.problem(sheet, row, column, kind, f"{site} is defined on sheet '{actual}': kind {actual[:-1]}")
            continue
        if name not in known.get(target, set()):
            choices = sorted(known.get(target, set()))
            shown = ", ".join(choices[:12]) + (", ..." if len(choices) > 12 else "")
            what = "a site (suppliers, plants, warehouses, customers)" if target == "nodes" else f"sheet '{target}'"
            r.problem(sheet, row, column, name, f"unknown name: not on {what}; known: {shown or 'none'}")


def _cell_of(origin: Mapping[str, Cell], key: str) -> Cell | None:
    """The cell a config key came from: the key itself or its closest ancestor."""
    parts = key.replace("[", ".[").split(".")
    for n in range(len(parts), 0, -1):
        path = ".".join(parts[:n]).replace(".[", "[")
        if path in origin:
            return origin[path]
    return None


def check_config(config: Mapping[str, Any], origin: Mapping[str, Cell]) -> list[Problem]:
    """The whole-config check: build the spec; its first error, traced back to a cell."""
    from simulator.config import build_spec

    try:
        build_spec({"seed": 0, "horizon_days": 365, **config})
    except ConfigError as exc:
        cell = _cell_of(origin, exc.key)
        if cell is None:
            return [Problem("?", None, exc.key, exc.value, exc.allowed)]
        return [Problem(cell[0], cell[1], cell[2], exc.value, f"{exc.allowed} (config key {exc.key})")]
    return []


def workbook_config(path: str | Path) -> dict[str, Any]:
    """The network, segments and assignment of a workbook as plain config dicts.

    Raises ``WorkbookError`` listing every problem (sheet, row, column, value, what is allowed).
    """
    src = Path(path)
    if not src.exists():
        raise WorkbookError(str(src), [Problem(str(src), None, None, None, "no such file or folder")])
    try:
        book = read_book(src)
    except Exception as exc:  # not a workbook at all (a zip error, an unreadable file)
        raise WorkbookError(str(src), [Problem(str(src), None, None, None,
                                               f"not a readable .xlsx workbook or CSV folder ({exc})")]) from None
    r = _Reader()
    for name in book:
        if name not in SHEET and name not in OUTPUT_SHEETS:
            r.problem(name, None, None, None, f"unknown sheet; sheets read: {', '.join(SHEET)}")
    for sheet in SHEETS:
        if sheet.name not in book:
            if sheet.required:
                r.problem(sheet.name, None, None, None, "required sheet missing")
            continue
        _read_sheet(r, sheet, book[sheet.name])
    _check_references(r)
    if not r.problems:
        r.problems.extend(check_config(r.config, r.origin))
    if r.problems:
        raise WorkbookError(str(src), r.problems)
    return r.config
