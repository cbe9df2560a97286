"""Segment policies: small decision objects chosen per segment by name in config."""

from policies import (
                      allocation,
                      batching,
                      forecast,
                      fulfilment,
                      production,
                      replenishment,
                      safety_stock,
                      stock_allocation,
                      supply,
                      transport,
)
from policies.registry import KINDS, REGISTRY, register

__all__ = ["KINDS", "REGISTRY", "register", "allocation", "batching", "forecast", "fulfilment", "production",
           "replenishment", "safety_stock", "stock_allocation", "supply", "transport"]
