"""Cells and config keys: reading a cell as its kind, writing a value as a cell, and dotted config paths."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from simulator.app.tables.sheets import BOOL, INTEGER, KIND_HELP, NAMES, NUMBER, TEXT, VALUE

_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
MISSING = object()


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a workbook: where (sheet, row, column), what was found and what is allowed."""

    sheet: str
    row: int | None  # spreadsheet row number (the header is row 1); None: the whole sheet
    column: str | None
    value: Any
    allowed: str

    def __str__(self) -> str:
        where = f"sheet '{self.sheet}'"
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        got = "" if self.value is None else f": got {self.value!r}"
        return f"{where}{got}; {self.allowed}"


class CellError(ValueError):
    """A cell that cannot be read as its column's kind."""


def split_path(path: str) -> list[str | int]:
    """``network.lanes[3].to`` -> ``['network', 'lanes', 3, 'to']``."""
    return [int(idx) if idx else name for name, idx in _PART.findall(path)]


def get_path(config: Any, path: str) -> Any:
    node = config
    for part in split_path(path):
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                return MISSING
            node = node[part]
        else:
            if not isinstance(node, Mapping) or part not in node:
                return MISSING
            node = node[part]
    return node


def set_path(config: dict[str, Any], path: str, value: Any) -> None:
    parts = split_path(path)
    node: Any = config
    for part, nxt in zip(parts, parts[1:], strict=False):
        empty: Any = [] if isinstance(nxt, int) else {}
        if isinstance(part, int):
            while len(node) <= part:
                node.append(None)
            if node[part] is None:
                node[part] = empty
            node = node[part]
        else:
            node = node.setdefault(part, empty)
    last = parts[-1]
    if isinstance(last, int):
        while len(node) <= last:
            node.append(None)
    node[last] = value


def _number(cell: Any) -> float | int:
    if isinstance(cell, bool):
        raise CellError(KIND_HELP[NUMBER])
    if isinstance(cell, str):
        try:
            cell = yaml.safe_load(cell)
        except yaml.YAMLError:
            raise CellError(KIND_HELP[NUMBER]) from None
    if isinstance(cell, (int, float)) and not isinstance(cell, bool) and math.isfinite(cell):
        return cell
    raise CellError(KIND_HELP[NUMBER])


def read_cell(cell: Any, kind: str) -> Any:
    """The config value of a (non-blank) cell of ``kind``; raises ``CellError`` saying what is allowed."""
    if kind == TEXT:
        if isinstance(cell, bool) or not isinstance(cell, (str, int, float)):
            raise CellError(KIND_HELP[TEXT])
        return cell.strip() if isinstance(cell, str) else str(cell)
    if kind == NUMBER:
        return _number(cell)
    if kind == INTEGER:
        try:
            v = _number(cell)
        except CellError:
            raise CellError(KIND_HELP[INTEGER]) from None
        if float(v) != int(v):
            raise CellError(KIND_HELP[INTEGER])
        return int(v)
    if kind == BOOL:
        if isinstance(cell, bool):
            return cell
        if isinstance(cell, str) and cell.strip().lower() in ("true", "false"):
            return cell.strip().lower() == "true"
        raise CellError(KIND_HELP[BOOL])
    if kind == NAMES:
        if not isinstance(cell, str):
            raise CellError(KIND_HELP[NAMES])
        names = [x.strip() for x in cell.split(",")]
        if not all(names):
            raise CellError(KIND_HELP[NAMES] + " (an empty name between commas)")
        return names
    if kind == VALUE:
        if isinstance(cell, (int, float)) and not isinstance(cell, bool):
            return _number(cell)
        if isinstance(cell, bool):
            return cell
        try:
            value = yaml.safe_load(str(cell))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem", "") or "not readable"
            raise CellError(f"{KIND_HELP[VALUE]}; {mark}") from None
        if isinstance(value, float) and not math.isfinite(value):
            raise CellError(KIND_HELP[VALUE])
        return value
    raise AssertionError(kind)


def write_cell(value: Any, kind: str) -> Any:
    """The cell showing config ``value`` in a column of ``kind`` (None: a blank cell)."""
    if value is None or value is MISSING:
        return None
    if kind == NAMES:
        return ", ".join(value) if isinstance(value, (list, tuple)) else str(value)
    if isinstance(value, (dict, list, tuple)):
        return yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10_000).strip()
    if kind == TEXT and not isinstance(value, str):
        return str(value)
    if kind == VALUE and isinstance(value, str):
        # a text that YAML would read back as something else (a number, true, a date) is quoted
        return value if yaml.safe_load(value) == value else yaml.safe_dump(value, default_style="'").strip()
    return value
