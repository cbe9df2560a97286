"""Building routings, calendars, crews and tools from ``network.routings``, ``network.tools`` and
the ``calendar`` / ``crews`` / ``crew`` keys of plants and lines, with the checks that name other
entities (plants, lines, families, raw materials)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from simulator.config.checks import known
from simulator.config.schema import NetworkCfg
from simulator.config.schema_shop import CalendarCfg
from simulator.engine.distributions import constant
from simulator.engine.errors import ConfigError
from simulator.engine.params import to_dist
from simulator.engine.shop import Buffer, Calendar, Operation, Overtime, Routing, ShopFloor, Tool
from simulator.engine.spec import Family, Plant, RawStock


def build_routings(net: NetworkCfg, families: Mapping[str, Family], plants: dict[str, Plant]
                   ) -> dict[str, Routing]:
    """The routing of each family in ``network.routings``. The last operation's line is made a line of
    the family (the plant finishing it is its maker); the first operation's plant must stock the
    family's raw materials. ``plants`` is updated in place with those lines."""
    out: dict[str, Routing] = {}
    for fam, ops_cfg in net.routings.items():
        key = f"network.routings.{fam}"
        known("network.routings", [fam], families, each_key=True)
        if not ops_cfg:
            raise ConfigError(key, [], "a routing lists at least one operation ({plant, line, ...})")
        ops = []
        for i, o in enumerate(ops_cfg):
            at = f"{key}[{i}]"
            known(f"{at}.plant", [o.plant], plants)
            known(f"{at}.line", [o.line], [ln.name for ln in plants[o.plant].lines])
            unit_time = to_dist(o.unit_time) if o.unit_time is not None else None
            if o.rate is not None:
                unit_time = constant(1.0 / o.rate)
            b = o.stock_after
            if b is not None and i == len(ops_cfg) - 1:
                raise ConfigError(f"{at}.stock_after", b.model_dump(), "the last operation finishes the product: "
                                  "a semi-finished stock goes after an earlier operation")
            ops.append(Operation(
                o.plant, o.line, unit_time, to_dist(o.batch_time) if o.batch_time is not None else None,
                to_dist(o.changeover) if o.changeover is not None else None, o.changeover_cost, o.transfer_days,
                Buffer(b.s, b.S, b.initial if b.initial is not None else b.S) if b is not None else None))
        for p in plants.values():  # the family is made through its routing, not on some other line
            for ln in p.lines:
                if fam in ln.families and (p.name, ln.name) != (ops[-1].plant, ops[-1].line):
                    raise ConfigError(f"network.plants.{p.name}.lines.{ln.name}.families", list(ln.families),
                                      f"family '{fam}' has a routing: it is made by its operations only; "
                                      f"remove it here")
        first = plants[ops[0].plant]
        stock = dict(first.raw_stock)
        for m in families[fam].bom:
            r = net.plants[first.name].raw_stock.get(m)
            if r is None:
                raise ConfigError(f"network.plants.{first.name}.raw_stock.{m}", None,
                                  f"the first operation of the routing of '{fam}' takes raw material '{m}' "
                                  f"here: give its s, S")
            stock[m] = RawStock(m, r.s, r.S, r.initial if r.initial is not None else r.S)
        plants[first.name] = first = dataclasses.replace(first, raw_stock=dict(sorted(stock.items())))
        last = plants[ops[-1].plant]
        lines = tuple(dataclasses.replace(ln, families=(*ln.families, fam))
                      if ln.name == ops[-1].line and fam not in ln.families else ln for ln in last.lines)
        plants[last.name] = dataclasses.replace(last, lines=lines)
        out[fam] = Routing(fam, tuple(ops))
    return out


def _calendar(c: CalendarCfg) -> Calendar:
    ot = c.overtime
    return Calendar(c.hours_per_day, c.days_per_week, frozenset(c.holidays),
                    Overtime(ot.max_hours_per_day, ot.cost_per_hour) if ot is not None else None)


def build_shop(net: NetworkCfg, families: Mapping[str, Family]) -> ShopFloor | None:
    """Calendars, crews and tools of the lines; None when the config names none (lines run 24/7)."""
    calendars: dict[tuple[str, str], Calendar] = {}
    crew_of: dict[tuple[str, str], str] = {}
    crew_sizes: dict[str, int] = {}
    for pname, p in net.plants.items():
        for crew, size in p.crews.items():
            crew_sizes[f"{pname}/{crew}"] = size
        for lname, ln in p.lines.items():
            cal = ln.calendar if ln.calendar is not None else p.calendar
            if cal is not None:
                calendars[(pname, lname)] = _calendar(cal)
            if ln.crew is not None:
                if ln.crew not in p.crews:
                    raise ConfigError(f"network.plants.{pname}.lines.{lname}.crew", ln.crew,
                                      "unknown crew; declare it under the plant's crews "
                                      f"(allowed: {', '.join(sorted(p.crews)) or 'none declared'})")
                crew_of[(pname, lname)] = f"{pname}/{ln.crew}"
    tools: dict[str, Tool] = {}
    tooled: dict[str, str] = {}
    for name, t in net.tools.items():
        fams = known(f"network.tools.{name}.families", t.families, families)
        for f in fams:
            if f in tooled:
                raise ConfigError(f"network.tools.{name}.families", f,
                                  f"a family needs one tool; '{f}' already needs tool '{tooled[f]}'")
            tooled[f] = name
        tools[name] = Tool(name, fams, t.count)
    if not (calendars or crew_of or tools):
        return None
    return ShopFloor(calendars, crew_of, crew_sizes, tools)
