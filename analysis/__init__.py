"""Analysis of run records: KPIs by segment, and (later) statistics, resilience and reports."""

from analysis.kpis import KPI_COLUMNS, compute_kpis, format_table

__all__ = ["KPI_COLUMNS", "compute_kpis", "format_table"]
