"""The config schema of ``network.freight``: how carriers group and bill what the network ships."""

from __future__ import annotations

from pydantic import Field

from simulator.engine.params import Flag, Section


class FreightCfg(Section):
    """Freight as carriers charge it."""

    consolidate_orders: Flag = Field(
        True, description="lines of one customer order leaving a node together travel as one shipment with one "
                          "per-shipment charge; made-to-order and drop-ship lines wait at their maker for the rest "
                          "of the order (false: every line is its own shipment)")
