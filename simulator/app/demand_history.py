"""A realistic synthetic demand history for a company described by a segsim config.

The history is what an ERP export of daily sales looks like: one row per day, SKU and channel
with the units ordered, the price charged and the unit cost. Its shape follows the company's own
order streams (the same SKU mix, channels and volumes the simulator uses), then adds what real
histories have and a planner must see through:

- a weekly profile per channel (stores order before the weekend, B2B on weekdays);
- a yearly profile per family (cleaners peak in spring, personal care in summer), and a trend;
- promotions: a few windows per year where a fast mover sells more at a discount;
- an intermittent tail: the least popular SKUs sell in rare, lumpy orders (compound Poisson);
- new products: some SKUs are launched part way through the history and ramp up.

``python -m simulator.app.demand_history --out data/alder_finch_demand_history.csv.gz`` writes it.
"""

from __future__ import annotations

import argparse
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

HISTORY_COLUMNS = ("date", "sku", "channel", "quantity", "price", "unit_cost")

# Day-of-week demand profiles (Monday first), normalised to mean 1 when used.
WEEKLY: dict[str, tuple[float, ...]] = {
    "retail": (0.9, 0.9, 1.0, 1.1, 1.35, 1.25, 0.5),
    "ecommerce": (1.2, 1.1, 1.0, 0.95, 0.9, 0.85, 1.0),
    "b2b": (1.35, 1.3, 1.25, 1.2, 1.1, 0.4, 0.4),
}
# Yearly profile per family: (amplitude, day of year of the peak).
YEARLY: dict[str, tuple[float, int]] = {
    "cleaners": (0.30, 100),       # spring cleaning
    "detergents": (0.10, 300),
    "personal_care": (0.25, 190),  # summer
    "refills": (0.05, 30),
}


@dataclass(frozen=True)
class HistorySettings:
    """What the generated history looks like (defaults: two years of the default company)."""

    start: str = "2024-01-01"
    days: int = 730
    trend_per_year: float = 0.06          # +6% a year for the whole range
    promotions_per_year: float = 3.0      # per promoted SKU
    promo_uplift: tuple[float, float] = (1.6, 2.6)
    promo_discount: float = 0.15          # price cut during a promotion
    promoted_ranks: int = 4               # the top ranks of each family get promoted
    tail_rank: int = 9                    # ranks from here on sell intermittently
    tail_interval_days: float = 9.0       # average days between tail orders (per SKU and channel)
    new_products: tuple[str, ...] = ("PRC-12", "RFL-06")  # launched part way through
    launch_day: int = 420
    ramp_days: int = 60
    dispersion: float = 8.0               # negative-binomial size: smaller = noisier days
    weekly: Mapping[str, Sequence[float]] = field(default_factory=lambda: dict(WEEKLY))
    yearly: Mapping[str, tuple[float, int]] = field(default_factory=lambda: dict(YEARLY))


def base_rates(spec: Any) -> pd.DataFrame:
    """Mean units per day of each (SKU, channel) as the company's order streams generate them."""
    rows: dict[tuple[str, str], float] = {}
    for cust in spec.customers.values():
        lines_per_day = cust.lines_per_order.mean / cust.interarrival.mean
        for sku, w in zip(cust.skus, cust.sku_weights, strict=True):
            key = (sku, cust.channel)
            rows[key] = rows.get(key, 0.0) + lines_per_day * w * cust.qty.mean
    out = pd.DataFrame([(s, c, r) for (s, c), r in rows.items()], columns=["sku", "channel", "rate"])
    sku = spec.skus
    out["family"] = out["sku"].map(lambda s: sku[s].family)
    out["rank"] = out["sku"].map(lambda s: sku[s].rank)
    out["price"] = out["sku"].map(lambda s: sku[s].price)
    out["unit_cost"] = out["sku"].map(lambda s: sku[s].unit_cost)
    return out.sort_values(["sku", "channel"]).reset_index(drop=True)


def _weekly(profile: Sequence[float], dow: np.ndarray) -> np.ndarray:
    p = np.asarray(profile, dtype=float)
    return (p / p.mean())[dow]


def _yearly(amplitude: float, peak: int, doy: np.ndarray) -> np.ndarray:
    return 1.0 + amplitude * np.cos(2 * math.pi * (doy - peak) / 365.25)


def _promotions(rng: np.random.Generator, days: int, s: HistorySettings) -> np.ndarray:
    """Uplift factor per day: 1 outside promotions, a drawn uplift inside 7-14 day windows."""
    out = np.ones(days)
    n = rng.poisson(s.promotions_per_year * days / 365.0)
    for _ in range(n):
        start = int(rng.integers(0, days))
        length = int(rng.integers(7, 15))
        out[start:start + length] = rng.uniform(*s.promo_uplift)
    return out


def generate(spec: Any, settings: HistorySettings | None = None, seed: int = 2024) -> pd.DataFrame:
    """Daily demand history (``HISTORY_COLUMNS``) for the company in ``spec``; zero days are left out."""
    s = settings or HistorySettings()
    dates = pd.date_range(s.start, periods=s.days, freq="D")
    dow = dates.day_of_week.to_numpy()
    doy = dates.day_of_year.to_numpy()
    t = np.arange(s.days)
    trend = 1.0 + s.trend_per_year * t / 365.0
    frames = []
    for row in base_rates(spec).itertuples(index=False):
        # One generator per (SKU, channel), keyed by name: adding a SKU never shifts another's history.
        rng = np.random.default_rng([seed, *[ord(ch) for ch in f"{row.sku}/{row.channel}"]])
        amp, peak = s.yearly.get(row.family, (0.0, 0))
        rate = row.rate * trend * _weekly(s.weekly.get(row.channel, (1.0,) * 7), dow) * _yearly(amp, peak, doy)
        price = np.full(s.days, row.price)
        if row.sku in s.new_products:
            rate = rate * np.clip((t - s.launch_day) / s.ramp_days, 0.0, 1.0)
        if row.rank >= s.tail_rank:
            # Intermittent tail: orders arrive on average every `tail_interval_days`; each order is
            # gamma-sized so that the long-run rate is kept (compound Poisson demand).
            p_order = 1.0 - math.exp(-1.0 / s.tail_interval_days)
            orders = rng.random(s.days) < p_order * np.minimum(rate / row.rate, 3.0)
            size = rng.gamma(2.0, row.rate * s.tail_interval_days / 2.0, s.days)
            qty = np.where(orders, np.ceil(size), 0.0)
        else:
            if row.rank <= s.promoted_ranks:
                uplift = _promotions(rng, s.days, s)
                rate = rate * uplift
                price = np.where(uplift > 1.0, row.price * (1.0 - s.promo_discount), price)
            k = s.dispersion
            qty = rng.negative_binomial(k, k / (k + np.maximum(rate, 1e-12))).astype(float)
        keep = qty > 0
        frames.append(pd.DataFrame({
            "date": dates[keep].strftime("%Y-%m-%d"), "sku": row.sku, "channel": row.channel,
            "quantity": qty[keep].astype(int), "price": np.round(price[keep], 2), "unit_cost": row.unit_cost,
        }))
    out = pd.concat(frames, ignore_index=True).sort_values(["date", "sku", "channel"], kind="stable")
    return out.reset_index(drop=True)[list(HISTORY_COLUMNS)]


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: write the default company's demand history as CSV (gzip if the name ends .gz)."""
    parser = argparse.ArgumentParser(prog="python -m simulator.demand_history", description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path, help="CSV file to write (.csv or .csv.gz)")
    parser.add_argument("--days", type=int, default=HistorySettings.days, help="days of history (default 730)")
    parser.add_argument("--start", default=HistorySettings.start, help="first date, YYYY-MM-DD")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("overrides", nargs="*", help="config overrides naming the company, Hydra style")
    args = parser.parse_args(argv)
    from simulator.app.cli import compose
    from simulator.config import build_spec

    spec = build_spec(compose(args.overrides))
    history = generate(spec, HistorySettings(start=args.start, days=args.days), seed=args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    compression = {"method": "gzip", "mtime": 0} if args.out.suffix == ".gz" else None  # same bytes every time
    history.to_csv(args.out, index=False, compression=compression)
    print(f"wrote {len(history):,} rows ({history['sku'].nunique()} SKUs, {args.days} days) to {args.out}")


if __name__ == "__main__":
    main()
