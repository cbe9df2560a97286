"""Golden tables: the default company and the B14 network at fixed seeds, every KPI and table total.

The expected numbers are committed files (tests/golden/*.csv). A refactor leaves them unchanged; a fix
that changes them rewrites them (``python -m tests.golden.cases``) in the same commit and its message
says which numbers moved and why.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.golden.cases import CASES, compute, paths

RTOL = 1e-9


def _assert_same(actual: pd.DataFrame, expected: pd.DataFrame, keys: list[str], what: str) -> None:
    assert list(actual.columns) == list(expected.columns), f"{what}: columns changed"
    merged = expected.merge(actual, on=keys, how="outer", suffixes=("_expected", "_actual"), indicator=True)
    missing = merged[merged["_merge"] != "both"]
    assert missing.empty, f"{what}: rows appear or disappear:\n{missing[keys + ['_merge']].to_string()}"
    for col in expected.columns:
        if col in keys:
            continue
        exp, act = merged[f"{col}_expected"], merged[f"{col}_actual"]
        if pd.api.types.is_numeric_dtype(exp) and pd.api.types.is_numeric_dtype(act):
            bad = ~np.isclose(act.to_numpy(float), exp.to_numpy(float), rtol=RTOL, atol=0.0, equal_nan=True)
        else:
            bad = (exp.astype(str) != act.astype(str)).to_numpy()
        if bad.any():
            rows = merged.loc[bad, keys + [f"{col}_expected", f"{col}_actual"]]
            pytest.fail(f"{what}: column {col!r} moved:\n{rows.to_string()}")


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_tables_unchanged(name: str) -> None:
    kpis, totals = compute(name)
    kpi_path, totals_path = paths(name)
    _assert_same(kpis, pd.read_csv(kpi_path), ["segment"], f"{name} KPI table")
    _assert_same(totals, pd.read_csv(totals_path), ["table", "column"], f"{name} table totals")
