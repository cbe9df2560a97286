"""Planning tables: export then import gives the same model; the shipped workbook is what the shipped
YAML was imported from; the template explains every column."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import simulator
from simulator.app.tables.cli import export, import_workbook, template
from simulator.app.tables.importer import read_book, workbook_config
from simulator.app.tables.sheets import COLUMNS_SHEET, PLANNING_SHEET, SHEETS

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ("network", "segments", "assignment", "segments_meta")


def normalised(value: Any) -> Any:
    """Config values as the spec reads them: one-name lists as the name, whole floats as ints."""
    if isinstance(value, dict):
        return {k: normalised(v) for k, v in value.items()}
    if isinstance(value, list):
        return value[0] if len(value) == 1 and isinstance(value[0], str) else [normalised(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@pytest.fixture(scope="module")
def default_config() -> dict[str, Any]:
    return simulator.compose(["horizon_days=30"])


@pytest.fixture(scope="module")
def vela_config() -> dict[str, Any]:
    return simulator.compose(["network=vela_europe", "segments=vela_europe", "horizon_days=30"])


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("company", ["default_config", "vela_config"])
def test_export_then_import_gives_the_same_spec(company: str, fmt: str, tmp_path: Path,
                                                request: pytest.FixtureRequest) -> None:
    config = request.getfixturevalue(company)
    path = export(config, tmp_path / ("book.xlsx" if fmt == "xlsx" else "book"), fmt, planning=False)
    back = workbook_config(path)
    for section in SECTIONS:
        assert normalised(back.get(section)) == normalised(config.get(section)), section
    rebuilt = dict(config, **back)
    assert simulator.build_spec(rebuilt) == simulator.build_spec(config)


def test_imported_files_run_as_the_original(default_config: dict[str, Any], tmp_path: Path) -> None:
    book = export(default_config, tmp_path / "company.xlsx")
    net_path, seg_path = import_workbook(book, tmp_path / "conf" / "network" / "mine.yaml")
    assert seg_path == tmp_path / "conf" / "segments" / "mine.yaml"
    network = yaml.safe_load(net_path.read_text())
    segments = yaml.safe_load(seg_path.read_text())
    assert seg_path.read_text().startswith("# @package _global_")
    assert network["inputs"] == [str(book)]
    config = {**default_config, "network": network, **segments}
    a = simulator.run(default_config)
    b = simulator.run(config)
    assert a.kpis.equals(b.kpis)


def test_shipped_company_is_its_workbook_imported() -> None:
    """conf/network/vela_europe.yaml and conf/segments/vela_europe.yaml are what the import of
    data/vela_europe.xlsx writes (regenerate: docs/own-company.md)."""
    book = workbook_config(ROOT / "data" / "vela_europe.xlsx")
    network = yaml.safe_load((ROOT / "conf" / "network" / "vela_europe.yaml").read_text())
    segments = yaml.safe_load((ROOT / "conf" / "segments" / "vela_europe.yaml").read_text())
    assert network.pop("inputs") == ["data/vela_europe.xlsx"]
    assert network == book["network"]
    assert segments == {k: book[k] for k in SECTIONS[1:]}
    net = book["network"]
    skus = sum(f["skus"] for f in net["families"].values())
    assert (len(net["plants"]), len(net["warehouses"]), len(net["channels"])) == (4, 9, 3) and skus >= 300
    assert all("lead_time" not in lane for lane in net["lanes"])  # every lane is timed from the map


def test_workbook_generator_writes_the_shipped_workbook(tmp_path: Path) -> None:
    from simulator.app.tables.example import main

    main(["--out", str(tmp_path / "vela.xlsx")])
    assert workbook_config(tmp_path / "vela.xlsx") == workbook_config(ROOT / "data" / "vela_europe.xlsx")


def test_vela_runs_and_its_report_has_the_map_and_segments_approval(vela_config: dict[str, Any],
                                                                     tmp_path: Path) -> None:
    from analysis.report import map_section, segments_line

    config = dict(vela_config, horizon_days=5, quiet=True)
    results = simulator.run(config)
    results.write(tmp_path, config)
    (section,) = map_section(results)
    ((fig, _),) = section.figures
    ax = fig.axes[0]
    located = results.spec.locations
    lons = [lon for _, lon in located.values()]
    assert ax.get_xlim()[0] < min(lons) and ax.get_xlim()[1] > max(lons)  # every site inside the frame
    assert segments_line(results.spec.segments_meta) == (
        " · segments vela_europe 2026.2, approved by S&OP steering committee on 2026-11-02")
    assert (tmp_path / "kpis.csv").exists() and (tmp_path / "planning_parameters.csv").exists()


def test_default_company_has_no_map(default_config: dict[str, Any]) -> None:
    from analysis.report import map_section

    results = simulator.run(dict(default_config, horizon_days=5, quiet=True))
    assert map_section(results) == []


def test_template_has_an_example_row_per_sheet_and_explains_every_column(tmp_path: Path) -> None:
    book = read_book(template(tmp_path / "template.xlsx"))
    explained = {(row[0], row[1]) for row in book[COLUMNS_SHEET][1:]}
    for sheet in SHEETS:
        assert book[sheet.name][0] == [c.name for c in sheet.columns]
        assert all((sheet.name, c.name) in explained for c in sheet.columns)
        assert len(book[sheet.name]) == 2, sheet.name
    assert PLANNING_SHEET not in book


def test_export_has_the_planning_parameters_sheet(default_config: dict[str, Any], tmp_path: Path) -> None:
    book = read_book(export(default_config, tmp_path / "c.xlsx"))
    header, *rows = book[PLANNING_SHEET]
    assert header[:4] == ["sku", "dc", "segment", "policy"]
    spec = simulator.build_spec(default_config)
    assert len(rows) == len({(s, w) for w in spec.warehouses for s in spec.skus})  # every SKU in every DC here


def test_sheets_and_config_schema_cover_each_other() -> None:
    """Every key of each schema section has a column and every column is a schema key (the nested
    sections have sheets of their own), so a key added to the schema cannot be forgotten here."""
    from simulator.app.tables.schema_map import MODELS, schema_keys
    from simulator.app.tables.sheets import SHEET

    own_sheet = {("families", "bom"), ("plants", "lines"), ("plants", "raw_stock")}
    for name in MODELS:
        sheet = SHEET[name]
        columns = {c.path.split("[")[0] for c in sheet.columns if c.path is not None}
        keys = schema_keys(sheet)
        assert columns <= keys, (name, columns - keys)
        assert {k for k in keys - columns if (name, k) not in own_sheet} == set(), name


def test_command_line_checks_accept_lanes_left_to_the_map(vela_config: dict[str, Any]) -> None:
    """`python -m simulator network=vela_europe ...` checks its settings before the run; lanes that leave
    lead time, cost and CO2 to the map must pass there too (they failed with 'lead_time: got None')."""
    from simulator.app.settings import read_settings

    assert any("lead_time" not in lane for lane in vela_config["network"]["lanes"])  # the case under test
    replications, _ = read_settings(vela_config)
    assert replications == 1
