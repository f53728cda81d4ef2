"""Render an HTML file in a real headless browser and keep the screenshot: the only way to know
a report page shows what a person would see, images decoded and laid out included."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Final

import pytest

CHROMIUM: Final = Path("/usr/bin/chromium")
TIMEOUT_S: Final = 120


def screenshot(page: Path, png: Path, width: int = 1200, height: int = 3000) -> None:
    """Write a ``width`` by ``height`` screenshot of ``page`` to ``png`` with Debian's chromium.

    A missing browser fails the test rather than skipping it: ``make test`` installs it, so
    without it the report would go untested unnoticed.
    """
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium")
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        command = [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            # Paint images' sRGB pixels unchanged, whatever display profile the machine has.
            "--force-color-profile=srgb",
            f"--user-data-dir={profile}",
            f"--screenshot={png}",
            f"--window-size={width},{height}",
            page.resolve().as_uri(),
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S)
    if done.returncode != 0 or not png.exists():
        pytest.fail(f"chromium exited {done.returncode} without a screenshot:\n{done.stderr}")
