"""Forecasting methods, chosen per segment: what demand a stocking point plans for.

Each method reads the daily demand history of one item at one stocking point and returns its
forecast per day for the days ahead. ``refresh_days`` is how often the segment re-forecasts
(daily for fast movers, monthly for slow ones); between refreshes the last forecast stands.
statsmodels does the exponential smoothing; Croston's method, which statsmodels lacks, is the
few lines below.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from policies.registry import register


def _check(refresh_days: float, window: int | None, min_window: int = 1) -> None:
    if refresh_days <= 0:
        raise ValueError(f"refresh_days must be > 0; got {refresh_days}")
    if window is not None and window < min_window:
        raise ValueError(f"window must be at least {min_window} days; got {window}")


def _unit(name: str, value: float | None) -> None:
    if value is not None and not 0.0 < value <= 1.0:
        raise ValueError(f"{name} must be in (0, 1]; got {value}")


@register("forecast", "moving_average")
@dataclass(frozen=True, slots=True)
class MovingAverage:
    """Moving average: the mean daily demand of the last ``window`` days, flat ahead."""

    window: int = 28
    refresh_days: float = 1.0

    def __post_init__(self) -> None:
        _check(self.refresh_days, self.window)

    @property
    def min_history(self) -> int:
        return min(self.window, 7)

    def forecast(self, history: np.ndarray, horizon: int) -> np.ndarray:
        return np.full(horizon, float(np.mean(history[-self.window:])))


@register("forecast", "ses")
@dataclass(frozen=True, slots=True)
class SimpleExponentialSmoothing:
    """Simple exponential smoothing (statsmodels): a level updated by ``alpha`` x the last error, flat
    ahead. ``alpha`` null = fitted to the history by least squares at each refresh."""

    alpha: float | None = 0.2
    window: int | None = 365
    refresh_days: float = 1.0

    def __post_init__(self) -> None:
        _check(self.refresh_days, self.window, 2)
        _unit("alpha", self.alpha)

    min_history = 7  # days of history before the first fit; until then the planned demand stands

    def forecast(self, history: np.ndarray, horizon: int) -> np.ndarray:
        from statsmodels.tsa.holtwinters import SimpleExpSmoothing

        y = np.asarray(history[-self.window:] if self.window else history, dtype=float)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = SimpleExpSmoothing(y, initialization_method="known", initial_level=float(y[0]))
            fit = model.fit(smoothing_level=self.alpha, optimized=self.alpha is None)
            ahead = fit.forecast(horizon)
        out: np.ndarray = np.maximum(np.asarray(ahead, dtype=float), 0.0)
        return out


@register("forecast", "holt_winters")
@dataclass(frozen=True, slots=True)
class HoltWinters:
    """Holt-Winters (statsmodels ExponentialSmoothing): level, optional additive trend and an additive
    season of ``season_length`` days, for seasonal fast movers. Smoothing weights left null are fitted
    at each refresh (slower); the last ``window`` days are used (at least two seasons)."""

    season_length: int = 7
    trend: bool = False
    alpha: float | None = 0.2
    beta: float | None = 0.05
    gamma: float | None = 0.1
    window: int = 84
    refresh_days: float = 1.0

    def __post_init__(self) -> None:
        if self.season_length < 2:
            raise ValueError(f"season_length must be at least 2 days; got {self.season_length}")
        _check(self.refresh_days, self.window, self.min_history)
        for name in ("alpha", "beta", "gamma"):
            _unit(name, getattr(self, name))

    @property
    def min_history(self) -> int:
        return max(2 * self.season_length, 10 + 2 * (self.season_length // 2))  # statsmodels' initialisation

    def forecast(self, history: np.ndarray, horizon: int) -> np.ndarray:
        from statsmodels.tsa.holtwinters import ExponentialSmoothing

        y = np.asarray(history[-self.window:], dtype=float)
        fixed = {"smoothing_level": self.alpha, "smoothing_seasonal": self.gamma}
        if self.trend:
            fixed["smoothing_trend"] = self.beta
        optimized = any(v is None for v in fixed.values())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = ExponentialSmoothing(y, trend="add" if self.trend else None, seasonal="add",
                                         seasonal_periods=self.season_length,
                                         initialization_method="estimated" if optimized else "heuristic")
            fit = model.fit(**{k: v for k, v in fixed.items() if v is not None}, optimized=optimized)
            ahead = fit.forecast(horizon)
        out: np.ndarray = np.maximum(np.asarray(ahead, dtype=float), 0.0)
        return out


@register("forecast", "croston")
@dataclass(frozen=True, slots=True)
class Croston:
    """Croston's method for intermittent demand: smooth the non-zero demand sizes and the intervals
    between them separately (weight ``alpha``); the daily rate is size / interval. ``variant: sba``
    (Syntetos-Boylan) multiplies by 1 - alpha/2 to remove Croston's upward bias."""

    alpha: float = 0.1
    variant: str = "sba"
    refresh_days: float = 7.0

    def __post_init__(self) -> None:
        _check(self.refresh_days, None)
        _unit("alpha", self.alpha)
        if self.variant not in ("classic", "sba"):
            raise ValueError(f"variant must be 'classic' or 'sba'; got {self.variant!r}")

    min_history = 28  # a few demand occurrences before the first estimate

    def rate(self, history: np.ndarray) -> float:
        """Forecast demand per day after the history (0 before the first demand)."""
        days = np.flatnonzero(np.asarray(history) > 0)
        if len(days) == 0:
            return 0.0
        a = self.alpha
        size, interval = float(history[days[0]]), float(days[0] + 1)  # first interval counted from day -1
        for prev, day in zip(days[:-1], days[1:], strict=True):
            size += a * (float(history[day]) - size)
            interval += a * (float(day - prev) - interval)
        out = size / interval
        return out * (1.0 - a / 2.0) if self.variant == "sba" else out

    def forecast(self, history: np.ndarray, horizon: int) -> np.ndarray:
        return np.full(horizon, self.rate(history))
