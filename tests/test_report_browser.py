"""The run report opens in a real browser (headless Chromium) with no network, and its figures show."""

from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from matplotlib.image import imread

import simulator
from analysis.report import write_run_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed here (Debian package 'chromium'; .ci/run installs it)")

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars")
WIDTH, HEIGHT = 1280, 1400


def test_report_screenshot_in_headless_chromium(default_config: dict[str, Any], tmp_path: Path) -> None:
    cfg = copy.deepcopy(default_config)
    cfg.update(horizon_days=20, quiet=True)
    report = write_run_report(simulator.run(cfg), tmp_path / "report.html")
    shot = tmp_path / "shot.png"
    proc = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}",
                           f"--window-size={WIDTH},{HEIGHT}", report.as_uri()],
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0 and shot.exists(), proc.stderr[-2000:]
    pixels = imread(shot)[..., :3]
    assert pixels.shape[:2] == (HEIGHT, WIDTH)
    not_white = (pixels < 0.95).any(axis=-1).mean()
    assert not_white > 0.05, "the page looks blank"
    # The network figure's plant markers (#8e44ad) are on screen: the embedded PNG was decoded and drawn.
    plant = np.array([0x8E, 0x44, 0xAD]) / 255
    assert (np.abs(pixels - plant).max(axis=-1) < 0.04).sum() > 50
