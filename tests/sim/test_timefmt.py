"""Simulated durations for people."""

from __future__ import annotations

import pytest

from relayer_sim.sim.timefmt import format_elapsed

MS = 1_000_000
SECOND = 1000 * MS


@pytest.mark.parametrize(
    ("ns", "text"),
    [
        (0, "00:00:00.000"),
        (999_999, "00:00:00.000"),  # cut, never rounded up
        (1 * MS, "00:00:00.001"),
        (59 * SECOND + 999 * MS + 999_999, "00:00:59.999"),
        (((2 * 60 + 3) * 60 + 4) * SECOND + 500 * MS, "02:03:04.500"),
        (((26 * 60 + 3) * 60 + 4) * SECOND + 500 * MS, "1d 02:03:04.500"),
        (400 * 86400 * SECOND, "400d 00:00:00.000"),
    ],
)
def test_format_elapsed(ns: int, text: str) -> None:
    assert format_elapsed(ns) == text


def test_a_negative_duration_is_refused() -> None:
    with pytest.raises(ValueError, match="-1 ns"):
        format_elapsed(-1)
