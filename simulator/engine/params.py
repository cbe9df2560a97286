"""The vocabulary of the config schema: sections, finite numbers, names and distributions.

Every config section is a pydantic model derived from ``Section``: unknown keys are refused, a
key written as ``null`` means "use the default" (unless ``null`` itself is a meaningful value,
e.g. ``s: null`` = planned by segsim), and every number is finite. Ranges are declared where the
key is declared, once. The engine and the scenarios use these types to declare their own
parameters; ``simulator.config`` assembles them into the whole schema and turns pydantic's
errors into one-line ``ConfigError`` messages.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict, create_model, model_validator

from simulator.engine.distributions import _LAWS, Dist, constant

# --- numbers ------------------------------------------------------------------------------------
Number = Annotated[float, Strict(), Field(allow_inf_nan=False)]  # any finite number (an int is fine)
NonNeg = Annotated[float, Strict(), Field(allow_inf_nan=False, ge=0)]
Positive = Annotated[float, Strict(), Field(allow_inf_nan=False, gt=0)]
Share = Annotated[float, Strict(), Field(allow_inf_nan=False, ge=0, le=1)]  # a probability or share in [0, 1]
Whole = Annotated[int, Strict()]
Count = Annotated[int, Strict(), Field(ge=1)]
Flag = Annotated[bool, Strict()]
Text = Annotated[str, Strict()]


def _one_or_many(v: Any) -> Any:
    return [v] if isinstance(v, str) else v


# A list of names; a single name is read as a one-item list.
Names = Annotated[list[Text], BeforeValidator(_one_or_many)]


def _accepts_none(annotation: Any) -> bool:
    if typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    return typing.get_origin(annotation) in (Union, types.UnionType) and type(None) in typing.get_args(annotation)


class Invalid(ValueError):
    """A check inside a section that names one of its keys: ``key`` (relative to the section),
    the value found there and what is allowed."""

    def __init__(self, key: str, value: Any, allowed: str) -> None:
        super().__init__(allowed)
        self.key, self.value, self.allowed = key, value, allowed


class Section(BaseModel):
    """A mapping of config keys: unknown keys are refused; ``key: null`` reads as absent."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, arbitrary_types_allowed=True,
                              validate_default=True)

    @model_validator(mode="before")
    @classmethod
    def _null_is_default(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        fields = cls.model_fields
        by_alias = {f.alias or n: f for n, f in fields.items()}
        return {k: v for k, v in data.items()
                if not (v is None and k in by_alias and not _accepts_none(by_alias[k].annotation))}


# --- distributions ------------------------------------------------------------------------------
def _dist_model(name: str) -> type[Section]:
    law = _LAWS[name]
    fields: dict[str, Any] = {"dist": (Literal[name], ...)}
    fields.update({p: (Number, ...) for p in law.required})
    fields["shift"] = (NonNeg, 0.0)

    def check(self: Any) -> Any:
        problem = law.check({p: getattr(self, p) for p in law.required})
        if problem:
            raise ValueError(problem if name == "constant" else f"'{name}' {problem}")
        return self

    return create_model(f"dist_{name}", __base__=Section, __doc__=f"A '{name}' distribution.",
                        __validators__={"check": model_validator(mode="after")(check)},  # type: ignore[dict-item]
                        **fields)


DIST_MODELS = {name: _dist_model(name) for name in _LAWS}


def _number_is_constant(v: Any) -> Any:
    """A plain number is a fixed value (``constant``)."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return {"dist": "constant", "value": v}
    return v


# A distribution: a plain number (a fixed value) or ``{dist: <name>, <parameters>..., shift: <days>}``.
DistSpec = Annotated[  # type: ignore[valid-type]
    Union[tuple(DIST_MODELS.values())],  # noqa: UP007
    Field(discriminator="dist"),
    BeforeValidator(_number_is_constant),
]


def to_dist(model: BaseModel) -> Dist:
    """The engine's ``Dist`` of a validated distribution section."""
    name = model.dist  # type: ignore[attr-defined]
    params = tuple((p, float(getattr(model, p))) for p in _LAWS[name].required)
    shift = float(model.shift)  # type: ignore[attr-defined]
    if name == "constant":  # fold the shift into the value
        return constant(params[0][1] + shift)
    return Dist(name, params, shift)
