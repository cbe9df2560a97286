"""Customer goodwill: a customer whose orders are lost or delivered late orders less for a while.

Optional per channel (``network.channels.<name>.goodwill``). Each customer stream of such a channel
keeps a goodwill level g between ``floor`` and 1 that multiplies its demand rate (its orders are
thinned: each order line is placed with probability g, from the stream's own random numbers, so the
orders drawn are the same as without goodwill while g = 1). Lost units and late units lower g in
proportion to how many days of the customer's planned demand they are; g recovers towards 1,
halving its distance to 1 every ``recovery_half_life_days``.

The ``goodwill`` table has one row per customer, segment and day on which goodwill was below 1:
the level at the end of the day and the demand (units, revenue at list price) the customer did not
place that day because of it, at its planned rate.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Generator
from typing import Any

import simpy

from simulator.engine.context import Context
from simulator.engine.demand import CustomerStream, DemandModifier
from simulator.engine.flow import OrderLine
from simulator.engine.spec import Customer, GoodwillRule


class Goodwill:
    """One customer's goodwill over time (no SimPy: advanced by the times it is read at).

    ``daily_units``: the customer's planned demand per day, the yardstick of a penalty;
    ``forgone``: day-equivalents of demand not placed so far, the integral of (1 - g) over time.
    """

    __slots__ = ("rule", "daily_units", "level", "t", "forgone", "_rate")

    def __init__(self, rule: GoodwillRule, daily_units: float) -> None:
        self.rule = rule
        self.daily_units = daily_units
        self.level = 1.0
        self.t = 0.0
        self.forgone = 0.0
        self._rate = math.log(2.0) / rule.recovery_half_life_days

    def at(self, t: float) -> float:
        """Goodwill at time ``t`` (not before the last time read)."""
        dt = t - self.t
        if dt > 0:
            gap = 1.0 - self.level
            if gap > 0:
                decay = math.exp(-self._rate * dt)
                self.forgone += gap * (1.0 - decay) / self._rate
                self.level = 1.0 - gap * decay
            self.t = t
        return self.level

    def hit(self, t: float, units: float, penalty: float) -> None:
        """``units`` lost or late at time ``t``: goodwill drops by ``penalty`` per day of demand."""
        if units <= 0 or penalty <= 0 or self.daily_units <= 0:
            return
        level = self.at(max(t, self.t))
        self.level = max(self.rule.floor, level - penalty * units / self.daily_units)


class _Factor(DemandModifier):
    """Goodwill as a demand modifier of its own customer stream (never above 1: it only thins)."""

    def __init__(self, goodwill: Goodwill, env: simpy.Environment) -> None:
        self.goodwill = goodwill
        self.env = env

    def factor(self, t: float, sku: str, channel: str, segment: str) -> float:
        return self.goodwill.at(t)

    def max_factor(self) -> float:
        return 1.0


class GoodwillStream(CustomerStream):
    """A customer stream whose demand follows its goodwill (see the module docstring)."""

    def __init__(self, ctx: Context, spec: Customer, order_ids: itertools.count[int],
                 line_ids: itertools.count[int], shared: dict[tuple[Any, ...], Any]) -> None:
        super().__init__(ctx, spec, order_ids, line_ids, shared)
        rule = ctx.spec.channels[spec.channel].goodwill
        assert rule is not None
        self.rule = rule
        per_line = spec.qty.mean * spec.lines_per_order.mean
        self.goodwill = Goodwill(rule, per_line / spec.interarrival.mean if spec.interarrival.mean > 0 else 0.0)
        # each segment's share of the stream's units and its revenue per unit (list prices)
        shares: dict[str, list[float]] = {}
        for sku, w in zip(spec.skus, spec.sku_weights, strict=True):
            seg = self._route[sku][0].name
            acc = shares.setdefault(seg, [0.0, 0.0])
            acc[0] += w
            acc[1] += w * ctx.spec.skus[sku].price
        self.shares = {seg: (u, r) for seg, (u, r) in shares.items()}

    def processes(self, modifiers: list[DemandModifier]) -> list[Generator[simpy.Event, Any, None]]:
        out = super().processes([*modifiers, _Factor(self.goodwill, self.ctx.env)])
        out.append(self._daily())
        return out

    def lost(self, line: OrderLine, qty: float) -> None:
        self.goodwill.hit(self.ctx.env.now, qty, self.rule.lost_penalty)

    def deliver(self, line: OrderLine, qty: float, at: float) -> None:
        super().deliver(line, qty, at)
        seg = line.segment
        if seg is not None and at > line.created + seg.promised_lead_time + 1e-9:
            self.goodwill.hit(at, qty, self.rule.late_penalty)

    def _daily(self) -> Generator[simpy.Event, Any, None]:
        """At the end of each day, book the demand goodwill cost that day."""
        env, g, rows = self.ctx.env, self.goodwill, self.ctx.recorder.goodwill
        day, booked = 0, 0.0
        while True:
            yield env.timeout(day + 1 - env.now)
            level = g.at(env.now)
            lost_days, booked = g.forgone - booked, g.forgone
            if lost_days > 0:
                units = lost_days * g.daily_units
                for seg, (share, revenue) in self.shares.items():
                    rows.append((day, self.name, self.channel, seg, level, units * share, units * revenue))
            day += 1
