"""Config -> tables: the composed network and segments as one table per sheet, written as xlsx or CSVs."""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from simulator.app.tables.cells import MISSING, get_path, write_cell
from simulator.app.tables.sheets import (
    KIND_HELP,
    NODE_SHEETS,
    PLANNING_SHEET,
    SETTINGS_KEYS,
    SHEETS,
    Sheet,
)

log = logging.getLogger(__name__)
Table = list[list[Any]]  # header row, then data rows
SECTIONS = ("network", "segments", "assignment", "segments_meta")  # what a workbook holds


def _instances(sheet: Sheet, config: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """The identifying values of every row of ``sheet`` in ``config`` (nested sheets iterate each level)."""

    def walk(level: int, ids: dict[str, Any]) -> Iterator[dict[str, Any]]:
        if level == len(sheet.ids):
            yield ids
            return
        name, container = sheet.ids[level]
        entries = get_path(config, container.format(**ids))
        if sheet.listed:
            for i in range(len(entries) if isinstance(entries, list) else 0):
                yield from walk(level + 1, {**ids, name: i})
        elif isinstance(entries, Mapping):
            for key in entries:
                yield from walk(level + 1, {**ids, name: key})

    if sheet.name in ("settings", "extras"):
        return
    yield from walk(0, {})


def _row_path(sheet: Sheet, ids: Mapping[str, Any], path: str) -> str:
    base = sheet.base.format(**ids)
    return f"{base}.{path}" if path and not path.startswith("[") else base + path


def sheet_table(sheet: Sheet, config: Mapping[str, Any], covered: set[str], bases: set[str]) -> Table:
    """The rows of one sheet; every config path shown is added to ``covered``, every row's own path to
    ``bases``."""
    rows: Table = [[c.name for c in sheet.columns]]
    if sheet.name == "settings":
        for key, (kind, _) in SETTINGS_KEYS.items():
            value = get_path(config, key)
            if value is not MISSING and value is not None:
                rows.append([key, write_cell(value, kind)])
                covered.add(key)
        return rows
    kinds = _node_kinds(config)
    for ids in _instances(sheet, config):
        row = []
        bases.add(sheet.base.format(**ids))
        for col in sheet.columns:
            if col.name in ids:
                row.append(ids[col.name])
            elif col.path is None:  # sites' kind: from where the site is defined
                row.append(kinds.get(ids.get("name", "")))
            else:
                path = _row_path(sheet, ids, col.path)
                value = get_path(config, path)
                row.append(write_cell(None if value is MISSING else value, col.kind))
                covered.add(path)
        rows.append(row)
    return rows


def _node_kinds(config: Mapping[str, Any]) -> dict[str, str]:
    net = config.get("network") or {}
    return {name: kind[:-1] for kind in NODE_SHEETS for name in (net.get(kind) or {})}


def _leaves(value: Any, path: str) -> Iterator[str]:
    if isinstance(value, Mapping) and value:
        for k, v in value.items():
            yield from _leaves(v, f"{path}.{k}")
    elif isinstance(value, list) and value:
        for i, v in enumerate(value):
            yield from _leaves(v, f"{path}[{i}]")
    else:
        yield path


def _extras(config: Mapping[str, Any], covered: set[str], bases: set[str]) -> Table:
    """Config keys no sheet shows (kept so that an export then import loses nothing): each as the
    smallest section holding it below a row or section the other sheets know."""
    rows: Table = [["key", "value"]]
    seen: set[str] = set()
    for section in SECTIONS:
        if config.get(section) is None:
            continue
        for path in _leaves(config[section], section):
            prefixes = [path[:i] for i, ch in enumerate(path) if ch in ".["] + [path]
            if any(p in covered for p in prefixes):
                continue
            known = max(i for i, p in enumerate(prefixes) if p in bases or p == section)
            key = prefixes[min(known + 1, len(prefixes) - 1)]
            if key not in seen:
                seen.add(key)
                rows.append([key, write_cell(get_path(config, key), "value")])
    return rows


def config_tables(config: Mapping[str, Any], planning: Table | None = None) -> dict[str, Table]:
    """Every sheet of the workbook for the composed ``config`` (plain dicts); ``planning`` adds
    the planning-parameters sheet (an output: the import ignores it)."""
    covered: set[str] = set()
    bases: set[str] = set()
    tables = {sheet.name: sheet_table(sheet, config, covered, bases) for sheet in SHEETS if sheet.name != "extras"}
    tables["extras"] = _extras(config, covered, bases)
    if planning is not None:
        tables[PLANNING_SHEET] = planning
    return tables


def columns_table() -> Table:
    """The explanation of every column of every sheet (the template's ``columns`` sheet)."""
    from simulator.app.tables.schema_map import schema_default

    rows: Table = [["sheet", "column", "kind", "required", "default when blank", "meaning"]]
    for sheet in SHEETS:
        rows.append([sheet.name, "", "", "yes" if sheet.required else "no", "", sheet.help])
        for col in sheet.columns:
            rows.append([sheet.name, col.name, KIND_HELP[col.kind], "yes" if col.required else "",
                         schema_default(sheet, col), col.help])
    for key, (kind, meaning) in SETTINGS_KEYS.items():
        rows.append(["settings", key, KIND_HELP[kind], "", "", meaning])
    return rows


def write_xlsx(tables: Mapping[str, Table], path: str | Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in tables.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        for col in ws.columns:
            width = max((len(str(c.value)) for c in col if c.value is not None), default=8)
            ws.column_dimensions[col[0].column_letter].width = min(60, max(8, width + 2))
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def write_csv_folder(tables: Mapping[str, Table], folder: str | Path) -> Path:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        with open(out / f"{name}.csv", "w", newline="") as fh:
            csv.writer(fh).writerows([["" if v is None else v for v in row] for row in rows])
    return out


def write_tables(tables: Mapping[str, Table], path: str | Path, fmt: str = "xlsx") -> Path:
    """Write the sheets as one xlsx workbook or (``fmt='csv'``) a folder of ``<sheet>.csv`` files."""
    out = write_xlsx(tables, path) if fmt == "xlsx" else write_csv_folder(tables, path)
    log.info("wrote %d sheets to %s", len(tables), out)
    return out
