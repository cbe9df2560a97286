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
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scenarios.base import Disruption, Schedule, Window
from simulator.engine.config_reader import Node
from simulator.engine.errors import ConfigError

if TYPE_CHECKING:
    from simulator.engine.availability import Availability
    from simulator.engine.model import Model
    from simulator.engine.spec import Spec


def _capacity_factor(node: Node) -> float:
    f = node.number("capacity_factor", 0.0, min=0.0)
    if f >= 1.0:
        raise ConfigError(node.key("capacity_factor"), f, "must be >= 0 and < 1 (0 = down, 0.4 = 40% of capacity)")
    return f


def _lanes(node: Node, spec: Spec) -> tuple[tuple[str, str], ...]:
    """Lanes whose origin and destination match the ``from`` and ``to`` name patterns (glob, e.g. ``*_north``)."""
    origin, dest = node.string("from", "*"), node.string("to", "*")
    pairs = sorted({(ln.origin, ln.dest) for ln in spec.lanes})
    out = tuple(p for p in pairs if fnmatch.fnmatchcase(p[0], origin) and fnmatch.fnmatchcase(p[1], dest))
    if not out:
        known = ", ".join(f"{a}->{b}" for a, b in pairs)
        raise ConfigError(node.key("from"), {"from": origin, "to": dest}, f"matches no lane; lanes are: {known}")
    return out


class _AvailabilityDisruption(Disruption):
    """Shared mechanics of disruptions that lower the ``Availability`` of nodes."""

    __slots__ = ()

    def availabilities(self, model: Model) -> list[Availability]:
        raise NotImplementedError

    def prepare(self, model: Model, windows: list[Window]) -> None:
        for a in self.availabilities(model):
            a.may_change = True

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
    keys = ("target", "capacity_factor")

    @classmethod
    def parse(cls, name: str, node: Node, spec: Spec, schedule: Schedule) -> SupplierFailure:
        targets = node.names("target", choices=spec.suppliers)
        level = _capacity_factor(node)
        for t in targets:
            if level > 0 and spec.suppliers[t].capacity_per_day is None:
                raise ConfigError(node.key("capacity_factor"), level,
                                  f"supplier {t} has no capacity_per_day, so only 0 (no shipments) applies")
        return cls(name, schedule, targets, level)

    def availabilities(self, model: Model) -> list[Availability]:
        return [model.suppliers[t].availability for t in self.targets]


@dataclass(frozen=True, slots=True)
class LineBreakdown(_AvailabilityDisruption):
    """A production line breaks down (``capacity_factor: 0``) or runs slower (a maintenance overrun).
    A batch in progress is paused and resumes with its remaining work when the line is back."""

    kind = "line_breakdown"
    keys = ("target", "capacity_factor")

    @classmethod
    def parse(cls, name: str, node: Node, spec: Spec, schedule: Schedule) -> LineBreakdown:
        lines = {f"{p.name}/{ln.name}": (p.name, ln.name) for p in spec.plants.values() for ln in p.lines}
        targets: list[tuple[str, str]] = []
        for t in node.names("target"):
            if t in spec.plants:
                targets += [(t, ln.name) for ln in spec.plants[t].lines]
            elif t in lines:
                targets.append(lines[t])
            else:
                allowed = ", ".join(sorted(spec.plants) + sorted(lines))
                raise ConfigError(node.key("target"), t, f"unknown plant or line (plant/line); known: {allowed}")
        return cls(name, schedule, tuple(targets), _capacity_factor(node))

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
    keys = ("target", "stock_loss")
    stock_loss: float = 0.0

    @classmethod
    def parse(cls, name: str, node: Node, spec: Spec, schedule: Schedule) -> DcOutage:
        return cls(name, schedule, node.names("target", choices=spec.warehouses), 0.0,
                   node.number("stock_loss", 0.0, min=0.0, max=1.0))

    def availabilities(self, model: Model) -> list[Availability]:
        return [model.warehouses[t].availability for t in self.targets]

    def prepare(self, model: Model, windows: list[Window]) -> None:
        for t in self.targets:
            model.ctx.carrier.docks[t] = model.warehouses[t].availability

    def begin(self, model: Model) -> None:
        ctx = model.ctx
        for t in self.targets:
            for point in model.warehouses[t].stock.values():
                lost = point.on_hand * self.stock_loss
                if ctx.integer_units:
                    lost = float(math.floor(lost))
                point.on_hand -= lost
                ctx.ledger.written_off[point.sku] += lost
                if lost > 0:
                    ctx.recorder.write_offs.append((model.env.now, t, point.sku, point.segment.name, lost))
        super(DcOutage, self).begin(model)

    def end(self, model: Model) -> None:
        super(DcOutage, self).end(model)  # held receipts are put away first, in arrival order
        for t in self.targets:
            if model.warehouses[t].availability.up:
                for point in model.warehouses[t].stock.values():
                    point.serve_backlog()


@dataclass(frozen=True, slots=True)
class LaneCongestion(Disruption):
    """Port or lane congestion: shipments that leave on a matching lane while it is on take
    ``lead_time_factor`` times their normal transit. Goods already on the way when it starts
    arrive as planned (the delay is taken at the congested lane's entry: port, border, hub)."""

    kind = "lane_congestion"
    keys = ("from", "to", "lead_time_factor")

    @classmethod
    def parse(cls, name: str, node: Node, spec: Spec, schedule: Schedule) -> LaneCongestion:
        return cls(name, schedule, _lanes(node, spec), node.number("lead_time_factor", min=0.0, strict_min=True))

    def begin(self, model: Model) -> None:
        for lane in self.targets:
            model.ctx.carrier.transit_factor.setdefault(lane, {})[self.name] = self.level

    def end(self, model: Model) -> None:
        _drop(model.ctx.carrier.transit_factor, self.targets, self.name)


@dataclass(frozen=True, slots=True)
class CarrierCapacityLoss(Disruption):
    """Fewer trucks: while on, a matching lane carries at most ``units_per_day``; shipments queue for
    departure first come, first served (queued goods count as in transit). Shipments already queued
    when capacity returns keep their departure times."""

    kind = "carrier_capacity_loss"
    keys = ("from", "to", "units_per_day")

    @classmethod
    def parse(cls, name: str, node: Node, spec: Spec, schedule: Schedule) -> CarrierCapacityLoss:
        return cls(name, schedule, _lanes(node, spec), node.number("units_per_day", min=0.0, strict_min=True))

    def begin(self, model: Model) -> None:
        for lane in self.targets:
            model.ctx.carrier.lane_capacity.setdefault(lane, {})[self.name] = self.level

    def end(self, model: Model) -> None:
        _drop(model.ctx.carrier.lane_capacity, self.targets, self.name)


def _drop(table: dict[tuple[str, str], dict[str, float]], lanes: tuple[tuple[str, str], ...], name: str) -> None:
    for lane in lanes:
        entry = table.get(lane, {})
        entry.pop(name, None)
        if not entry:
            table.pop(lane, None)


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
    keys = ("factor", "segments", "channels", "families", "skus")
    segments: frozenset[str] | None = None
    channels: frozenset[str] | None = None

    @classmethod
    def parse(cls, name: str, node: Node, spec: Spec, schedule: Schedule) -> DemandChange:
        segs = frozenset(node.names("segments", choices=spec.segments)) if node.has("segments") else None
        chans = frozenset(node.names("channels", choices=spec.channels)) if node.has("channels") else None
        skus = None
        if node.has("families") or node.has("skus"):
            fams = node.names("families", tuple(spec.families), choices=spec.families)
            pats = node.names("skus", ("*",))
            skus = tuple(s for f in fams for s in spec.families[f].skus if any(fnmatch.fnmatchcase(s, p) for p in pats))
            if not skus:
                raise ConfigError(node.key("skus"), list(pats), "matches no SKU of the chosen families")
        return cls(name, schedule, skus or ("all",), node.number("factor", min=0.0), segs, chans)

    def prepare(self, model: Model, windows: list[Window]) -> None:
        skus = None if self.targets == ("all",) else frozenset(self.targets)
        model.demand_modifiers.append(_WindowFactor(tuple(windows), self.level, self.segments, self.channels, skus))

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
    keys = ("target",)

    @classmethod
    def parse(cls, name: str, node: Node, spec: Spec, schedule: Schedule) -> Disruption:
        target = node.string("target")
        sub = Node({"target": target}, node.path)
        if target in spec.suppliers:
            return SupplierFailure.parse(name, sub, spec, schedule)
        if target in spec.warehouses:
            return DcOutage.parse(name, sub, spec, schedule)
        lines = [f"{p.name}/{ln.name}" for p in spec.plants.values() for ln in p.lines]
        if target in spec.plants or target in lines:
            return LineBreakdown.parse(name, sub, spec, schedule)
        allowed = ", ".join(sorted(spec.suppliers) + sorted(spec.plants) + lines + sorted(spec.warehouses))
        raise ConfigError(node.key("target"), target, f"unknown node; known: {allowed}")


KINDS: dict[str, type] = {cls.kind: cls for cls in (SupplierFailure, LaneCongestion, DemandChange, LineBreakdown,
                                                     DcOutage, CarrierCapacityLoss, Outage)}


def node_names(spec: Spec) -> list[str]:
    """Every node an ``outage`` can target: suppliers, plants, lines (``plant/line``) and DCs."""
    lines = [f"{p.name}/{ln.name}" for p in spec.plants.values() for ln in p.lines]
    return sorted(spec.suppliers) + sorted(spec.plants) + lines + sorted(spec.warehouses)
