"""Bad input from the command line, YAML files and CSV tables: one line, exit status 2, nothing written.

Each case runs the real entry point in-process (``simulator.app.cli.main`` or ``analysis.segment.main``)
and checks the exit status, that the message is one line naming the override / file and line / row
and column, and the value, and that no run directory (or output file) was left behind. The resource
guard is also run once as a real command, with a generous timeout as the bound on how long a refusal
may take.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from analysis import segment
from simulator.app.cli import main

ROOT = Path(__file__).resolve().parents[1]


def refused(capsys: pytest.CaptureFixture[str], entry, args: list[str]) -> str:
    """Run ``entry(args)``; it must exit with status 2 and print one line (returned)."""
    with pytest.raises(SystemExit) as stop:
        entry(args)
    err = capsys.readouterr().err.strip()
    assert stop.value.code == 2, err
    assert err.startswith("segsim") and "\n" not in err and "Traceback" not in err, err
    return err


# (override(s), fragments the one-line message must contain)
OVERRIDES = [
    (["scenario=supplier_failur"], ["scenario", "'supplier_failur'", "baseline", "supplier_failure", "dc_outage"]),
    (["network=defualt"], ["network", "'defualt'", "default, serial_chain"]),
    (["=5"], ["'=5'", "names no key"]),
    (["+=3"], ["'+=3'", "names no key"]),
    ([".=5"], ["'.=5'", "cannot read the override"]),
    (["a..b=1"], ["'a..b=1'", "cannot read the override"]),
    (["network.lanes=[1"], ["'network.lanes=[1'", "cannot read the override"]),
    (["horizon=10"], ["'horizon'", "+horizon="]),
    (["seed=${oops}"], ["oops", "seed"]),
    (["hydra/launcher=nope"], ["hydra/launcher", "'nope'", "basic"]),
    (["network.lanes[2].lead_time=-3"], ["network.lanes[2].lead_time", "-3", ">= 0"]),  # the README's example
    (["network.lanes.2.lead_time=abc"], ["network.lanes[2].lead_time", "'abc'"]),
    (["horizon_days=1e12"], ["limits.max_rows", "1e+12 days", "rows"]),
    (["network.customers.retail_north.orders_per_day=1e9"], ["limits.max_rows", "1e+09 orders/day"]),
    (["network.families.cleaners.skus=1000000000"], ["limits.max_rows", "1e+09 SKUs"]),
    (["limits.max_rows=0"], ["limits.max_rows", "0", ">= 1"]),
    (["+limits.max_cpu=3"], ["limits.max_cpu", "max_rows"]),
]


@pytest.mark.parametrize(("overrides", "fragments"), OVERRIDES, ids=[" ".join(o) for o, _ in OVERRIDES])
def test_bad_override_is_one_line_exit_2_and_no_run_directory(overrides, fragments, tmp_path, capsys) -> None:
    run = tmp_path / "run"
    err = refused(capsys, main, [*overrides, f"hydra.run.dir={run}"])
    for fragment in fragments:
        assert fragment in err, err
    assert not run.exists()


def test_bad_sweep_value_leaves_no_sweep_directory(tmp_path, capsys) -> None:
    sweep = tmp_path / "sweep"
    err = refused(capsys, main, ["-m", "scenario=baseline,supplier_failur", f"hydra.sweep.dir={sweep}"])
    assert "'supplier_failur'" in err and "scenario=baseline,supplier_failur" in err
    assert not sweep.exists()


YAML = {  # name: (file text, fragments beyond the file name)
    "tab": ("name: tabbed\n\tfamilies: {}\n", ["line 2", "tab"]),
    "dup": ("name: one\nname: two\n", ["line 2", "duplicate key name"]),
    "tag": ("name: !!python/object/apply:os.system ['echo owned']\n", ["line 1", "python/object/apply",
                                                                       "not allowed"]),
    "unclosed": ("families: [a, b\n", ["line", "expected ',' or ']'"]),
    "colon": ("name: a: b\n", ["line 1", "mapping values are not allowed"]),
}


@pytest.mark.parametrize("name", sorted(YAML))
def test_bad_yaml_file_names_file_and_line(name, tmp_path, capsys) -> None:
    text, fragments = YAML[name]
    (tmp_path / "conf" / "network").mkdir(parents=True)
    path = tmp_path / "conf" / "network" / f"{name}.yaml"
    path.write_text(text)
    run = tmp_path / "run"
    err = refused(capsys, main, [f"network={name}", f"hydra.searchpath=[file://{tmp_path / 'conf'}]",
                                 f"hydra.run.dir={run}"])
    assert str(path) in err, err
    for fragment in fragments:
        assert fragment in err, err
    assert not run.exists()
    assert "owned" not in capsys.readouterr().out  # the python tag was not executed


def test_bad_interpolation_in_a_yaml_file(tmp_path, capsys) -> None:
    (tmp_path / "conf" / "scenario").mkdir(parents=True)
    (tmp_path / "conf" / "scenario" / "broken.yaml").write_text("name: broken\ndisruptions: ${oops\n")
    run = tmp_path / "run"
    err = refused(capsys, main, ["scenario=broken", f"hydra.searchpath=[file://{tmp_path / 'conf'}]",
                                 f"hydra.run.dir={run}"])
    assert "${oops" in err and "disruptions" in err
    assert not run.exists()


HISTORY = ("date,sku,channel,quantity,price,unit_cost\n"
           "2024-01-01,CLN-01,retail,5,3.5,1.2\n2024-01-02,CLN-02,retail,2,3.0,1.1\n")

CSV = [  # (name, how the good history is broken, fragments: file added by the test)
    ("text quantity", lambda t: t.replace(",5,3.5", ",five,3.5"), ["line 2", "column 'quantity'", "'five'", ">= 0"]),
    ("blank quantity", lambda t: t.replace(",2,3.0", ",,3.0"), ["line 3", "column 'quantity'", "''"]),
    ("negative quantity", lambda t: t.replace(",2,3.0", ",-2,3.0"), ["line 3", "'-2'", "returns"]),
    ("negative price", lambda t: t.replace(",3.0,", ",-3.0,"), ["line 3", "column 'price'", "'-3.0'", ">= 0"]),
    ("infinite cost", lambda t: t.replace("1.1\n", "inf\n"), ["line 3", "column 'unit_cost'", "'inf'", "finite"]),
    ("missing column", lambda t: t.replace(",price", ",cost"), ["line 1", "column 'price'", "missing"]),
    ("bad date", lambda t: t.replace("2024-01-02", "yesterday"), ["line 3", "column 'date'", "'yesterday'"]),
    ("blank sku", lambda t: t.replace("CLN-02", " "), ["line 3", "column 'sku'", "blank"]),
    ("ragged row", lambda t: t + "2024-01-03,CLN-01,retail,1,2,3,4,5\n", ["cannot be read as CSV"]),
    ("empty file", lambda t: "", ["empty"]),
    ("header only", lambda t: t.splitlines()[0] + "\n", ["no rows"]),
]


@pytest.mark.parametrize(("name", "change", "fragments"), CSV, ids=[c[0] for c in CSV])
def test_bad_history_csv_names_file_row_column_value(name, change, fragments, tmp_path, capsys) -> None:
    path = tmp_path / "history.csv"
    path.write_text(change(HISTORY))
    out = tmp_path / "out" / "seg.yaml"
    err = refused(capsys, segment.main, ["--history", str(path), "--out", str(out)])
    assert str(path) in err, err
    for fragment in fragments:
        assert fragment in err, err
    assert not out.parent.exists()


def test_history_without_channel_cannot_segment_by_channel(tmp_path, capsys) -> None:
    path = tmp_path / "history.csv"
    path.write_text("date,sku,quantity,price,unit_cost\n2024-01-01,A,1,2,1\n")
    out = tmp_path / "out" / "seg.yaml"
    err = refused(capsys, segment.main, ["--history", str(path), "--out", str(out), "--by", "sku,channel"])
    assert str(path) in err and "channel" in err
    assert not out.parent.exists()


def test_resource_guard_refuses_at_once_from_the_command_line(tmp_path: Path) -> None:
    """A refused run ends long before it would exhaust memory; the timeout is only a generous bound."""
    run = tmp_path / "run"
    proc = subprocess.run([sys.executable, "-m", "simulator", "horizon_days=1e12", f"hydra.run.dir={run}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr[-2000:]
    line = proc.stderr.strip()
    assert "\n" not in line and "limits.max_rows" in line and "1e+12 days" in line
    assert not run.exists()


def test_readme_bad_input_examples_print_what_the_readme_shows(tmp_path, capsys) -> None:
    import shlex

    text = (ROOT / "README.md").read_text()
    lines = text.splitlines()
    examples = [(lines[i][2:], lines[i + 1]) for i in range(len(lines) - 1)
                if lines[i].startswith("$ python -m simulator ")]
    assert len(examples) >= 2
    for command, shown in examples:
        args = shlex.split(command)[3:]
        err = refused(capsys, main, [*args, f"hydra.run.dir={tmp_path / 'run'}"])
        assert err == shown or (shown.endswith("...") and err.startswith(shown[:-3])), (err, shown)
    assert not (tmp_path / "run").exists()
