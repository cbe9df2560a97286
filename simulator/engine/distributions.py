"""Random quantities a planner writes in config: lead times, order sizes, processing times.

A distribution is written in YAML either as a plain number (a fixed value) or as a mapping
``{dist: <name>, <parameters>..., shift: <added constant>}``, e.g. ``{dist: gamma, mean: 3, sd: 1}``
(the schema of both is derived from the laws below in ``simulator/engine/params.py``).
Every distribution knows its ``mean`` and ``variance`` so that planning rules (safety stock) and
tests (sample moments against theory) can use them without sampling.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

_CHUNK = 512  # draws taken from numpy at a time; one numpy call per chunk keeps sampling cheap


@dataclass(frozen=True, slots=True)
class Dist:
    """A non-negative random quantity: ``shift + X`` where X follows the named law."""

    name: str
    params: tuple[tuple[str, float], ...]
    shift: float = 0.0

    @property
    def p(self) -> dict[str, float]:
        return dict(self.params)

    @property
    def mean(self) -> float:
        return self.shift + _LAWS[self.name].mean(self.p)

    @property
    def variance(self) -> float:
        return _LAWS[self.name].variance(self.p)

    @property
    def sd(self) -> float:
        return math.sqrt(self.variance)

    @property
    def is_constant(self) -> bool:
        return self.name == "constant"

    @property
    def is_whole(self) -> bool:
        """Every draw is a whole number (rounding a draw to whole units changes nothing)."""
        whole = {"constant": ("value",), "poisson": (), "uniform_int": ()}.get(self.name)
        return whole is not None and float(self.shift).is_integer() and \
            all(float(v).is_integer() for k, v in self.params if k in whole)

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` independent draws as a float array."""
        out = _LAWS[self.name].draw(rng, self.p, n)
        return out + self.shift if self.shift else out

    def sampler(self, rng: np.random.Generator) -> Callable[[], float]:
        """A zero-argument function returning one draw per call, buffered in chunks.

        Buffering keeps the stream identical to drawing one value at a time from a
        dedicated generator, which is what common random numbers need.
        """
        if self.is_constant:
            value = float(self.mean)
            return lambda: value
        buf: list[float] = []

        def sample() -> float:
            if not buf:
                buf.extend(reversed(self.draw(rng, _CHUNK).tolist()))
            return buf.pop()

        return sample


@dataclass(frozen=True, slots=True)
class _Law:
    required: tuple[str, ...]
    mean: Callable[[dict[str, float]], float]
    variance: Callable[[dict[str, float]], float]
    draw: Callable[[np.random.Generator, dict[str, float], int], np.ndarray]
    check: Callable[[dict[str, float]], str | None] = lambda p: None


def _gamma_shape_scale(p: dict[str, float]) -> tuple[float, float]:
    k = (p["mean"] / p["sd"]) ** 2
    return k, p["mean"] / k


def _lognormal_mu_sigma(p: dict[str, float]) -> tuple[float, float]:
    s2 = math.log(1.0 + (p["sd"] / p["mean"]) ** 2)
    return math.log(p["mean"]) - s2 / 2.0, math.sqrt(s2)


def _positive(*keys: str) -> Callable[[dict[str, float]], str | None]:
    def check(p: dict[str, float]) -> str | None:
        bad = [k for k in keys if not p[k] > 0]
        return f"'{bad[0]}' must be > 0" if bad else None

    return check


def _ordered(lo: str, hi: str) -> Callable[[dict[str, float]], str | None]:
    def check(p: dict[str, float]) -> str | None:
        if p[lo] < 0:
            return f"'{lo}' must be >= 0"
        return f"needs {lo} <= {hi}" if p[lo] > p[hi] else None

    return check


def _normal_draw(rng: np.random.Generator, p: dict[str, float], n: int) -> np.ndarray:
    # Demand and lead times cannot be negative: negative draws are set to zero.
    return np.maximum(rng.normal(p["mean"], p["sd"], n), 0.0)


def _clamped_normal_moments(p: dict[str, float]) -> tuple[float, float]:
    """Mean and variance of max(X, 0) for X ~ normal(mean, sd): what ``_normal_draw`` draws.

    With a = mean / sd, Phi and phi the standard normal cdf and density:
    E[max(X, 0)] = mean Phi(a) + sd phi(a), E[max(X, 0)^2] = (mean^2 + sd^2) Phi(a) + mean sd phi(a).
    A draw below zero is set to zero (not drawn again), so zero carries the negative tail's mass."""
    mu, sd = p["mean"], p["sd"]
    if sd == 0:
        return max(mu, 0.0), 0.0
    a = mu / sd
    cdf = 0.5 * math.erfc(-a / math.sqrt(2.0))
    pdf = math.exp(-0.5 * a * a) / math.sqrt(2.0 * math.pi)
    mean = mu * cdf + sd * pdf
    second = (mu * mu + sd * sd) * cdf + mu * sd * pdf
    return mean, max(second - mean * mean, 0.0)


_LAWS: dict[str, _Law] = {
    "constant": _Law(
        ("value",),
        lambda p: p["value"],
        lambda p: 0.0,
        lambda rng, p, n: np.full(n, p["value"], dtype=float),
        lambda p: "a fixed value must be >= 0" if p["value"] < 0 else None,
    ),
    "exponential": _Law(
        ("mean",),
        lambda p: p["mean"],
        lambda p: p["mean"] ** 2,
        lambda rng, p, n: rng.exponential(p["mean"], n),
        _positive("mean"),
    ),
    "normal": _Law(
        ("mean", "sd"),
        lambda p: _clamped_normal_moments(p)[0],
        lambda p: _clamped_normal_moments(p)[1],
        _normal_draw,
        lambda p: "'mean' and 'sd' must be >= 0" if min(p["mean"], p["sd"]) < 0 else None,
    ),
    "gamma": _Law(
        ("mean", "sd"),
        lambda p: p["mean"],
        lambda p: p["sd"] ** 2,
        lambda rng, p, n: rng.gamma(*_gamma_shape_scale(p), n),
        _positive("mean", "sd"),
    ),
    "lognormal": _Law(
        ("mean", "sd"),
        lambda p: p["mean"],
        lambda p: p["sd"] ** 2,
        lambda rng, p, n: rng.lognormal(*_lognormal_mu_sigma(p), n),
        _positive("mean", "sd"),
    ),
    "uniform": _Law(
        ("low", "high"),
        lambda p: (p["low"] + p["high"]) / 2.0,
        lambda p: (p["high"] - p["low"]) ** 2 / 12.0,
        lambda rng, p, n: rng.uniform(p["low"], p["high"], n),
        _ordered("low", "high"),
    ),
    "uniform_int": _Law(
        ("low", "high"),
        lambda p: (p["low"] + p["high"]) / 2.0,
        lambda p: ((p["high"] - p["low"] + 1) ** 2 - 1) / 12.0,
        lambda rng, p, n: rng.integers(int(p["low"]), int(p["high"]), n, endpoint=True).astype(float),
        _ordered("low", "high"),
    ),
    "poisson": _Law(
        ("mean",),
        lambda p: p["mean"],
        lambda p: p["mean"],
        lambda rng, p, n: rng.poisson(p["mean"], n).astype(float),
        lambda p: "'mean' must be >= 0" if p["mean"] < 0 else None,
    ),
    "triangular": _Law(
        ("low", "mode", "high"),
        lambda p: (p["low"] + p["mode"] + p["high"]) / 3.0,
        lambda p: (
            p["low"] ** 2 + p["mode"] ** 2 + p["high"] ** 2
            - p["low"] * p["mode"] - p["low"] * p["high"] - p["mode"] * p["high"]
        ) / 18.0,
        lambda rng, p, n: rng.triangular(p["low"], p["mode"], p["high"], n),
        lambda p: None if 0 <= p["low"] <= p["mode"] <= p["high"] and p["low"] < p["high"]
        else "needs 0 <= low <= mode <= high and low < high",
    ),
}

DIST_NAMES = tuple(_LAWS)


def constant(value: float) -> Dist:
    """A fixed value (no randomness)."""
    return Dist("constant", (("value", float(value)),))
