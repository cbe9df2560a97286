"""Hydra, OmegaConf and YAML errors turned into one line a planner can act on.

The command line hands every error it can blame on its input (a config key, an override, a YAML
file) to ``one_line``; the caller prints ``segsim: <line>`` and exits with status 2. Anything else
is a bug and keeps its traceback.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import yaml
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException, MissingConfigException, OverrideParseException
from omegaconf.errors import OmegaConfBaseException

from simulator.engine.errors import ConfigError

OVERRIDE_FORMS = ("write key=value, +key=value to add a key, ~key to remove one, group=option to choose a "
                  "config file; list items are numbered: network.lanes[2].lead_time=3")


class OverrideError(ValueError):
    """A command-line override that cannot be read."""


def normalize_override(arg: str) -> str:
    """``network.lanes[2].lead_time=3`` -> ``network.lanes.2.lead_time=3``: list items in a key are
    written the way error messages name them; Hydra's grammar wants the dotted form."""
    if arg.startswith("-"):
        return arg
    key, sep, value = arg.partition("=")
    return re.sub(r"\[(\d+)\]", r".\1", key) + sep + value if sep else arg


def check_overrides(overrides: Sequence[str]) -> None:
    """Raise ``OverrideError`` naming the first override Hydra's grammar rejects or that has no key."""
    parser = OverridesParser.create()
    for text in overrides:
        try:
            parsed = parser.parse_overrides([text])[0]
        except (OverrideParseException, HydraException) as exc:
            lines = [_first_line(str(node)) for node in _chain(exc)]
            reason = next((ln for ln in lines if ln and not ln.startswith("LexerNoViableAltException")), lines[0])
            raise OverrideError(f"cannot read the override {text!r} ({reason}); {OVERRIDE_FORMS}") from None
        if not parsed.key_or_group:
            raise OverrideError(f"the override {text!r} names no key; {OVERRIDE_FORMS}")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    node: BaseException | None = exc
    while node is not None and id(node) not in seen:
        seen.add(id(node))
        yield node
        node = node.__cause__ or node.__context__


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0].strip() if text.strip() else ""


def _yaml_line(err: yaml.MarkedYAMLError) -> str:
    mark = err.problem_mark or err.context_mark
    where = f"{mark.name}, line {mark.line + 1}, column {mark.column + 1}" if mark else "a YAML file"
    problem = " ".join(str(err.problem or "").split())
    if "could not determine a constructor for the tag" in problem:
        problem += " (YAML tags such as !!python/... are not allowed in a config)"
    elif "found character '\\t'" in problem:
        problem = "a tab character; indent YAML with spaces"
    context = " ".join(str(err.context or "").split())
    return f"YAML error in {where}: {problem}" + (f" ({context})" if context and "duplicate" in problem else "")


def _missing_config(exc: MissingConfigException, overrides: Sequence[str]) -> str:
    missing = exc.missing_cfg_file or ""
    group, _, option = missing.rpartition("/")
    if exc.options is None or not group:
        return " ".join(_first_line(str(exc)).split())
    named = [o for o in overrides if o.lstrip("+~").partition("=")[0] in (group, group.replace("/", "."))
             and option in o.partition("=")[2].split(",")]
    where = f" (override {named[0]!r})" if named else ""
    return f"no {group} option {option!r}{where}; choose one of: {', '.join(exc.options)}"


def one_line(exc: BaseException, overrides: Sequence[str] = ()) -> str | None:
    """The one-line message for an input error, or None when ``exc`` is not one (a bug: re-raise it)."""
    if isinstance(exc, (ConfigError, OverrideError)):
        return str(exc)
    chain = list(_chain(exc))
    for node in chain:
        if isinstance(node, yaml.MarkedYAMLError):
            return _yaml_line(node)
    if isinstance(exc, MissingConfigException):
        return _missing_config(exc, overrides)
    for node in chain:
        found = re.search(r"Key '([^']*)' is not in struct", str(node))
        if found:
            key = str(getattr(node, "full_key", None) or found.group(1))
            named = [o for o in overrides if o.partition("=")[0] == key]
            where = f" (override {named[0]!r})" if named else ""
            return f"no config key {key!r}{where}; to add a new key write +{key}=<value>"
    if not any(isinstance(node, (HydraException, OmegaConfBaseException, yaml.YAMLError)) for node in chain):
        return None
    parts: list[str] = []
    for node in chain:
        text = str(node)
        if "$VALUE" in text or "$KEY" in text:
            continue
        lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
        lines = [ln for ln in lines if not ln.startswith(("object_type=", "See https://", "Config search path"))]
        line = "; ".join(lines[:3])
        if line and not any(line in p for p in parts):
            parts.append(line)
    return ": ".join(parts[:2]) or type(exc).__name__
