"""Network-wide topology check: sources and customers have their lanes, and every customer can be reached."""

from __future__ import annotations

from simulator.engine.errors import ConfigError
from simulator.engine.network import Network
from simulator.engine.spec import Spec


def _check_topology(spec: Spec, network: Network) -> None:
    """Network-wide checks: lanes join known nodes; every customer can be reached from stock."""
    # lane ends, unique names and the sources themselves are checked before (checks.py)
    lane_pairs = {(lane.origin, lane.dest) for lane in spec.lanes}
    for name, wh in spec.warehouses.items():
        for src in wh.sources:
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
    for cname, cust in spec.customers.items():
        for dc in cust.served_from:
            if (dc, cname) not in lane_pairs:
                raise ConfigError(f"network.customers.{cname}.served_from", dc, f"no lane from {dc} to {cname}")
        for decision, idx in network.customer_groups(cname):  # items of a group are served alike
            sku = cust.skus[idx[0]]
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
