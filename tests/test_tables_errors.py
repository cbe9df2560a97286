"""A corpus of bad workbooks: each problem is reported with its sheet, row and column, the value found
and what is allowed; every problem of a file at once; exit status 2 and no traceback."""

from __future__ import annotations

import copy
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import simulator
from simulator.app.tables.cli import main
from simulator.app.tables.export import config_tables, write_xlsx
from simulator.app.tables.importer import WorkbookError, workbook_config

Tables = dict[str, list[list[Any]]]


@pytest.fixture(scope="module")
def good_tables() -> Tables:
    tables = config_tables(simulator.compose([]))
    tables["sites"] += [["plant_north", "plant", 53.4, -2.2], ["dc_central", "warehouse", 52.5, -1.9]]
    return tables


def cell(tables: Tables, sheet: str, row: int, column: str, value: Any) -> Tables:
    """Set the cell at spreadsheet ``row`` (the header is row 1) of ``column``."""
    header = tables[sheet][0]
    tables[sheet][row - 1][header.index(column)] = value
    return tables


def drop_column(tables: Tables, sheet: str, column: str) -> Tables:
    j = tables[sheet][0].index(column)
    tables[sheet] = [r[:j] + r[j + 1:] for r in tables[sheet]]
    return tables


def add_column(tables: Tables, sheet: str, column: str) -> Tables:
    tables[sheet] = [tables[sheet][0] + [column]] + [r + [1] for r in tables[sheet][1:]]
    return tables


def row_of(tables: Tables, sheet: str, first: str) -> int:
    """Spreadsheet row of the row whose first cell is ``first``."""
    return next(i for i, r in enumerate(tables[sheet], start=1) if r[0] == first)


# (name, change to the good tables, expected text in the message: sheet, row, column, value, allowed)
CASES: list[tuple[str, Callable[[Tables], Any], list[str]]] = [
    ("missing sheet", lambda t: t.pop("lanes"), ["sheet 'lanes'; required sheet missing"]),
    ("missing required column", lambda t: drop_column(t, "lanes", "mode"),
     ["sheet 'lanes', row 1, column 'mode'; required column missing"]),
    ("unknown column", lambda t: add_column(t, "families", "colour"),
     ["sheet 'families', row 1, column 'colour'; unknown column; allowed: family, skus"]),
    ("unknown sheet", lambda t: t.__setitem__("lanez", [["from"]]), ["sheet 'lanez'; unknown sheet"]),
    ("text for a whole number", lambda t: cell(t, "families", 2, "skus", "many"),
     ["sheet 'families', row 2, column 'skus': got 'many'; expected a whole number"]),
    ("fraction for a whole number", lambda t: cell(t, "families", 3, "skus", 2.5),
     ["sheet 'families', row 3, column 'skus': got 2.5; expected a whole number"]),
    ("text for a number", lambda t: cell(t, "families", 2, "price", "cheap"),
     ["sheet 'families', row 2, column 'price': got 'cheap'; expected a number"]),
    ("negative cost", lambda t: cell(t, "warehouses", 3, "handling_cost_per_unit", -1),
     ["sheet 'warehouses', row 3, column 'handling_cost_per_unit': got -1; must be >= 0"]),
    ("fill rate above 1", lambda t: cell(t, "segments", 2, "fill_rate", 1.5),
     ["sheet 'segments', row 2, column 'fill_rate': got 1.5; must be <= 1"]),
    ("not a boolean", lambda t: cell(t, "channels", 2, "ship_complete", "maybe"),
     ["sheet 'channels', row 2, column 'ship_complete': got 'maybe'; expected TRUE or FALSE"]),
    ("unreadable distribution", lambda t: cell(t, "suppliers", 2, "lead_time", "{dist: gamma, mean: 3"),
     ["sheet 'suppliers', row 2, column 'lead_time': got '{dist: gamma, mean: 3'; expected a number or {key"]),
    ("blank required cell", lambda t: cell(t, "customers", 4, "qty", None),
     ["sheet 'customers', row 4, column 'qty'; required: units per order line"]),
    ("unknown mode", lambda t: cell(t, "lanes", 5, "mode", "truck"),
     ["sheet 'lanes', row 5, column 'mode': got 'truck'; unknown name: not on sheet 'modes'; known: air, ftl"]),
    ("unknown lane destination", lambda t: cell(t, "lanes", 4, "to", "dc_nowhere"),
     ["sheet 'lanes', row 4, column 'to': got 'dc_nowhere'; unknown name: not on a site"]),
    ("unknown channel", lambda t: cell(t, "customers", 2, "channel", "wholesale"),
     ["sheet 'customers', row 2, column 'channel': got 'wholesale'; unknown name: not on sheet 'channels'"]),
    ("unknown family on a line", lambda t: cell(t, "lines", 2, "families", "cleaners, toys"),
     ["sheet 'lines', row 2, column 'families': got 'toys'; unknown name: not on sheet 'families'"]),
    ("unknown segment in a rule", lambda t: cell(t, "assignment", 3, "segment", "vip"),
     ["sheet 'assignment', row 3, column 'segment': got 'vip'; unknown name: not on sheet 'segments'"]),
    ("unknown source", lambda t: cell(t, "warehouses", 2, "sources", "plant_x"),
     ["sheet 'warehouses', row 2, column 'sources': got 'plant_x'; unknown name: not on a site"]),
    ("duplicate family", lambda t: t["families"].append(list(t["families"][1])),
     ["sheet 'families', row 6, column 'family': got 'cleaners'; duplicate name: also in row 2"]),
    ("same name on two node sheets", lambda t: cell(t, "warehouses", 2, "warehouse", "plant_north"),
     ["sheet 'warehouses', row 2, column 'warehouse': got 'plant_north'; duplicate name: also on sheet 'plants'"]),
    ("latitude off the globe", lambda t: cell(t, "sites", 2, "latitude", 95),
     ["sheet 'sites', row 2, column 'latitude': got 95; must be <= 90"]),
    ("longitude off the globe", lambda t: cell(t, "sites", 3, "longitude", -200),
     ["sheet 'sites', row 3, column 'longitude': got -200; must be >= -180"]),
    ("coordinates as text", lambda t: cell(t, "sites", 2, "latitude", "53N"),
     ["sheet 'sites', row 2, column 'latitude': got '53N'; expected a number"]),
    ("site that is not a node", lambda t: cell(t, "sites", 2, "name", "atlantis"),
     ["sheet 'sites', row 2, column 'name': got 'atlantis'; unknown name: not on a site"]),
    ("site of the wrong kind", lambda t: cell(t, "sites", 3, "kind", "plant"),
     ["sheet 'sites', row 3, column 'kind': got 'plant'; dc_central is defined on sheet 'warehouses'"]),
    ("unknown setting", lambda t: t["settings"].append(["network.colour", "blue"]),
     ["sheet 'settings', row 7, column 'key': got 'network.colour'; unknown setting"]),
    ("extras outside the company", lambda t: t["extras"].insert(1, ["seed", 3]),
     ["sheet 'extras', row 2, column 'key': got 'seed'; a config key under network."]),
    ("reorder point above order-up-to (whole-model check)", lambda t: cell(t, "raw_stock", 2, "s", 99999),
     ["sheet 'raw_stock', row 2, column 's': got 99999.0; (s, S) needs s <= S; S is 6500 "
      "(config key network.plants.plant_north.raw_stock.resin.s)"]),
    ("lane without lead time nor coordinates", lambda t: cell(t, "lanes", 4, "lead_time", None),
     ["sheet 'lanes', row 4, column 'lead_time'; give a lead time in days, or network.locations of both ends "
      "(plant_north, dc_central)"]),
]


@pytest.mark.parametrize(("name", "change", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bad_workbook_names_the_cell(name: str, change: Callable[[Tables], Any], expected: list[str],
                                     good_tables: Tables, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    tables = copy.deepcopy(good_tables)
    change(tables)
    book = write_xlsx(tables, tmp_path / "bad.xlsx")
    with pytest.raises(SystemExit) as exit_:
        main(["import", str(book), "--out", str(tmp_path / "conf" / "network" / "bad.yaml")])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    for text in expected:
        assert text in err, err
    assert "Traceback" not in err
    assert not (tmp_path / "conf").exists()  # nothing written


def test_good_tables_import(good_tables: Tables, tmp_path: Path) -> None:
    config = workbook_config(write_xlsx(good_tables, tmp_path / "good.xlsx"))
    assert config["network"]["locations"]["dc_central"] == {"lat": 52.5, "lon": -1.9}


def test_every_problem_of_a_file_at_once(good_tables: Tables, tmp_path: Path) -> None:
    tables = copy.deepcopy(good_tables)
    cell(tables, "families", 2, "price", "cheap")
    cell(tables, "lanes", 5, "mode", "truck")
    cell(tables, "sites", 2, "latitude", 95)
    tables.pop("channels")
    with pytest.raises(WorkbookError) as err:
        workbook_config(write_xlsx(tables, tmp_path / "bad.xlsx"))
    where = {(p.sheet, p.row, p.column) for p in err.value.problems}
    assert {("families", 2, "price"), ("lanes", 5, "mode"), ("sites", 2, "latitude"), ("channels", None, None)} <= where


def test_csv_folder_problems_name_the_file_and_row(good_tables: Tables, tmp_path: Path) -> None:
    from simulator.app.tables.export import write_csv_folder

    tables = copy.deepcopy(good_tables)
    cell(tables, "lanes", 3, "lead_time", "soon")
    folder = write_csv_folder(tables, tmp_path / "book")
    with pytest.raises(WorkbookError) as err:
        workbook_config(folder)
    assert "sheet 'lanes', row 3, column 'lead_time'" in str(err.value)


def test_not_a_workbook_exits_2_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "company.xlsx"
    bad.write_bytes(b"this is not a spreadsheet")
    proc = subprocess.run([sys.executable, "-m", "simulator.tables", "import", str(bad), "--out",
                           str(tmp_path / "n.yaml")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "not a readable .xlsx workbook" in proc.stderr and "Traceback" not in proc.stderr
