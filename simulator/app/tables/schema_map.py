"""Which config schema section each sheet's rows are, so the workbook and the schema cannot drift apart:
the template's ``columns`` sheet shows each column's default from the schema, and a test checks that
every schema key has a column (or lands in ``extras``) and every column is a schema key."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from simulator.app.tables.sheets import Column, Sheet
from simulator.config.schema import (
    ChannelCfg,
    CustomerCfg,
    FamilyCfg,
    LaneCfg,
    LineCfg,
    LocationCfg,
    PlantCfg,
    RawMaterialCfg,
    RawStockCfg,
    SupplierCfg,
    TransportModeCfg,
    WarehouseCfg,
)
from simulator.config.schema_run import RuleCfg, SegmentCfg

MODELS: dict[str, type[BaseModel]] = {
    "sites": LocationCfg, "modes": TransportModeCfg, "raw_materials": RawMaterialCfg, "families": FamilyCfg,
    "suppliers": SupplierCfg, "plants": PlantCfg, "raw_stock": RawStockCfg, "lines": LineCfg,
    "warehouses": WarehouseCfg, "lanes": LaneCfg, "channels": ChannelCfg, "customers": CustomerCfg,
    "segments": SegmentCfg, "assignment": RuleCfg,
}


def _fields(model: type[BaseModel]) -> dict[str, Any]:
    """Field name (its config key: the alias where there is one) -> FieldInfo."""
    return {(info.alias or name): info for name, info in model.model_fields.items()}


def schema_field(sheet: Sheet, column: Column) -> Any:
    """The schema's FieldInfo of the config key a column fills, or None (identifying columns, sheets
    without a section model, keys inside a nested value)."""
    model = MODELS.get(sheet.name)
    if model is None or not column.path:
        return None
    parts = column.path.replace("[", ".[").split(".")
    info = None
    for part in parts:
        if part.startswith("["):
            break
        info = _fields(model).get(part)
        if info is None:
            return None
        inner = info.annotation
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            model = inner
    return info


def schema_default(sheet: Sheet, column: Column) -> str:
    """The default the simulator applies to a blank cell, as text ('' when the key is required)."""
    info = schema_field(sheet, column)
    if info is None or info.default is PydanticUndefined or info.default is None:
        return ""
    default = info.default
    return str(default.model_dump() if isinstance(default, BaseModel) else default)


def schema_keys(sheet: Sheet) -> set[str]:
    """The config keys of the sheet's section in the schema (nested sections as ``sla.fill_rate``)."""
    model = MODELS[sheet.name]
    out = set()
    for key, info in _fields(model).items():
        inner = info.annotation
        if sheet.name == "segments" and isinstance(inner, type) and issubclass(inner, BaseModel):
            out |= {f"{key}.{k}" for k in _fields(inner)}
        else:
            out.add(key)
    return out
