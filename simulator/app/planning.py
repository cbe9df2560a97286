"""The planning parameters a run starts from: the table an ERP or APS would be loaded with."""

from __future__ import annotations

import pandas as pd

from policies import REGISTRY
from simulator.engine.model import Model
from simulator.engine.spec import Spec

PLANNING_FILE = "planning_parameters.csv"
PLANNING_COLUMNS = ["sku", "dc", "segment", "policy", "reorder_point", "order_up_to", "order_qty", "safety_stock",
                    "review_period_days", "planned_lead_time_days", "planned_demand_per_day", "planned_demand_sd"]


def _policy_name(policy: object) -> str:
    return next((name for name, cls in REGISTRY["replenishment"].items() if type(policy) is cls),
                type(policy).__name__)


def planning_parameters(spec: Spec) -> pd.DataFrame:
    """Per SKU x DC, what the planner set before the first day: the governing segment (the most important
    one buying the SKU there), the replenishment policy and its levels (reorder point s or r, order-up-to S,
    order quantity Q where the policy has them), safety stock, review period (blank: continuous review),
    the planned replenishment lead time and the planned daily demand (mean and standard deviation).

    Read from the model as built for ``spec``, before it runs (the values a run starts from; dynamic
    safety stocks are re-planned during the run)."""
    model = Model(spec)
    rows = []
    for point in model.points:
        plan = model.plans[(point.node, point.sku)]
        stats, rule, policy = plan.stats, plan.rule, point.policy
        safety = plan.safety_stock.units(stats, plan.cover)
        reorder = getattr(policy, "s", None)
        rows.append((
            point.sku, point.node, point.segment.name, _policy_name(rule),
            reorder if reorder is not None else getattr(policy, "r", None), getattr(policy, "S", None),
            getattr(policy, "Q", None), safety, policy.review_period, stats.lead_time_mean, stats.mean_daily,
            stats.sd_daily,
        ))
    table = pd.DataFrame(rows, columns=PLANNING_COLUMNS)
    return table.sort_values(["sku", "dc"], ignore_index=True)
