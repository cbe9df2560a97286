"""Checks of a table a planner hands over (a demand history, an imported network table).

Every problem is reported as one ``TableError`` naming the file, the line (as an editor numbers it:
the header is line 1), the column, the value found and what is allowed, for the first bad cell.
Cells are read as the text the user wrote, so the message quotes it exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd


class TableError(ValueError):
    """A cell (or a column) of an input table that cannot be used."""

    def __init__(self, path: str | Path, line: int | None, column: str | None, value: object, allowed: str) -> None:
        where = str(path)
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column '{column}'"
        super().__init__(f"{where}: got {value!r}; {allowed}")
        self.path, self.line, self.column, self.value, self.allowed = str(path), line, column, value, allowed


def read_text_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV (optionally compressed) with every cell as the text written, blanks as ``""``."""
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except FileNotFoundError:
        raise TableError(path, None, None, str(path), "no such file") from None
    except pd.errors.EmptyDataError:
        raise TableError(path, None, None, "", "the file is empty; expected a header line and rows") from None
    except (pd.errors.ParserError, UnicodeDecodeError, EOFError, OSError) as exc:
        detail = " ".join(str(exc).split())
        raise TableError(path, None, None, type(exc).__name__, f"cannot be read as CSV text ({detail})") from None


def _line(df: pd.DataFrame, position: int) -> int:
    return int(position) + 2  # line 1 is the header


def require_columns(df: pd.DataFrame, path: str | Path, required: Sequence[str], optional: Sequence[str] = ()) -> None:
    """Every ``required`` column is there (``optional`` ones are only named in the message)."""
    missing = [c for c in required if c not in df.columns]
    if missing:
        extra = f" and optionally {', '.join(optional)}" if optional else ""
        raise TableError(path, 1, missing[0], list(df.columns),
                         f"missing column(s) {', '.join(missing)}; the table needs {', '.join(required)}{extra}")


def text_column(df: pd.DataFrame, path: str | Path, column: str) -> pd.Series:
    """A column of names: none blank."""
    values = df[column].astype(str).str.strip()
    blank = values == ""
    if blank.any():
        pos = int(blank.to_numpy().argmax())
        raise TableError(path, _line(df, pos), column, df[column].iloc[pos], "expected a name, not a blank")
    return values


def number_column(df: pd.DataFrame, path: str | Path, column: str, *, min: float | None = None,
                  strict_min: bool = False, what: str = "") -> pd.Series:
    """A column of finite numbers, none blank, each ``>= min`` (``> min`` if ``strict_min``)."""
    text = df[column].astype(str).str.strip()
    values = pd.to_numeric(text.where(text != ""), errors="coerce")
    bound = "" if min is None else f" {'>' if strict_min else '>='} {min:g}"
    allowed = f"expected a finite number{bound}" + (f" ({what})" if what else "")
    bad = ~np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))
    if min is not None:
        bad |= ((values <= min) if strict_min else (values < min)).to_numpy()
    if bad.any():
        pos = int(bad.argmax())
        raise TableError(path, _line(df, pos), column, df[column].iloc[pos], allowed)
    return values.astype(float)


def date_column(df: pd.DataFrame, path: str | Path, column: str) -> pd.Series:
    """A column of calendar dates (``2024-03-01``)."""
    text = df[column].astype(str).str.strip()
    values = pd.to_datetime(text.where(text != ""), errors="coerce")  # one format, inferred from the first row
    bad = values.isna()
    if bad.any():
        pos = int(bad.to_numpy().argmax())
        raise TableError(path, _line(df, pos), column, df[column].iloc[pos], "expected a date such as 2024-03-01")
    return values
