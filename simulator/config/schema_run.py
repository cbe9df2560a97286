"""The config schema of segments, assignment, demand, scenario and run settings; ``RunConfig``
is the whole config a run is built from."""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal, Union

from pydantic import BeforeValidator, Discriminator, Field, Strict, Tag, model_validator

from scenarios.kinds import KINDS
from simulator.config.inventory import InventoryCfg
from simulator.config.policy import policy_field
from simulator.config.resources import DEFAULT_MAX_ROWS
from simulator.config.schema import NetworkCfg
from simulator.engine.params import (
    Count,
    DistSpec,
    Flag,
    Invalid,
    Names,
    NonNeg,
    Number,
    Positive,
    Section,
    Share,
    Text,
)


class SlaCfg(Section):
    """The segment's service-level agreement."""

    fill_rate: Share = Field(description="target share of demand filled from stock, 0 to 1")
    lead_time_days: NonNeg = Field(description="promised days from order to delivery")


class PoliciesCfg(Section):
    """The decisions a segment makes, one policy per kind (``{type: name, params...}`` or ``name``)."""

    production: policy_field("production") = "make_to_stock"  # type: ignore[valid-type]
    replenishment: policy_field("replenishment") = "s_S"  # type: ignore[valid-type]
    safety_stock: policy_field("safety_stock") = "z_sigma"  # type: ignore[valid-type]
    fulfilment: policy_field("fulfilment") = "dc_pick"  # type: ignore[valid-type]
    transport: policy_field("transport") = "first_listed"  # type: ignore[valid-type]
    forecast: policy_field("forecast") | None = None  # type: ignore[valid-type]
    stock_allocation: policy_field("stock_allocation") | None = None  # type: ignore[valid-type]


class AlertsCfg(Section):
    """Warnings a segment asks for during the run (name at least one)."""

    stockout_within_days: Positive | None = None
    forecast_deviation_pct: Positive | None = None
    deviation_window: Count = 7
    line_load_pct: Positive | None = None
    load_window: Count = 7

    @model_validator(mode="after")
    def _one(self) -> AlertsCfg:
        if self.stockout_within_days is None and self.forecast_deviation_pct is None and self.line_load_pct is None:
            raise Invalid("stockout_within_days", None, "name at least one alert: stockout_within_days, "
                          "forecast_deviation_pct or line_load_pct")
        return self


class SegmentCfg(Section):
    """A planning segment: its SLA, priority and policies."""

    description: Text = ""
    sla: SlaCfg
    priority: Annotated[int, Field(ge=0, strict=True)] | None = Field(
        None, description="smaller = more important (default: the order listed)")
    policies: PoliciesCfg = {}  # type: ignore[assignment]
    alerts: AlertsCfg | None = None
    planning: Literal["planned_lead_time", "finite_capacity"] | None = Field(
        None, description="how made-to-order lines are promised: the plant's planned lead time, or the line's "
        "queue (finite capacity); writes the promises table; null = not quoted")


class RuleCfg(Section):
    """An assignment rule: matching (SKU, channel) pairs go to ``segment``."""

    segment: Text
    families: Names | None = None
    channels: Names | None = None
    skus: Names | None = Field(None, description="SKU name patterns (glob)")
    rank: tuple[Count, Count] | None = Field(None, description="[first, last] popularity ranks")

    @model_validator(mode="after")
    def _rank(self) -> RuleCfg:
        if self.rank is not None and self.rank[0] > self.rank[1]:
            raise Invalid("rank", list(self.rank), "expected [first, last] popularity ranks, 1 <= first <= last")
        return self


class AssignmentCfg(Section):
    """Hybrid segmentation: each (SKU, channel) gets the segment of the first rule it matches."""

    default: Text | None = Field(None, description="segment of what no rule matches (default: the first)")
    rules: list[RuleCfg] = []


class TraceCfg(Section):
    """A stretch of the run written out event by event."""

    start: NonNeg = 0.0
    end: NonNeg
    sku: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _pair(cls, data: Any) -> Any:
        if isinstance(data, (list, tuple)):
            if len(data) != 2:
                raise ValueError("expected false, true (the first 2 days), [start, end] in days, "
                                 "or {start: d, end: d, sku: name}")
            return {"start": data[0], "end": data[1]}
        return data

    @model_validator(mode="after")
    def _after(self) -> TraceCfg:
        if self.end <= self.start:
            raise Invalid("end", self.end, f"must be after trace.start ({self.start:g}) and at most horizon_days")
        return self


class ScopeCfg(Section):
    """Which demand a demand model changes (empty = all)."""

    skus: Names = Field([], description="SKU name patterns (glob)")
    families: Names = []
    segments: Names = []
    channels: Names = []


class WeeklyCfg(ScopeCfg):
    """A day-of-week profile of demand (7 factors, day 0 of the run first)."""

    type: Literal["weekly"]
    profile: list[NonNeg] = Field(description="7 factors >= 0, day 0 of the run first")

    @model_validator(mode="after")
    def _some(self) -> WeeklyCfg:
        if len(self.profile) != 7 or sum(self.profile) <= 0:
            raise Invalid("profile", self.profile, "expected 7 numbers >= 0 (day 0 of the run first), not all 0")
        return self


class YearlyCfg(ScopeCfg):
    """A yearly season: demand x (1 + amplitude cos(2 pi (t - peak_day) / 365))."""

    type: Literal["yearly"]
    amplitude: Annotated[float, Field(ge=0, lt=1, strict=True, allow_inf_nan=False)]
    peak_day: Number = 0.0


class TrendCfg(ScopeCfg):
    """A linear trend of demand: ``per_year`` = relative change over a year."""

    type: Literal["trend"]
    per_year: Annotated[float, Field(ge=-1, strict=True, allow_inf_nan=False)]


class PromotionCfg(ScopeCfg):
    """A promotion: demand x (1 + uplift) over [start, end)."""

    type: Literal["promotion"]
    start: NonNeg
    end: NonNeg
    uplift: NonNeg

    @model_validator(mode="after")
    def _after(self) -> PromotionCfg:
        if self.end <= self.start:
            raise Invalid("end", self.end, f"must be after start ({self.start:g})")
        return self


class LaunchCfg(Section):
    """A new SKU launched like an existing one (its analog), ramping up over ``ramp_days``."""

    type: Literal["launch"]
    sku: Text
    analog: Text
    scale: NonNeg = 1.0
    start: NonNeg = 0.0
    ramp_days: NonNeg = 0.0

    @model_validator(mode="after")
    def _other(self) -> LaunchCfg:
        if self.analog == self.sku:
            raise Invalid("analog", self.analog, "the analog must be another, existing SKU")
        return self


DemandModel = Annotated[Union[WeeklyCfg, YearlyCfg, TrendCfg, PromotionCfg, LaunchCfg],  # noqa: UP007
                        Field(discriminator="type")]


class OverrideCfg(Section):
    """A consensus forecast adjustment: units per day for SKUs (patterns) or families over [start, end)."""

    skus: Names | None = None
    families: Names | None = None
    nodes: Names = Field([], description="warehouses (default: every location)")
    start: NonNeg
    end: NonNeg
    value: NonNeg
    author: Text
    reason: Text

    @model_validator(mode="after")
    def _check(self) -> OverrideCfg:
        if (self.skus is None) == (self.families is None):
            raise Invalid("skus", self.skus, "give exactly one of skus (patterns) or families")
        if self.end <= self.start:
            raise Invalid("end", self.end, f"must be after start ({self.start:g})")
        for k in ("author", "reason"):
            if not getattr(self, k).strip():
                raise Invalid(k, "", "an override needs an author and a reason (they go into the audit trail)")
        return self


class IntermittentCfg(Section):
    """Sporadic, lumpy demand: one-line orders of ``size`` every ``mean_interval_days`` (Poisson)."""

    customer: Text
    skus: Names = Field(description="SKU name patterns (glob)")
    mean_interval_days: Positive
    size: DistSpec

    @model_validator(mode="after")
    def _size(self) -> IntermittentCfg:
        from simulator.engine.params import to_dist

        if to_dist(self.size).mean <= 0:
            raise Invalid("size", self.size.model_dump(), "mean order size must be > 0")
        return self


class DemandCfg(Section):
    """Changes to the configured demand: seasons, promotions, overrides, intermittent streams."""

    models: list[DemandModel] = []
    overrides: list[OverrideCfg] = []
    intermittent: list[IntermittentCfg] = []


Disruption = Annotated[Union[tuple(cls.Params for cls in KINDS.values())],  # type: ignore[valid-type]  # noqa: UP007
                       Field(discriminator="kind")]


class ScenarioCfg(Section):
    """A named, composable set of disruptions."""

    name: Text = "unnamed"
    description: Text = ""
    disruptions: dict[Text, Disruption] = {}


AUTO_WARMUP_DAYS = 28.0  # warmup_days: auto leaves out four weeks (a quarter of a shorter horizon)


class LimitsCfg(Section):
    """How big a run may be before it is refused, unbuilt (``simulator/config/resources.py``)."""

    max_rows: Annotated[float, Strict(), Field(allow_inf_nan=False, ge=1)] = Field(
        DEFAULT_MAX_ROWS, description="rows the run may store: daily stock + order lines + shipments")


def _as_text(v: Any) -> Any:
    return str(v) if isinstance(v, (int, float, datetime.date)) and not isinstance(v, bool) else v


class SegmentsMetaCfg(Section):
    """What a segments file says about itself: recorded in every run (run.json, report header)."""

    name: Annotated[Text, BeforeValidator(_as_text)] | None = None
    version: Annotated[Text, BeforeValidator(_as_text)] | None = None
    approved_by: Annotated[Text, BeforeValidator(_as_text)] | None = None
    approved_on: Annotated[Text, BeforeValidator(_as_text)] | None = Field(None, description="YYYY-MM-DD")
    inputs: list[Text] = Field([], description="files the definitions were derived from (hashed into run.json)")


class RunConfig(Section):
    """The whole config of one run (what ``python -m simulator`` composes)."""

    seed: Annotated[int, Field(ge=0, strict=True)] = Field(
        0, description="root seed; every random stream derives from it")
    horizon_days: Positive = Field(365.0, description="simulated days")
    warmup_days: NonNeg = Field(0.0, description="orders and stock before this day are left out of the KPIs; "
                                                     "auto = 28 days (a quarter of a shorter horizon)")
    network: NetworkCfg
    segments: dict[Text, SegmentCfg] = Field(min_length=1)
    assignment: AssignmentCfg = {}  # type: ignore[assignment]
    segments_meta: SegmentsMetaCfg = {}  # type: ignore[assignment]
    scenario: ScenarioCfg | None = None
    demand: DemandCfg = {}  # type: ignore[assignment]
    trace: Annotated[Union[Annotated[Flag, Tag("on_off")], Annotated[TraceCfg, Tag("window")]],  # noqa: UP007
                     Discriminator(lambda v: "on_off" if isinstance(v, bool) else "window")] = Field(
        False, description="true = the first 2 days; [start, end] in days; or {start, end, sku}")
    quiet: Flag = Field(False, description="no progress bar")
    replications: Count = Field(1, description="N > 1: N runs with seeds derived from seed")
    sweep_detail: Flag = Field(False, description="in a multirun, each job also writes its detail tables "
                                                  "(Parquet), summary tables (sop.csv, ...) and report.html")
    name: Text = Field("", description="a name for the run")
    policy: Any = Field(None, description="(Hydra group +policy=..., merged into segments)")
    output: Any = Field(None, description="(reserved for output settings)")
    hydra: Any = Field(None, description="Hydra's own settings (not read by segsim)")
    resilience: Any = Field(None, description="resilience measures (validated by the application)")
    limits: LimitsCfg = LimitsCfg()
    inventory: InventoryCfg | None = Field(
        None, description="lots, shelf life, obsolete stock, ownership and reserves; null = stock not aged")

    @model_validator(mode="before")
    @classmethod
    def _auto_warmup(cls, data: Any) -> Any:
        """``warmup_days: auto``: 28 days (the default company's stock falls from its starting
        order-up-to levels to its running level within about four weeks), or a quarter of a
        shorter horizon."""
        if not isinstance(data, dict) or "warmup_days" not in data:
            return data
        raw, horizon = data["warmup_days"], data.get("horizon_days", 365.0)
        if raw == "auto":
            if isinstance(horizon, (int, float)) and not isinstance(horizon, bool):
                return {**data, "warmup_days": min(AUTO_WARMUP_DAYS, horizon / 4)}
            return {**data, "warmup_days": 0.0}  # the horizon's own error is reported
        if isinstance(raw, str):
            raise Invalid("warmup_days", raw, "expected a number of days >= 0, or auto")
        return data

    @model_validator(mode="after")
    def _warmup(self) -> RunConfig:
        if self.warmup_days >= self.horizon_days:
            raise Invalid("warmup_days", self.warmup_days, f"must be smaller than horizon_days ({self.horizon_days:g})")
        return self
