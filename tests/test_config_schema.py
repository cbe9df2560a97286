"""One schema, declared once: every shipped config is accepted, the JSON Schema for editors and the
docs' parameter reference are generated from it, and the CLI refuses bad input with exit 2."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

import simulator
from simulator.app.settings import AppConfig, reference, schema_main
from simulator.config import build_spec
from simulator.config.reference import REFERENCE_PATH

ROOT = Path(__file__).resolve().parents[1]
CONF = ROOT / "conf"

# Every option of every config group, composed the way a user would pick it.
SHIPPED = ([[]] + [[f"scenario={p.stem}"] for p in sorted((CONF / "scenario").glob("*.yaml"))]
           + [[f"+policy={p.stem}"] for p in sorted((CONF / "policy").glob("*.yaml"))]
           + [[f"+demand={p.stem}"] for p in sorted((CONF / "demand").glob("*.yaml"))]
           + [[f"segments={s}"] for s in ("forecast_driven", "from_history")]
           + [["network=serial_chain", "segments=serial_chain"]])


@pytest.mark.parametrize("overrides", SHIPPED, ids=lambda o: " ".join(o) or "default")
def test_every_shipped_config_is_accepted(overrides: list[str]) -> None:
    cfg = simulator.compose(overrides)
    AppConfig.model_validate(cfg)  # the whole schema, application sections included
    assert build_spec(cfg).horizon_days > 0


@pytest.mark.parametrize("path", sorted((ROOT / "tests" / "configs").glob("*.yaml")) + [ROOT / "bench" / "b14.yaml"],
                         ids=lambda p: p.name)
def test_test_and_bench_networks_are_accepted(path: Path) -> None:
    AppConfig.model_validate(yaml.safe_load(path.read_text()))


def _schema() -> dict[str, Any]:
    return json.loads(_printed(["schema"]))


def _printed(argv: list[str]) -> str:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert schema_main(argv[1:]) == 0
    return out.getvalue()


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    return schema["$defs"][ref.rsplit("/", 1)[1]] if ref else node


def test_json_schema_describes_the_default_config(default_config: dict) -> None:
    """The JSON Schema knows every key of the default config, refuses unknown keys in every
    section, and states the ranges an editor can check (checked by hand: jsonschema is not a
    dependency)."""
    schema = _schema()
    assert schema["additionalProperties"] is False and set(schema["required"]) >= {"network", "segments"}
    assert set(default_config) <= set(schema["properties"])
    network = _resolve(schema, schema["properties"]["network"])
    assert set(default_config["network"]) <= set(network["properties"])
    assert all(d.get("additionalProperties") is False for d in schema["$defs"].values() if d.get("type") == "object"
               and "properties" in d)
    plant = _resolve(schema, network["properties"]["plants"]["additionalProperties"])
    line = _resolve(schema, plant["properties"]["lines"]["additionalProperties"])
    rate = next(o for o in line["properties"]["rate"]["anyOf"] if o.get("type") == "number")
    assert rate["exclusiveMinimum"] == 0
    for name, section in default_config["network"]["plants"].items():
        assert set(section) <= set(plant["properties"]), name
    seg = _resolve(schema, schema["properties"]["segments"]["additionalProperties"])
    sla = _resolve(schema, seg["properties"]["sla"])
    assert sla["properties"]["fill_rate"]["maximum"] == 1
    policies = _resolve(schema, seg["properties"]["policies"])
    tags = policies["properties"]["replenishment"]["discriminator"]["mapping"]
    assert {"s_S", "order_up_to", "base_stock", "r_Q", "echelon_base_stock"} == set(tags)


def test_reference_in_the_docs_is_generated_from_the_schema() -> None:
    committed = (ROOT / REFERENCE_PATH).read_text()
    assert committed == reference(), "regenerate it: python -m simulator schema --write"
    assert "#### `s_S`" in committed and "`cycle_days`" in committed and "### `dc_outage`" in committed
    assert "config-reference.md" in (ROOT / "README.md").read_text()


def test_schema_command_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert schema_main(["--bogus"]) == 2
    assert "--reference" in capsys.readouterr().err


@pytest.mark.parametrize(("override", "key", "value"), [
    ("network.lanes[2].lead_time=-3", "network.lanes[2].lead_time", "-3"),  # the key as messages name it
    ("network.customers.ecom_west.orders_per_day=nan", "network.customers.ecom_west.orders_per_day", "nan"),
])
def test_cli_refuses_bad_input_with_exit_2(override: str, key: str, value: str, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from simulator.app.cli import entry

    # Hydra's logging setup is left out: in process it would bind the root logger to this test's capture
    monkeypatch.setattr(sys, "argv", ["simulator", override, f"hydra.run.dir={tmp_path}", "quiet=true",
                                      "hydra/job_logging=none", "hydra/hydra_logging=none"])
    with pytest.raises(SystemExit) as done:
        entry()
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert f"'{key}'" in err and f"got {value}" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    if "lanes" in override:  # the README shows this one, word for word
        assert f"$ python -m simulator '{override}'\n{err.strip()}\n" in (ROOT / "README.md").read_text()
    written = [p.name for p in tmp_path.iterdir() if p.name != ".hydra" and p.suffix != ".log"]
    assert written == [], written  # nothing but Hydra's own record of the composed config


def test_readme_policy_table_names_every_parameter() -> None:
    """The README's policy table (prose for planners) cannot drift from the policies: each row names a
    registered policy and mentions every one of its parameters."""
    import dataclasses
    import re

    from policies import REGISTRY

    rows = [r for r in re.findall(r"^\| ([a-z_]+)[^|]* \| `(\w+)` \|.*\| (.*) \|$", (ROOT / "README.md").read_text(),
                                  re.M) if r[0] in REGISTRY]
    assert len(rows) >= 20
    for kind, name, params in rows:
        assert name in REGISTRY[kind], (kind, name)
        for f in dataclasses.fields(REGISTRY[kind][name]):
            assert f"`{f.name}`" in params, (kind, name, f.name)
