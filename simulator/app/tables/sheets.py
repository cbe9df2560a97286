"""The workbook's layout: every sheet, its columns, what each column means and where it goes in the config.

One description drives the export, the import, the blank template and its ``columns`` sheet, so the
four never disagree. A row's config key is the sheet's ``base`` (filled with the row's identifying
cells) followed by the column's ``path``: row ``plant=plant_north, line=N1`` of ``lines`` puts its
``rate`` cell at ``network.plants.plant_north.lines.N1.rate``.
"""

from __future__ import annotations

from dataclasses import dataclass

# Cell kinds: what a cell may hold.
TEXT = "text"  # any text
NUMBER = "number"  # a finite number
INTEGER = "integer"  # a whole number
BOOL = "bool"  # TRUE / FALSE
NAMES = "names"  # one name or several, separated by commas
VALUE = "value"  # a number, or a distribution / policy written as {key: value, ...} (YAML flow style)

KIND_HELP = {
    TEXT: "text", NUMBER: "a number", INTEGER: "a whole number", BOOL: "TRUE or FALSE",
    NAMES: "names separated by commas", VALUE: "a number or {key: value, ...} (e.g. {dist: gamma, mean: 3, sd: 1})",
}


@dataclass(frozen=True)
class Column:
    """One column: its header, kind, config path below the row's base ('' = the base itself)."""

    name: str
    kind: str
    help: str
    path: str | None = None  # None: an identifying column (part of the row's base), or not stored
    required: bool = False
    min: float | None = None
    max: float | None = None
    refers_to: str | None = None  # the sheet whose names this cell must use ('nodes': any site)


@dataclass(frozen=True)
class Sheet:
    """One sheet: its rows are the entries of ``container`` (a mapping, or a list when ``listed``)."""

    name: str
    help: str
    base: str  # config path of a row, with {column} placeholders for its identifying cells
    columns: tuple[Column, ...]
    ids: tuple[tuple[str, str], ...]  # (identifying column, config path of the mapping it names a key of)
    listed: bool = False  # rows are a list (lanes, assignment rules): base has {index}
    required: bool = True

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def id_columns(self) -> tuple[str, ...]:
        """The columns naming a row (a key of its mapping); empty for listed sheets."""
        return tuple(name for name, _ in self.ids if name != "index")


def _id(name: str, help: str, refers_to: str | None = None) -> Column:
    return Column(name, TEXT, help, None, required=True, refers_to=refers_to)


def _c(name: str, kind: str, help: str, path: str | None = None, **kw: object) -> Column:
    return Column(name, kind, help, path if path is not None else name, **kw)  # type: ignore[arg-type]


NODE_SHEETS = ("suppliers", "plants", "warehouses", "customers")
SETTINGS_KEYS = {
    "network.name": (TEXT, "short name of the company model (letters, digits, _)"),
    "network.description": (TEXT, "one line describing the company"),
    "network.integer_units": (BOOL, "TRUE: stock and orders in whole units"),
    "network.holding_rate": (NUMBER, "annual holding cost as a fraction of unit cost (0.25 = 25%/year)"),
    "assignment.default": (TEXT, "segment of every product x channel that no assignment rule matches"),
    "segments_meta.name": (TEXT, "name of this set of segment definitions"),
    "segments_meta.version": (TEXT, "version of the segment definitions (recorded in every run)"),
    "segments_meta.approved_by": (TEXT, "who approved the segment definitions"),
    "segments_meta.approved_on": (TEXT, "date of approval, YYYY-MM-DD"),
}

SHEETS: tuple[Sheet, ...] = (
    Sheet("settings", "Company-wide settings and the segment definitions' version and approval: one key per row.",
          "{key}", (_id("key", "the setting (see the list in this sheet)"),
                    _c("value", VALUE, "its value", "")), (("key", ""),)),
    Sheet("sites", "Where each supplier, plant, DC and customer group is: for the map and lane distances.",
          "network.locations.{name}",
          (_id("name", "a supplier, plant, warehouse or customer named on its own sheet", "nodes"),
           Column("kind", TEXT, "supplier, plant, warehouse or customer (checked against the sheets)"),
           _c("latitude", NUMBER, "degrees north (-90 to 90), WGS84", "lat", required=True, min=-90, max=90),
           _c("longitude", NUMBER, "degrees east (-180 to 180), WGS84", "lon", required=True, min=-180, max=180)),
          (("name", "network.locations"),), required=False),
    Sheet("modes", "Transport modes: default economics of every lane using the mode, and the rates that "
          "time and price a lane from its distance when the lane leaves them blank.",
          "network.transport_modes.{mode}",
          (_id("mode", "name of the mode, e.g. ftl, ltl, parcel, rail, sea, air"),
           _c("cost_per_unit", NUMBER, "transport cost per unit shipped", min=0),
           _c("cost_per_shipment", NUMBER, "fixed cost per shipment (truck, parcel)", min=0),
           _c("co2_per_unit", NUMBER, "kg CO2e per unit shipped", min=0),
           _c("truck_capacity", NUMBER, "units per truck: shipments wait to fill it (blank: no consolidation)",
              min=0),
           _c("max_wait_days", NUMBER, "a truck leaves at the latest this long after its first load", min=0),
           _c("on_time", NUMBER, "share of shipments arriving within their lead time (0-1)", min=0, max=1),
           _c("delay", VALUE, "extra days of a late shipment, a distribution"),
           _c("speed_km_per_day", NUMBER, "distance covered per day, for lanes without a lead time", min=0),
           _c("circuity", NUMBER, "road or sea km per straight-line km (e.g. 1.2 road, 1.3 sea)", min=1),
           _c("fixed_days", NUMBER, "days added to every lane's travel time (loading, port, customs)", min=0),
           _c("cost_per_tonne_km", NUMBER, "money per tonne-km, for lanes without cost_per_unit", min=0),
           _c("co2_per_tonne_km", NUMBER, "kg CO2e per tonne-km, for lanes without co2_per_unit", min=0)),
          (("mode", "network.transport_modes"),)),
    Sheet("raw_materials", "Materials bought from suppliers and used by the bills of materials.",
          "network.raw_materials.{material}",
          (_id("material", "name of the material"), _c("unit_cost", NUMBER, "cost per unit of material", min=0)),
          (("material", "network.raw_materials"),), required=False),
    Sheet("families", "Product families: each has `skus` products named <prefix>-01, -02... by popularity rank.",
          "network.families.{family}",
          (_id("family", "name of the family"),
           _c("skus", INTEGER, "number of SKUs in the family", required=True, min=1),
           _c("prefix", TEXT, "SKU name prefix (SKUs are <prefix>-01, <prefix>-02, ...)"),
           _c("price", NUMBER, "selling price per unit", required=True, min=0),
           _c("unit_cost", NUMBER, "cost of making or buying one unit", required=True, min=0),
           _c("popularity", NUMBER, "Zipf exponent: the SKU of rank k sells 1/k^a as much as the first", min=0),
           _c("unit_weight_kg", NUMBER, "weight of one unit in kg (tonne-km cost and CO2 of lanes)", min=0)),
          (("family", "network.families"),)),
    Sheet("bom", "Bill of materials: units of each material in one finished unit of a family.",
          "network.families.{family}.bom.{material}",
          (_id("family", "a family of the families sheet", "families"),
           _id("material", "a material of the raw_materials sheet", "raw_materials"),
           _c("qty_per_unit", NUMBER, "units of material per finished unit", "", required=True, min=0)),
          (("family", "network.families"), ("material", "network.families.{family}.bom")), required=False),
    Sheet("suppliers", "Outside suppliers of materials (or of finished SKUs bought in).",
          "network.suppliers.{supplier}",
          (_id("supplier", "name of the supplier"),
           _c("supplies", NAMES, "materials (or SKUs) it sells", required=True),
           _c("lead_time", VALUE, "days from order to dispatch (a number or a distribution)"),
           _c("capacity_per_day", NUMBER, "units it can dispatch per day (blank: unlimited)", min=0),
           _c("unit_costs", VALUE, "{item: price} where it differs from the item's own cost"),
           _c("allocation", VALUE, "who is served first when capacity falls short (a policy)")),
          (("supplier", "network.suppliers"),), required=False),
    Sheet("plants", "Factories.", "network.plants.{plant}",
          (_id("plant", "name of the plant"),
           _c("planned_lead_time", NUMBER, "days a planner allows for a production order", min=0),
           _c("calendar", VALUE, "shift calendar of its lines: {hours_per_day: 8, days_per_week: 5, holidays: [..], "
              "overtime: {max_hours_per_day: 2, cost_per_hour: 40}} (blank: around the clock)"),
           _c("crews", VALUE, "{crew: lines it can staff at once}")),
          (("plant", "network.plants"),), required=False),
    Sheet("raw_stock", "Each plant's raw-material stores, kept by (s, S) on the inventory position.",
          "network.plants.{plant}.raw_stock.{material}",
          (_id("plant", "a plant of the plants sheet", "plants"),
           _id("material", "a material of the raw_materials sheet", "raw_materials"),
           _c("s", NUMBER, "reorder point", required=True, min=0),
           _c("S", NUMBER, "order-up-to level", required=True, min=0),
           _c("initial", NUMBER, "units on hand at the start (blank: S)", min=0)),
          (("plant", "network.plants"), ("material", "network.plants.{plant}.raw_stock")), required=False),
    Sheet("lines", "Production lines: which families each makes and how fast.",
          "network.plants.{plant}.lines.{line}",
          (_id("plant", "a plant of the plants sheet", "plants"), _id("line", "name of the line"),
           _c("families", NAMES, "families it makes", required=True, refers_to="families"),
           _c("rate", NUMBER, "units per day (or give unit_time or batch_time)", min=0),
           _c("unit_time", VALUE, "days per unit"), _c("batch_time", VALUE, "days per batch"),
           _c("changeover", VALUE, "days lost switching family"),
           _c("changeover_cost", NUMBER, "cost of one changeover", min=0),
           _c("min_batch", NUMBER, "smallest batch in units", min=0),
           _c("allocation", VALUE, "which orders the line makes first (a policy)"),
           _c("batching", VALUE, "how batches are sized (a policy)"),
           _c("maintenance", VALUE, "{first: day, every: days, duration: days}"),
           _c("calendar", VALUE, "its own shift calendar (blank: the plant's)"),
           _c("crew", TEXT, "a crew of its plant it needs to run (blank: none)")),
          (("plant", "network.plants"), ("line", "network.plants.{plant}.lines")), required=False),
    Sheet("warehouses", "Distribution centres, fed by their sources in preference order.",
          "network.warehouses.{warehouse}",
          (_id("warehouse", "name of the DC"),
           _c("sources", NAMES, "plants, suppliers or DCs it orders from, first preferred", required=True,
              refers_to="nodes"),
           _c("handling_cost_per_unit", NUMBER, "cost of handling one unit", min=0),
           _c("replenishment", VALUE, "a policy for every SKU here, replacing the segment's"),
           _c("initial_stock", NUMBER, "units of each SKU at the start (blank: the policy's level)", min=0),
           _c("cross_dock_days", NUMBER, "days to cross-dock goods flowing through", min=0),
           _c("fixed_cost_per_day", NUMBER, "rent, staff and equipment a day (blank: none)", min=0),
           _c("fixed_cost_driver", TEXT, "units_handled, orders, shipments or storage_days (blank: units_handled)"),
           _c("capacity", VALUE, "{storage, units_per_pallet, throughput_per_day, when_full, "
              "overflow_cost_per_unit_day} (blank: no limit)"),
           _c("operator", VALUE, "a 3PL: {name, fee_per_unit, fee_per_order, throughput_per_day, pick_delay, "
              "segments} (blank: in-house)")),
          (("warehouse", "network.warehouses"),)),
    Sheet("lanes", "Carrier lanes: from, to (one or more), mode; a blank lead time, cost or CO2 comes from "
          "the distance between the sites and the mode's rates.", "network.lanes[{index}]",
          (_c("from", TEXT, "origin site", required=True, refers_to="nodes"),
           _c("to", NAMES, "destination site(s)", required=True, refers_to="nodes"),
           _c("mode", TEXT, "a mode of the modes sheet", required=True, refers_to="modes"),
           _c("lead_time", VALUE, "days in transit (blank: from the distance)"),
           _c("cost_per_unit", NUMBER, "cost per unit (blank: the mode's, or from the distance)", min=0),
           _c("cost_per_shipment", NUMBER, "cost per shipment (blank: the mode's)", min=0),
           _c("co2_per_unit", NUMBER, "kg CO2e per unit (blank: the mode's, or from the distance)", min=0)),
          (("index", "network.lanes"),), listed=True),
    Sheet("channels", "Sales channels.", "network.channels.{channel}",
          (_id("channel", "name of the channel"),
           _c("patience_days", NUMBER, "days customers wait for a backorder before cancelling (blank: forever)",
              min=0),
           _c("ship_complete", BOOL, "TRUE: a line ships only when it can be filled completely")),
          (("channel", "network.channels"),)),
    Sheet("customers", "Customer order streams (demand): one per channel and region.",
          "network.customers.{customer}",
          (_id("customer", "name of the order stream"),
           _c("channel", TEXT, "a channel of the channels sheet", required=True, refers_to="channels"),
           _c("served_from", NAMES, "DCs serving it, first preferred", required=True, refers_to="warehouses"),
           _c("orders_per_day", NUMBER, "mean orders per day (Poisson arrivals)", min=0),
           _c("interarrival", VALUE, "or: days between orders, a distribution"),
           _c("first_order", NUMBER, "day of the first order", min=0),
           _c("lines_per_order", VALUE, "order lines per order"),
           _c("qty", VALUE, "units per order line", required=True),
           _c("families", NAMES, "families it buys (blank: all)", refers_to="families")),
          (("customer", "network.customers"),)),
    Sheet("segments", "Segments, their service-level agreement (SLA) and policies.", "segments.{segment}",
          (_id("segment", "name of the segment"),
           _c("description", TEXT, "what the segment is"),
           _c("priority", INTEGER, "1 = most important; decides whose policy governs shared stock", min=0),
           _c("fill_rate", NUMBER, "target fill rate (0-1)", "sla.fill_rate", required=True, min=0, max=1),
           _c("lead_time_days", NUMBER, "promised days from order to delivery", "sla.lead_time_days",
              required=True, min=0),
           *(_c(kind, VALUE, f"{kind} policy: a name or {{type: name, parameter: value}}", f"policies.{kind}")
             for kind in ("production", "replenishment", "safety_stock", "fulfilment", "transport", "forecast")),
           _c("alerts", VALUE, "warnings the segment asks for during the run"),
           _c("planning", TEXT, "how made-to-order lines are promised: planned_lead_time or finite_capacity "
              "(blank: not quoted)")),
          (("segment", "segments"),)),
    Sheet("assignment", "Who belongs to which segment: the first matching rule wins (blank cells match all); "
          "else settings' assignment.default.", "assignment.rules[{index}]",
          (_c("segment", TEXT, "a segment of the segments sheet", required=True, refers_to="segments"),
           _c("families", NAMES, "families the rule applies to", refers_to="families"),
           _c("channels", NAMES, "channels the rule applies to", refers_to="channels"),
           _c("skus", NAMES, "SKU names or patterns (CLN-0*)"),
           _c("rank_first", INTEGER, "first popularity rank the rule applies to", "rank[0]", min=1),
           _c("rank_last", INTEGER, "last popularity rank the rule applies to", "rank[1]", min=1)),
          (("index", "assignment.rules"),), listed=True, required=False),
    Sheet("extras", "Any other config key (dotted path) with its value, for what no other sheet holds.",
          "{key}", (_id("key", "config key, e.g. network.warehouses.dc_a.replenishment"),
                    _c("value", VALUE, "its value", "")), (("key", ""),), required=False),
)
SHEET = {s.name: s for s in SHEETS}
PLANNING_SHEET = "planning_parameters"  # written by the export, ignored by the import
COLUMNS_SHEET = "columns"  # the template's explanation of every column
