"""Network-wide topology check: lanes join known nodes and every customer can be reached."""

from __future__ import annotations

from simulator.engine.errors import ConfigError
from simulator.engine.network import Network
from simulator.engine.spec import Spec


def _check_topology(spec: Spec) -> None:
    """Network-wide checks: lanes join known nodes; every customer can be reached from stock."""
    nodes = set(spec.suppliers) | set(spec.plants) | set(spec.warehouses) | set(spec.customers)
    lane_pairs = set()
    for i, lane in enumerate(spec.lanes):
        for end, key in ((lane.origin, "from"), (lane.dest, "to")):
            if end not in nodes:
                raise ConfigError(f"network.lanes[{i}].{key}", end, f"unknown node; known: {', '.join(sorted(nodes))}")
        lane_pairs.add((lane.origin, lane.dest))
    for name, wh in spec.warehouses.items():
        for src in wh.sources:
            if src not in nodes or src in spec.customers or src == name:
                raise ConfigError(f"network.warehouses.{name}.sources", src,
                                  "a source must be another warehouse, a plant or a supplier")
            if (src, name) not in lane_pairs:
                raise ConfigError(f"network.warehouses.{name}.sources", src, f"no lane from {src} to {name}; add one")
    for pname, plant in spec.plants.items():
        for m in plant.raw_stock:
            sups = [s.name for s in spec.suppliers.values() if m in s.supplies]
            if not sups:
                raise ConfigError(f"network.plants.{pname}.raw_stock.{m}", m, "no supplier supplies this material")
            if not any((s, pname) in lane_pairs for s in sups):
                raise ConfigError(f"network.plants.{pname}.raw_stock.{m}", m,
                                  f"no lane to {pname} from its suppliers ({', '.join(sups)})")
    network = Network(spec)
    for cname, cust in spec.customers.items():
        for dc in cust.served_from:
            if (dc, cname) not in lane_pairs:
                raise ConfigError(f"network.customers.{cname}.served_from", dc, f"no lane from {dc} to {cname}")
        for sku in cust.skus:
            decision = network.decision(cname, sku)
            if not decision.from_stock:
                if decision.maker is None:
                    raise ConfigError(f"segments.{decision.segment.name}.policies.production", "make_to_order",
                                      f"no plant or supplier making {sku} has a chain of lanes to {cname}; "
                                      "add a lane or serve the segment make_to_stock")
                continue
            if not any(network.stock_source(dc, sku) is not None for dc in cust.served_from):
                raise ConfigError(f"network.customers.{cname}.served_from", list(cust.served_from),
                                  f"no path to stock of {sku}: none of these warehouses has a source chain "
                                  "ending at a plant that makes it or a supplier that sells it")
