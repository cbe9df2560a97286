"""The JSON Schema for editors and the policy and parameter reference (docs/config-reference.md),
both generated from the config schema so that neither can drift from what segsim accepts."""

from __future__ import annotations

import json
import types
import typing
from typing import Annotated, Any, Literal, Union

import annotated_types as at
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from policies import REGISTRY
from scenarios.kinds import KINDS
from simulator.config.policy import params_model
from simulator.engine.params import DIST_MODELS

REFERENCE_PATH = "docs/config-reference.md"


def json_schema(root: type[BaseModel]) -> str:
    """The JSON Schema (draft 2020-12) of the whole config, as indented JSON text."""
    schema = root.model_json_schema(mode="validation")
    schema["title"] = "segsim configuration"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, indent=2, sort_keys=False) + "\n"


# --- the markdown reference --------------------------------------------------------------------
def _bounds(metadata: list[Any]) -> str:
    words = []
    for m in metadata:
        for cls, op, attr in ((at.Ge, ">=", "ge"), (at.Gt, ">", "gt"), (at.Le, "<=", "le"), (at.Lt, "<", "lt")):
            if isinstance(m, cls):
                words.append(f"{op} {getattr(m, attr)}")
        if isinstance(m, at.MinLen) and m.min_length:
            words.append(f"at least {m.min_length}")
        inner = getattr(m, "metadata", None)  # pydantic's FieldInfo inside Annotated
        if inner:
            words.append(_bounds(list(inner)))
    return " ".join(dict.fromkeys(w for w in words if w))


def _words(tp: Any, metadata: list[Any] | None = None) -> str:
    """A planner's reading of a schema type: 'number >= 0 or null', 'list of names'..."""
    metadata = list(metadata or [])
    if any("one_or_many" in getattr(getattr(m, "func", None), "__name__", "") for m in metadata):
        return "list of names (or one name)"
    while typing.get_origin(tp) is Annotated:
        tp, *extra = typing.get_args(tp)
        metadata += extra
        if any(getattr(m, "discriminator", None) == "dist" for m in extra):
            return "distribution"
        if any(type(m).__name__ == "BeforeValidator" and "one_or_many" in getattr(m.func, "__name__", "")
               for m in extra):
            return "list of names (or one name)"
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        args = typing.get_args(tp)
        kinds = {_policy_kind(a) for a in args} - {None}
        if kinds:
            return f"{kinds.pop()} policy" + (" or null" if type(None) in args else "")
        if any(isinstance(a, type) and issubclass(a, BaseModel) and "dist" in a.model_fields for a in args):
            return "distribution"
        parts = [_words(a) for a in args if a is not type(None)]
        return " or ".join(dict.fromkeys(parts)) + (" or null" if type(None) in args else "")
    bounds = _bounds(metadata)
    if tp is float:
        return f"number {bounds}".strip()
    if tp is int:
        return f"whole number {bounds}".strip()
    if tp is bool:
        return "true or false"
    if tp is str:
        return "text"
    if origin is Literal:
        return " or ".join(str(a) for a in typing.get_args(tp))
    if origin is dict:
        return f"mapping of name to {_words(typing.get_args(tp)[1])}"
    if origin in (list, tuple):
        args = [a for a in typing.get_args(tp) if a is not Ellipsis]
        return f"list of {_words(args[0])}" + (f" ({bounds})" if bounds else "")
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return f"{_policy_kind(tp)} policy" if _policy_kind(tp) else "section (below)"
    return "any"


def _policy_kind(tp: Any) -> str | None:
    name = getattr(tp, "__name__", "")
    kind = name.split(".")[0]
    return kind if "." in name and kind in REGISTRY else None


def _default(f: FieldInfo) -> str:
    if f.is_required():
        return "required"
    d = f.default
    if isinstance(d, BaseModel):
        return "(section defaults)"
    return "`null`" if d is None else f"`{json.dumps(d) if not isinstance(d, str) else d}`"


def _table(model: type[BaseModel], skip: tuple[str, ...] = ()) -> list[str]:
    rows = ["| key | value | default | meaning |", "|---|---|---|---|"]
    for name, f in model.model_fields.items():
        if name in skip:
            continue
        key = f.alias or name
        text = (f.description or "").replace("|", "/")
        rows.append(f"| `{key}` | {_words(f.annotation, f.metadata)} | {_default(f)} | {text} |")
    return rows if len(rows) > 2 else ["(no parameters)"]


def _doc(model: type[Any]) -> str:
    return " ".join((model.__doc__ or "").strip().split())


def _sections(root: type[BaseModel]) -> list[tuple[str, type[BaseModel]]]:
    """Every section model reachable from ``root``, with the config path where it is written
    (policies, distributions and disruption kinds are listed apart)."""
    out: list[tuple[str, type[BaseModel]]] = []

    def walk(tp: Any, path: str) -> None:
        while typing.get_origin(tp) is Annotated:
            tp = typing.get_args(tp)[0]
        origin = typing.get_origin(tp)
        if origin is dict:
            walk(typing.get_args(tp)[1], f"{path}.<name>")
        elif origin in (list, tuple):
            walk(typing.get_args(tp)[0], f"{path}[]")
        elif origin in (Union, types.UnionType):
            for arg in typing.get_args(tp):
                walk(arg, path)
        elif isinstance(tp, type) and issubclass(tp, BaseModel) and all(m is not tp for _, m in out) \
                and _policy_kind(tp) is None and "dist" not in tp.model_fields and "kind" not in tp.model_fields:
            out.append((path or "(top level)", tp))
            for name, f in tp.model_fields.items():
                walk(f.annotation, f"{path}.{f.alias or name}" if path else (f.alias or name))

    walk(root, "")
    return out


def reference_markdown(root: type[BaseModel]) -> str:
    """docs/config-reference.md: every section, policy, distribution and disruption kind with its keys."""
    lines = ["# Configuration reference", "",
             "Generated from the config schema (`python -m simulator schema --reference`); do not edit by hand.",
             "A key written as `null` takes its default. Every number must be finite (no `.nan`, no `.inf`);",
             "where a key allows \"no limit\", it is spelled `null` and says so. The JSON Schema for editors:",
             "`python -m simulator schema > segsim.schema.json`.", "", "## Sections", ""]
    for path, model in _sections(root):
        tag = model.model_fields.get("type")
        kind = f" (`type: {typing.get_args(tag.annotation)[0]}`)" if tag is not None else ""
        lines += [f"### `{path}`{kind}", "", _doc(model), "", *_table(model), ""]
    lines += ["## Policies", "",
              "Written as `{type: <name>, <parameter>: <value>...}` or just `<name>`; parameters left out",
              "(or `null`) are planned by segsim where the policy says so.", ""]
    for kind, table in REGISTRY.items():
        lines += [f"### {kind}", ""]
        for name in table:
            model = params_model(kind, name)
            lines += [f"#### `{name}`", "", _doc(model), "", *_table(model, skip=("type",)), ""]
    lines += ["## Distributions", "",
              "A plain number is a fixed value; otherwise `{dist: <name>, <parameters>..., shift: <days>}`.", ""]
    for name, model in DIST_MODELS.items():
        params = ", ".join(f"`{k}`" for k in model.model_fields if k not in ("dist", "shift"))
        lines.append(f"- `{name}`: {params}; optional `shift` (>= 0, added to every draw)")
    lines += ["", "## Disruption kinds", "",
              "Under `scenario.disruptions.<name>`; each has a schedule: `start` and `duration`, or `mtbf` and",
              "`mttr` (an on/off random process).", ""]
    schedule = ("kind", "description", "start", "duration", "mtbf", "mttr")
    for kind, cls in KINDS.items():
        lines += [f"### `{kind}`", "", " ".join((cls.__doc__ or "").split()), "", *_table(cls.Params, skip=schedule),
                  ""]
    return "\n".join(lines).rstrip() + "\n"
