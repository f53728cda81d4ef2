"""Render an HTML file in a real headless browser and keep the screenshot: the only way to know
a report page shows what a person would see, images decoded and laid out included."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Final

import pytest
from PIL import Image

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


def find_image(shot: Image.Image, image: Image.Image) -> tuple[int, int] | None:
    """Where ``image`` appears unscaled and unchanged in ``shot`` (both RGB): a search for its
    middle row, then a comparison of the whole image at each place that row is found."""
    pixels = shot.tobytes()
    row = image.crop((0, image.height // 2, image.width, image.height // 2 + 1)).tobytes()
    start = pixels.find(row)
    while start >= 0:
        if start % 3 == 0:
            top, left = divmod(start // 3, shot.width)
            top -= image.height // 2
            box = (left, top, left + image.width, top + image.height)
            if top >= 0 and shot.crop(box).tobytes() == image.tobytes():
                return left, top
        start = pixels.find(row, start + 1)
    return None
