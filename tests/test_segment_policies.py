"""The segment policies of issue 3, each decision on its own, without a simulation."""

from __future__ import annotations

import math

import pytest

from policies.production import LeadTimeRule, MakeToOrder, MakeToStock
from simulator.errors import ConfigError
from simulator.spec import build_policy


class TestProductionStrategy:
    def test_fixed_strategies(self) -> None:
        assert MakeToStock().serve_from_stock(30.0, 2.0) is True
        assert MakeToOrder().serve_from_stock(0.5, 20.0) is False

    def test_lead_time_rule_makes_to_order_when_the_customer_can_wait(self) -> None:
        rule = LeadTimeRule()
        assert rule.serve_from_stock(tolerance_days=7.0, make_and_deliver_days=6.8) is False
        assert rule.serve_from_stock(tolerance_days=7.0, make_and_deliver_days=7.0) is False  # exactly covered
        assert rule.serve_from_stock(tolerance_days=7.0, make_and_deliver_days=7.2) is True

    def test_lead_time_rule_margin_and_no_route(self) -> None:
        assert LeadTimeRule(margin_days=1.0).serve_from_stock(7.0, 6.8) is True
        assert LeadTimeRule().serve_from_stock(99.0, math.inf) is True  # no plant can make to order

    def test_negative_margin_is_a_config_error(self) -> None:
        with pytest.raises(ConfigError, match="margin_days must be >= 0"):
            build_policy("production", {"type": "lead_time_rule", "margin_days": -1}, "k")
