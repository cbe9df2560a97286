"""The disruption kinds, each a small frozen dataclass named in config by ``kind``.

| kind | target | effect while on |
|---|---|---|
| ``supplier_failure`` | suppliers | ships nothing (``capacity_factor: 0``) or works at part of its capacity |
| ``lane_congestion`` | lanes (``from``/``to`` patterns) | transit of shipments leaving now x ``lead_time_factor`` |
| ``demand_change`` | segments / channels / families / SKU patterns | demand rate x ``factor`` (spike > 1, drop < 1) |
| ``line_breakdown`` | lines (``plant/line``) or whole plants | capacity to ``capacity_factor`` (0 = broken down) |
| ``dc_outage`` | warehouses | no picks, no receipts; ``stock_loss`` share of stock destroyed at the start |
| ``carrier_capacity_loss`` | lanes (``from``/``to``) | at most ``units_per_day`` leave on the lane; the rest queue |
| ``outage`` | any supplier, plant, ``plant/line`` or DC | the node is down (resolves to one of the kinds above) |
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from scenarios.base import Disruption, DisruptionParams, Schedule, Window
from simulator.engine.errors import ConfigError
from simulator.engine.params import Names, NonNeg, Number, Positive, Share, Text

if TYPE_CHECKING:
    from simulator.engine.availability import Availability
    from simulator.engine.model import Model
    from simulator.engine.spec import Spec


CapacityFactor = Field(0.0, ge=0, lt=1, description="share of capacity left (0 = down, 0.4 = 40% of capacity)")


def _names(key: str, names: list[str], known: Any) -> tuple[str, ...]:
    for x in names:
        if x not in known:
            raise ConfigError(key, x, f"unknown name; known: {', '.join(sorted(known))}")
    return tuple(names)


class _LaneParams(DisruptionParams):
    origin: Text = Field("*", alias="from", description="origin name pattern (glob)")
    to: Text = Field("*", description="destination name pattern (glob)")


def _lanes(p: _LaneParams, key: str, spec: Spec) -> tuple[tuple[str, str], ...]:
    """Lanes whose origin and destination match the ``from`` and ``to`` name patterns (glob, e.g. ``*_north``)."""
    origin, dest = p.origin, p.to
    pairs = sorted({(ln.origin, ln.dest) for ln in spec.lanes})
    out = tuple(p for p in pairs if fnmatch.fnmatchcase(p[0], origin) and fnmatch.fnmatchcase(p[1], dest))
    if not out:
        known = ", ".join(f"{a}->{b}" for a, b in pairs)
        raise ConfigError(f"{key}.from", {"from": origin, "to": dest}, f"matches no lane; lanes are: {known}")
    return out


class _AvailabilityDisruption(Disruption):
    """Shared mechanics of disruptions that lower the ``Availability`` of nodes."""

    __slots__ = ()

    def availabilities(self, model: Model) -> list[Availability]:
        raise NotImplementedError

    def prepare(self, model: Model, windows: list[Window]) -> None:
        for a in self.availabilities(model):
            a.expect_changes()

    def begin(self, model: Model) -> None:
        for a in self.availabilities(model):
            a.apply(self.name, self.level)

    def end(self, model: Model) -> None:
        for a in self.availabilities(model):
            a.lift(self.name)


@dataclass(frozen=True, slots=True)
class SupplierFailure(_AvailabilityDisruption):
    """A supplier ships nothing (``capacity_factor: 0``, the default) or works at part of its daily
    capacity. Orders that fall due while it is down are held and dispatched, in order, when it recovers."""

    kind = "supplier_failure"

    class Params(DisruptionParams):
        kind: Literal["supplier_failure"]
        target: Names = Field(description="suppliers")
        capacity_factor: Number = CapacityFactor

    @classmethod
    def parse(cls, name: str, p: Any, key: str, spec: Spec, schedule: Schedule) -> SupplierFailure:
        targets = _names(f"{key}.target", p.target, spec.suppliers)
        level = p.capacity_factor
        for t in targets:
            if level > 0 and spec.suppliers[t].capacity_per_day is None:
                raise ConfigError(f"{key}.capacity_factor", level,
                                  f"supplier {t} has no capacity_per_day, so only 0 (no shipments) applies")
        return cls(name, schedule, targets, level)

    def availabilities(self, model: Model) -> list[Availability]:
        return [model.suppliers[t].availability for t in self.targets]


@dataclass(frozen=True, slots=True)
class LineBreakdown(_AvailabilityDisruption):
    """A production line breaks down (``capacity_factor: 0``) or runs slower (a maintenance overrun).
    A batch in progress is paused and resumes with its remaining work when the line is back."""

    kind = "line_breakdown"

    class Params(DisruptionParams):
        kind: Literal["line_breakdown"]
        target: Names = Field(description="plants or lines (plant/line)")
        capacity_factor: Number = CapacityFactor

    @classmethod
    def parse(cls, name: str, p: Any, key: str, spec: Spec, schedule: Schedule) -> LineBreakdown:
        lines = {f"{pl.name}/{ln.name}": (pl.name, ln.name) for pl in spec.plants.values() for ln in pl.lines}
        targets: list[tuple[str, str]] = []
        for t in p.target:
            if t in spec.plants:
                targets += [(t, ln.name) for ln in spec.plants[t].lines]
            elif t in lines:
                targets.append(lines[t])
            else:
                allowed = ", ".join(sorted(spec.plants) + sorted(lines))
                raise ConfigError(f"{key}.target", t, f"unknown plant or line (plant/line); known: {allowed}")
        return cls(name, schedule, tuple(targets), p.capacity_factor)

    def labels(self) -> list[str]:
        return [f"{plant}/{line}" for plant, line in self.targets]

    def availabilities(self, model: Model) -> list[Availability]:
        out = []
        for plant, line in self.targets:
            out += [ln.availability for ln in model.plants[plant].lines if ln.name == line]
        return out


@dataclass(frozen=True, slots=True)
class DcOutage(_AvailabilityDisruption):
    """A DC closes: no picks (orders wait on backorder), no receipts (arriving goods wait at the dock,
    still counted in transit). ``stock_loss`` is the share of its stock destroyed when the outage starts."""

    kind = "dc_outage"
    stock_loss: float = 0.0

    class Params(DisruptionParams):
        kind: Literal["dc_outage"]
        target: Names = Field(description="warehouses")
        stock_loss: Share = Field(0.0, description="share of its stock destroyed when the outage starts")

    @classmethod
    def parse(cls, name: str, p: Any, key: str, spec: Spec, schedule: Schedule) -> DcOutage:
        return cls(name, schedule, _names(f"{key}.target", p.target, spec.warehouses), 0.0, p.stock_loss)

    def availabilities(self, model: Model) -> list[Availability]:
        return [model.warehouses[t].availability for t in self.targets]

    def prepare(self, model: Model, windows: list[Window]) -> None:
        for t in self.targets:
            model.warehouses[t].may_close()

    def begin(self, model: Model) -> None:
        for t in self.targets:
            model.warehouses[t].write_off(self.stock_loss)
        super(DcOutage, self).begin(model)

    def end(self, model: Model) -> None:
        super(DcOutage, self).end(model)  # held receipts are put away first, in arrival order
        for t in self.targets:
            model.warehouses[t].serve_backlogs()


@dataclass(frozen=True, slots=True)
class LaneCongestion(Disruption):
    """Port or lane congestion: shipments that leave on a matching lane while it is on take
    ``lead_time_factor`` times their normal transit. Goods already on the way when it starts
    arrive as planned (the delay is taken at the congested lane's entry: port, border, hub)."""

    kind = "lane_congestion"

    class Params(_LaneParams):
        kind: Literal["lane_congestion"]
        lead_time_factor: Positive = Field(description="transit x this factor while on")

    @classmethod
    def parse(cls, name: str, p: Any, key: str, spec: Spec, schedule: Schedule) -> LaneCongestion:
        return cls(name, schedule, _lanes(p, key, spec), p.lead_time_factor)

    def begin(self, model: Model) -> None:
        for lane in self.targets:
            model.ctx.carrier.slow_lane(lane, self.name, self.level)

    def end(self, model: Model) -> None:
        for lane in self.targets:
            model.ctx.carrier.slow_lane(lane, self.name, None)


@dataclass(frozen=True, slots=True)
class CarrierCapacityLoss(Disruption):
    """Fewer trucks: while on, a matching lane carries at most ``units_per_day``; shipments queue for
    departure first come, first served (queued goods count as in transit). Shipments already queued
    when capacity returns keep their departure times."""

    kind = "carrier_capacity_loss"

    class Params(_LaneParams):
        kind: Literal["carrier_capacity_loss"]
        units_per_day: Positive = Field(description="most units leaving on a matching lane per day")

    @classmethod
    def parse(cls, name: str, p: Any, key: str, spec: Spec, schedule: Schedule) -> CarrierCapacityLoss:
        return cls(name, schedule, _lanes(p, key, spec), p.units_per_day)

    def begin(self, model: Model) -> None:
        for lane in self.targets:
            model.ctx.carrier.limit_lane(lane, self.name, self.level)

    def end(self, model: Model) -> None:
        for lane in self.targets:
            model.ctx.carrier.limit_lane(lane, self.name, None)


@dataclass(frozen=True, slots=True)
class _WindowFactor:
    """A ``DemandModifier``: demand of matching items is multiplied by ``value`` inside the windows."""

    windows: tuple[Window, ...]
    value: float
    segments: frozenset[str] | None
    channels: frozenset[str] | None
    skus: frozenset[str] | None

    def factor(self, t: float, sku: str, channel: str, segment: str) -> float:
        if ((self.segments is not None and segment not in self.segments)
                or (self.channels is not None and channel not in self.channels)
                or (self.skus is not None and sku not in self.skus)):
            return 1.0
        return self.value if any(a <= t < b for a, b in self.windows) else 1.0

    def max_factor(self) -> float:
        return max(self.value, 1.0)


@dataclass(frozen=True, slots=True)
class DemandChange(Disruption):
    """A demand spike (``factor`` > 1) or drop (< 1) on chosen segments, channels, families or SKU
    patterns (all when left out). Acts through the model's demand modifiers, so the base order
    stream stays the same as in the baseline (paired comparisons)."""

    kind = "demand_change"
    segments: frozenset[str] | None = None
    channels: frozenset[str] | None = None

    class Params(DisruptionParams):
        kind: Literal["demand_change"]
        factor: NonNeg = Field(description="demand x this factor while on (spike > 1, drop < 1)")
        segments: Names | None = None
        channels: Names | None = None
        families: Names | None = None
        skus: Names | None = Field(None, description="SKU name patterns (glob)")

    @classmethod
    def parse(cls, name: str, p: Any, key: str, spec: Spec, schedule: Schedule) -> DemandChange:
        segs = frozenset(_names(f"{key}.segments", p.segments, spec.segments)) if p.segments is not None else None
        chans = frozenset(_names(f"{key}.channels", p.channels, spec.channels)) if p.channels is not None else None
        skus = None
        if p.families is not None or p.skus is not None:
            fams = _names(f"{key}.families", p.families, spec.families) if p.families is not None \
                else tuple(spec.families)
            pats = p.skus if p.skus is not None else ["*"]
            skus = tuple(s for f in fams for s in spec.families[f].skus if any(fnmatch.fnmatchcase(s, q) for q in pats))
            if not skus:
                raise ConfigError(f"{key}.skus", list(pats), "matches no SKU of the chosen families")
        return cls(name, schedule, skus or ("all",), p.factor, segs, chans)

    def prepare(self, model: Model, windows: list[Window]) -> None:
        skus = None if self.targets == ("all",) else frozenset(self.targets)
        model.add_demand_modifier(_WindowFactor(tuple(windows), self.level, self.segments, self.channels, skus))

    def labels(self) -> list[str]:
        parts = [",".join(sorted(x)) for x in (self.segments, self.channels) if x is not None]
        if self.targets != ("all",):
            parts.append(f"{len(self.targets)} SKUs")
        return [" ".join(parts) or "all demand"]

    def begin(self, model: Model) -> None:  # the modifier reads the windows itself
        pass

    def end(self, model: Model) -> None:
        pass


class Outage:
    """``kind: outage`` on any node name: a supplier failure, a plant's or one line's breakdown,
    or a DC outage, all with capacity 0 (used by the stress matrix)."""

    kind = "outage"

    class Params(DisruptionParams):
        kind: Literal["outage"]
        target: Text = Field(description="a supplier, plant, plant/line or DC")

    @classmethod
    def parse(cls, name: str, p: Any, key: str, spec: Spec, schedule: Schedule) -> Disruption:
        target = p.target
        if target in spec.suppliers:
            return SupplierFailure(name, schedule, (target,), 0.0)
        if target in spec.warehouses:
            return DcOutage(name, schedule, (target,), 0.0)
        lines = [f"{pl.name}/{ln.name}" for pl in spec.plants.values() for ln in pl.lines]
        if target in spec.plants or target in lines:
            sub = LineBreakdown.Params(kind="line_breakdown", target=[target], duration=1.0)
            return LineBreakdown.parse(name, sub, key, spec, schedule)
        allowed = ", ".join(sorted(spec.suppliers) + sorted(spec.plants) + lines + sorted(spec.warehouses))
        raise ConfigError(f"{key}.target", target, f"unknown node; known: {allowed}")


KINDS: dict[str, type] = {cls.kind: cls for cls in (SupplierFailure, LaneCongestion, DemandChange, LineBreakdown,
                                                     DcOutage, CarrierCapacityLoss, Outage)}


def node_names(spec: Spec) -> list[str]:
    """Every node an ``outage`` can target: suppliers, plants, lines (``plant/line``) and DCs."""
    lines = [f"{p.name}/{ln.name}" for p in spec.plants.values() for ln in p.lines]
    return sorted(spec.suppliers) + sorted(spec.plants) + lines + sorted(spec.warehouses)
