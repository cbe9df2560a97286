"""The config schema of freight: how carriers group and bill what the network ships
(``network.freight``) and the carriers that run the lanes (``network.carriers``)."""

from __future__ import annotations

from pydantic import Field

from simulator.engine.params import DistSpec, Flag, Names, Section, Share, Text


class FreightCfg(Section):
    """Freight as carriers charge it."""

    consolidate_orders: Flag = Field(
        True, description="lines of one customer order leaving a node together travel as one shipment with one "
                          "per-shipment charge; made-to-order and drop-ship lines wait at their maker for the rest "
                          "of the order (false: every line is its own shipment)")


class _Record(Section):
    """A carrier's on-time record: the share of shipments delivered by their due date and the extra
    days of the late ones."""

    on_time: Share | None = Field(None, description="probability a shipment arrives by its due date "
                                                    "(null: the mode's)")
    delay: DistSpec | None = Field(None, description="days late of a late shipment (null: the mode's)")


class CarrierLaneCfg(_Record):
    """The carrier's record on particular lanes (it runs them: their ``carrier`` names it)."""

    origin: Text = Field(alias="from")
    to: Names


class CarrierCfg(_Record):
    """A carrier: a company that runs lanes, with its on-time record (by default and per lane)."""

    lanes: list[CarrierLaneCfg] = Field([], description="its record on particular lanes, overriding its default")
