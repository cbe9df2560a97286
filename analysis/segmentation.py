"""Segmentation from data: ABC by value, XYZ by variability, velocity and intermittency.

A planner derives segments from demand history and profitability rather than from thin air:

- **ABC** ranks items by revenue (or margin) and cuts the cumulative share: by default the items
  making the first 80% are A, the next 15% B, the last 5% C.
- **XYZ** measures how predictable demand is: the coefficient of variation (sd / mean) of demand
  per bucket (a week by default); X below 0.5, Y below 1.0, Z above.
- **Velocity**: mean units per day; **ADI** (average demand interval): mean number of days between
  days with demand, the intermittency measure Croston's method is built on, with **CV2** of the
  non-zero sizes (Syntetos-Boylan classes smooth / erratic / intermittent / lumpy).

The result is an assignment table (item -> classes -> segment) that ``assignment_rules`` turns
into the ``assignment`` section of a segsim config, and that ``reevaluate`` compares with a
previous assignment to list the items that crossed a threshold and would move segment.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.table_checks import TableError, date_column, number_column, read_text_table, require_columns, text_column

REQUIRED_COLUMNS = ("date", "sku", "quantity", "price", "unit_cost")


@dataclass(frozen=True)
class Thresholds:
    """Class boundaries. ``abc``: cumulative value shares closing A and B; ``xyz``: CV limits of X and Y;
    ``adi`` / ``cv2``: the Syntetos-Boylan cut-offs (1.32 days, 0.49)."""

    abc: tuple[float, float] = (0.80, 0.95)
    xyz: tuple[float, float] = (0.5, 1.0)
    adi: float = 1.32
    cv2: float = 0.49
    value: str = "revenue"  # or "margin": what ABC ranks by
    bucket: str = "W"       # pandas period of the XYZ buckets (W = week, M = month, D = day)

    def __post_init__(self) -> None:
        a, b = self.abc
        if not 0.0 < a < b <= 1.0:
            raise ValueError(f"abc thresholds need 0 < A < B <= 1; got {self.abc}")
        x, y = self.xyz
        if not 0.0 < x < y:
            raise ValueError(f"xyz thresholds need 0 < X < Y; got {self.xyz}")
        if self.value not in ("revenue", "margin"):
            raise ValueError(f"value must be 'revenue' or 'margin'; got {self.value!r}")


# Which segment each class combination goes to. Patterns are matched in order, first match wins,
# against "<ABC><XYZ>" plus the demand pattern, e.g. "AX smooth" or "CZ lumpy".
DEFAULT_SEGMENT_MAP: tuple[tuple[str, str], ...] = (
    ("* intermittent", "tail"),
    ("* lumpy", "tail"),
    ("AX *", "fast"),
    ("AY *", "fast"),
    ("C* *", "tail"),
    ("*", "core"),
)


@dataclass(frozen=True)
class SegmentMap:
    """Ordered (pattern, segment) pairs applied to the class label "<ABC><XYZ> <pattern>"."""

    rules: tuple[tuple[str, str], ...] = field(default_factory=lambda: DEFAULT_SEGMENT_MAP)

    def segment(self, label: str) -> str:
        for pattern, seg in self.rules:
            if fnmatch.fnmatchcase(label, pattern):
                return seg
        raise ValueError(f"no segment rule matches class {label!r}; end the map with a catch-all '*'")


def read_history(path: str) -> pd.DataFrame:
    """Load a demand-history CSV (``date, sku, [channel], quantity, price, unit_cost``), checked cell by
    cell: a bad cell raises ``TableError`` naming the file, line, column, value and what is allowed."""
    raw = read_text_table(path)
    require_columns(raw, path, REQUIRED_COLUMNS, ("channel",))
    df = pd.DataFrame({"date": date_column(raw, path, "date"), "sku": text_column(raw, path, "sku")})
    if "channel" in raw.columns:
        df["channel"] = text_column(raw, path, "channel")
    df["quantity"] = number_column(raw, path, "quantity", min=0.0, what="units sold; returns belong in a separate file")
    df["price"] = number_column(raw, path, "price", min=0.0, what="price per unit")
    df["unit_cost"] = number_column(raw, path, "unit_cost", min=0.0, what="cost per unit")
    for column in raw.columns:  # other columns are kept as the text written
        if column not in df.columns:
            df[column] = raw[column]
    if df.empty:
        raise TableError(path, None, None, 0, "no rows; a history needs at least one sale")
    return df


def abc_classes(values: pd.Series, cuts: tuple[float, float] = (0.80, 0.95)) -> pd.Series:
    """A/B/C by cumulative share of ``values`` sorted high to low.

    An item is A while the cumulative share *before* it is below the A cut (so the item that
    crosses 80% is still A), B likewise up to the B cut, C after.
    """
    order = values.sort_values(ascending=False, kind="stable")
    total = order.sum()
    before = (order.cumsum() - order) / total if total > 0 else pd.Series(1.0, index=order.index)
    cls = np.where(before < cuts[0], "A", np.where(before < cuts[1], "B", "C"))
    return pd.Series(cls, index=order.index).reindex(values.index)


def xyz_classes(cv: pd.Series, cuts: tuple[float, float] = (0.5, 1.0)) -> pd.Series:
    """X (CV <= first cut), Y (<= second), Z (above, or no demand at all)."""
    c = cv.fillna(np.inf)
    return pd.Series(np.where(c <= cuts[0], "X", np.where(c <= cuts[1], "Y", "Z")), index=cv.index)


def demand_pattern(adi: pd.Series, cv2: pd.Series, adi_cut: float = 1.32, cv2_cut: float = 0.49) -> pd.Series:
    """Syntetos-Boylan demand pattern: smooth, erratic (sizes vary), intermittent (gaps), lumpy (both)."""
    gaps = adi > adi_cut
    varied = cv2.fillna(0.0) > cv2_cut
    out = np.where(gaps, np.where(varied, "lumpy", "intermittent"), np.where(varied, "erratic", "smooth"))
    return pd.Series(out, index=adi.index)


def profile(history: pd.DataFrame, by: Sequence[str] = ("sku",), thresholds: Thresholds | None = None,
            segment_map: SegmentMap | None = None) -> pd.DataFrame:
    """Per item (``by``: sku, or sku and channel): value, classes and the segment it belongs to."""
    th = thresholds or Thresholds()
    sm = segment_map or SegmentMap()
    by = list(by)
    df = history.copy()
    df["revenue"] = df["quantity"] * df["price"]
    df["margin"] = df["quantity"] * (df["price"] - df["unit_cost"])
    first, last = df["date"].min(), df["date"].max()
    all_days = pd.date_range(first, last, freq="D")

    daily = df.groupby(by + ["date"])["quantity"].sum()
    rows = []
    for key, series in daily.groupby(level=list(range(len(by)))):
        s = series.droplevel(list(range(len(by))))
        s = s[s.index >= s[s > 0].index.min()] if (s > 0).any() else s
        # A product launched during the history is measured from its first sale, not penalised
        # for the days before it existed.
        days = all_days[all_days >= s.index.min()] if len(s) else all_days
        full = s.reindex(days, fill_value=0.0)
        per_bucket = full.groupby(days.to_period(th.bucket)).sum()
        if len(per_bucket) > 2:  # a partial first or last bucket would look like a dip
            per_bucket = per_bucket.iloc[1:-1]
        item_days = len(days)
        mean_b = per_bucket.mean()
        cv = per_bucket.std(ddof=0) / mean_b if mean_b > 0 else np.nan
        nz = s[s > 0]
        demand_days = len(nz)
        sizes_mean = nz.mean() if demand_days else np.nan
        cv2 = (nz.std(ddof=0) / sizes_mean) ** 2 if demand_days > 1 else 0.0
        key = key if isinstance(key, tuple) else (key,)
        rows.append((*key, days[0].date().isoformat(), float(s.sum()), float(s.sum()) / item_days, demand_days,
                     item_days / demand_days if demand_days else np.inf, cv2, cv))
    cols = by + ["first_sale", "units", "units_per_day", "demand_days", "adi", "cv2", "cv"]
    out = pd.DataFrame(rows, columns=cols)
    value = df.groupby(by)[["revenue", "margin"]].sum().reset_index()
    out = out.merge(value, on=by, how="left")
    out = out.set_index(by)
    basis = out[th.value].clip(lower=0.0)
    out["value_share"] = basis / basis.sum() if basis.sum() > 0 else 0.0
    out["abc"] = abc_classes(basis, th.abc)
    order = basis.sort_values(ascending=False, kind="stable")
    out["cum_share"] = (order.cumsum() / order.sum()).reindex(out.index)
    out["xyz"] = xyz_classes(out["cv"], th.xyz)
    out["pattern"] = demand_pattern(out["adi"], out["cv2"], th.adi, th.cv2)
    out["velocity_rank"] = out["units_per_day"].rank(ascending=False, method="first").astype(int)
    out["segment"] = [sm.segment(f"{a}{x} {p}") for a, x, p in zip(out["abc"], out["xyz"], out["pattern"],
                                                                    strict=True)]
    return out.reset_index().sort_values(["abc", "cum_share"], kind="stable").reset_index(drop=True)


def assignment_rules(table: pd.DataFrame, default: str | None = None) -> dict[str, object]:
    """The ``assignment`` section of a segsim config reproducing ``table``'s segments.

    One rule per segment (and channel, when the table is per SKU x channel) listing its SKUs by
    name; the most common segment becomes the default and needs no rule.
    """
    seg_counts = table["segment"].value_counts()
    default = default or str(seg_counts.index[0])
    rules: list[dict[str, object]] = []
    per_channel = "channel" in table.columns
    group_keys = ["channel", "segment"] if per_channel else ["segment"]
    for key, grp in table[table["segment"] != default].groupby(group_keys, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        rule: dict[str, object] = {"segment": str(key[-1]), "skus": sorted(map(str, grp["sku"]))}
        if per_channel:
            rule = {"channels": [str(key[0])], **rule}
        rules.append(rule)
    return {"default": default, "rules": rules}


def reevaluate(current: pd.DataFrame, previous: pd.DataFrame, by: Sequence[str] = ("sku",)) -> pd.DataFrame:
    """Items whose segment changed since ``previous`` (an earlier assignment table), with the class
    that moved: e.g. ``abc B->A`` when the item's value share crossed the A cut.

    ``previous`` needs ``sku`` and ``segment`` (and ``channel`` if it was per SKU x channel; a per-SKU
    previous table applies to every channel of the SKU). Its ``abc``, ``xyz`` and ``pattern`` columns
    are compared when present. New items and items gone from the history are listed too.
    """
    by = list(by)
    keys = [c for c in by if c in previous.columns]
    if "sku" not in keys or "segment" not in previous.columns:
        raise ValueError("the previous assignment table needs columns sku and segment")
    classes = [c for c in ("abc", "xyz", "pattern") if c in previous.columns]
    prev = previous[keys + ["segment"] + classes]
    merged = current.merge(prev, on=keys, how="outer", suffixes=("", "_prev"), indicator=True)
    rows = []
    for r in merged.to_dict("records"):
        if r["_merge"] == "both" and r["segment"] == r["segment_prev"]:
            continue
        if r["_merge"] == "left_only":
            reason = "new item"
        elif r["_merge"] == "right_only":
            reason = "no longer in the history"
        else:
            moved = [f"{c} {r[c + '_prev']}->{r[c]}" for c in classes if r[c + "_prev"] != r[c]]
            reason = ", ".join(moved) or "segment map"
        rows.append({**{c: r[c] for c in by if c in r}, "previous_segment": r.get("segment_prev"),
                     "new_segment": r.get("segment"), "crossed": reason, "value_share": r.get("value_share"),
                     "cv": r.get("cv"), "adi": r.get("adi")})
    cols = by + ["previous_segment", "new_segment", "crossed", "value_share", "cv", "adi"]
    return pd.DataFrame(rows, columns=cols).replace({np.nan: None})
