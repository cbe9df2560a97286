"""The config schema of freight: how carriers group and bill what the network ships
(``network.freight``) and the carriers that run the lanes (``network.carriers``)."""

from __future__ import annotations

from pydantic import Field

from simulator.engine.params import DistSpec, Flag, Names, NonNeg, Section, Share, Text


class FreightCfg(Section):
    """Freight as carriers charge it."""

    consolidate_orders: Flag = Field(
        True, description="lines of one customer order leaving a node together travel as one shipment with one "
                          "per-shipment charge; made-to-order and drop-ship lines wait at their maker for the rest "
                          "of the order (false: every line is its own shipment)")
    hubs: dict[Text, HubCfg] = Field({}, description="zone skipping: a truck to a hub, parcel from there "
                                                     "(none: every lane goes direct)")


class LegCfg(Section):
    """One leg between two places: its mode (``network.transport_modes``), transit time and optionally
    its own rates and carrier (a lane, or a leg of a zone-skipping route)."""

    mode: Text
    lead_time: DistSpec
    cost_per_unit: NonNeg | None = Field(None, description="default: the mode's")
    cost_per_shipment: NonNeg | None = Field(None, description="default: the mode's")
    co2_per_unit: NonNeg | None = Field(None, description="default: the mode's")
    carrier: Text | None = Field(None, description="the carrier running it (network.carriers); default: the mode")


class LinehaulCfg(LegCfg):
    """The line haul into the hub: from which nodes (DCs) goods ride a truck to it."""

    origin: Names = Field(alias="from", description="nodes whose goods for the hub's customers go via the hub")


class HubCfg(Section):
    """A zone-skipping hub (a carrier's injection point): goods for the customers it serves leave
    their DC on a line-haul truck to it (a mode with ``truck_capacity`` and ``max_wait_days`` gathers
    the day's parcels onto one truck: parcel consolidation), are sorted, and go the last mile by parcel."""

    serves: Names = Field(min_length=1, description="customers whose goods go via this hub")
    linehaul: LinehaulCfg
    last_mile: LegCfg
    handling_days: NonNeg = Field(0.0, description="sorting time at the hub")


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
