"""The set-up form: controls generated from the config groups and the segment policy registry,
and the form turned back into command-line overrides.

A form is always expressed as the overrides ``python -m simulator`` would take, so what the
workbench runs is exactly the command line it shows (and a planner can paste it into a terminal).
"""

from __future__ import annotations

import re
import shlex
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from policies.registry import KINDS, REGISTRY
from simulator.app.cli import CONF_DIR, compose, read_settings
from simulator.config import build_spec
from simulator.config.policy import params_model
from simulator.engine.errors import ConfigError

GROUPS = ("network", "segments", "scenario")  # config groups picked from a list ("company", segmentation, scenario)
TOP_FIELDS = (("horizon_days", "Horizon (days)"), ("seed", "Seed"), ("replications", "Replications"))
AUTO = ""  # an empty parameter box: leave it out (planned from the item's demand, or the class default)


@dataclass
class Param:
    """One policy parameter: its name, a hint of the values it takes, and its class default."""

    name: str
    hint: str
    default: Any
    choices: tuple[str, ...] = ()


@dataclass
class Control:
    """One segment's policy of one kind: the chosen name and the parameter values set in config."""

    segment: str
    kind: str
    chosen: str  # "" when the segment's config does not set this kind (the engine's default applies)
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"segments.{self.segment}.policies.{self.kind}"


def group_options(group: str) -> list[str]:
    """Names selectable for a config group (its YAML files)."""
    return sorted(p.stem for p in (CONF_DIR / group).glob("*.yaml"))


def catalogue() -> dict[str, dict[str, list[Param]]]:
    """Every registered policy of every kind with its parameters, from the config schema's model of
    each policy (``simulator.config.policy.params_model``: the fields and defaults the schema checks)."""
    return {kind: {name: _params(params_model(kind, name)) for name in sorted(REGISTRY[kind])} for kind in KINDS}


def policy_help(kind: str, name: str) -> str:
    """The first paragraph of the policy's own description (shown as the control's tooltip)."""
    return (params_model(kind, name).__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")


def _params(model: type) -> list[Param]:
    params = []
    for name, f in model.model_fields.items():  # type: ignore[attr-defined]
        if name == "type":
            continue
        hint = f.annotation
        args = typing.get_args(hint)
        choices = tuple(str(a) for a in args) if typing.get_origin(hint) is typing.Literal else ()
        default = None if f.is_required() else f.default
        params.append(Param(name, _hint_text(hint), default, choices))
    return params


def _hint_text(hint: Any) -> str:
    words = {float: "number", int: "whole number", bool: "true/false", str: "text", type(None): "empty = auto"}
    args = typing.get_args(hint) or (hint,)
    out = []
    for a in args:
        base = typing.get_args(a)[0] if typing.get_origin(a) is typing.Annotated else a
        out.append(words.get(base, getattr(base, "__name__", str(base))))
    return " or ".join(dict.fromkeys(out))


def base_overrides(choice: Mapping[str, str]) -> list[str]:
    """Overrides for the config groups chosen (only those that differ from ``conf/config.yaml``)."""
    defaults = {"network": "default", "segments": "default", "scenario": "baseline"}
    return [f"{g}={choice[g]}" for g in GROUPS if choice.get(g) and choice[g] != defaults[g]]


def controls(config: Mapping[str, Any]) -> list[Control]:
    """One control per segment x policy kind of a composed config."""
    out = []
    for seg, body in (config.get("segments") or {}).items():
        policies = (body or {}).get("policies") or {}
        for kind in KINDS:
            raw = policies.get(kind)
            if raw is None:
                out.append(Control(seg, kind, ""))
            elif isinstance(raw, str):
                out.append(Control(seg, kind, raw))
            else:
                raw = dict(raw)
                out.append(Control(seg, kind, str(raw.pop("type", "")), raw))
    return out


def parse_value(text: str) -> Any:
    """A form box's text as YAML would read it (``7`` -> 7, ``0.5`` -> 0.5, ``null`` -> None, ``true``)."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def _literal(value: Any) -> str:
    """A value in Hydra's override grammar."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    return str(value)


def form_overrides(form: Mapping[str, str], base: Mapping[str, Any]) -> list[str]:
    """The overrides a set-up form stands for, against the config its groups compose to (``base``).

    Form names: ``network``/``segments``/``scenario`` (group choices), ``horizon_days``, ``seed``,
    ``replications``, ``sla.<segment>.<target>``, ``policy.<segment>.<kind>`` (the policy's name)
    and ``param.<segment>.<kind>.<policy>.<name>`` (a parameter of that policy; an empty box leaves it to
    its default).
    Only what differs from ``base`` becomes an override.
    """
    out = base_overrides(form)
    for name, _ in TOP_FIELDS:
        text = (form.get(name) or "").strip()
        if text and parse_value(text) != base.get(name):
            out.append(f"{name}={text}")
    for c in controls(base):
        sla = (base["segments"][c.segment] or {}).get("sla") or {}
        if c.kind == KINDS[0]:
            for target in ("fill_rate", "lead_time_days"):
                text = (form.get(f"sla.{c.segment}.{target}") or "").strip()
                if text and parse_value(text) != sla.get(target):
                    out.append(f"segments.{c.segment}.sla.{target}={text}")
        chosen = form.get(f"policy.{c.segment}.{c.kind}", c.chosen)
        if not chosen:
            continue
        prefix = f"param.{c.segment}.{c.kind}.{chosen}."
        values = {k[len(prefix):]: parse_value(v.strip()) for k, v in form.items()
                  if k.startswith(prefix) and v.strip() != AUTO}
        submitted = any(k.startswith(prefix) for k in form)  # a form without this policy's boxes keeps its values
        if chosen == c.chosen and (values == c.values or not submitted):
            continue
        out.extend(_policy_override(c, chosen, values))
    return out


def _policy_override(c: Control, chosen: str, values: dict[str, Any]) -> list[str]:
    if not values:
        value = chosen
    else:
        value = "{" + ", ".join(f"{k}: {_literal(v)}" for k, v in {"type": chosen, **values}.items()) + "}"
    if not c.chosen:
        return [f"+{c.key}={value}"]
    if not c.values and not values:
        return [f"{c.key}={value}"]
    # A mapping in the config would be merged with the new one (keeping parameters the new policy may not
    # take): remove it, then add the new one.
    return [f"~{c.key}", f"+{c.key}={value}"]


def command_line(overrides: Sequence[str], run_dir: str | Path | None = None) -> str:
    """The shell command that runs what the form set up."""
    args = [*overrides] + ([f"hydra.run.dir={run_dir}"] if run_dir else [])
    return " ".join(["python", "-m", "simulator", *(shlex.quote(a) for a in args)])


@dataclass
class Check:
    """The outcome of checking a form: its overrides, the composed config, and the first error."""

    overrides: list[str]
    config: dict[str, Any] | None
    error: str = ""
    error_key: str = ""
    simulations: int = 1  # runs the job makes: replications, twice each when the scenario has disruptions


def check(overrides: Sequence[str]) -> Check:
    """Compose the overrides and build the spec, as ``python -m simulator`` would before running."""
    try:
        config = compose(list(overrides))
    except Exception as exc:  # Hydra's composition errors (an unknown group option, bad override syntax)
        return Check(list(overrides), None, f"{type(exc).__name__}: {exc}".splitlines()[0])
    try:
        spec = build_spec(config)
        n, _ = read_settings(config)
    except ConfigError as exc:
        return Check(list(overrides), config, str(exc), exc.key)
    return Check(list(overrides), config, simulations=n * (2 if spec.scenario.disruptions else 1))


def field_for_error(error_key: str, names: Sequence[str], message: str = "") -> str:
    """The form field an error at ``error_key`` belongs to: the deepest field whose config key encloses
    it, or a parameter of the policy at ``error_key`` that the message names."""
    best, depth = "", -1
    for name in names:
        key = config_key(name)
        if not key:
            continue
        inside = error_key == key or error_key.startswith(key + ".")
        named = key.startswith(error_key + ".") and re.search(rf"\b{re.escape(key.rsplit('.', 1)[1])}\b", message)
        if (inside or named) and key.count(".") > depth:
            best, depth = name, key.count(".")
    return best


def config_key(name: str) -> str:
    """The config key a form field edits: ``param.tail.replenishment.s_S.S`` edits
    ``segments.tail.policies.replenishment.S``."""
    parts = name.split(".")
    if parts[0] == "policy" and len(parts) == 3:
        return f"segments.{parts[1]}.policies.{parts[2]}"
    if parts[0] == "param" and len(parts) == 5:
        return f"segments.{parts[1]}.policies.{parts[2]}.{parts[4]}"
    if parts[0] == "sla" and len(parts) == 3:
        return f"segments.{parts[1]}.sla.{parts[2]}"
    if name in dict(TOP_FIELDS):
        return name
    return ""
