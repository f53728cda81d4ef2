"""The scenarios that ship with relayer-sim (the repository's ``scenarios/`` folder)."""

from __future__ import annotations

from pathlib import Path
from typing import Final

SCENARIOS_DIR: Final = Path(__file__).resolve().parent.parent.parent / "scenarios"
DEFAULT_SCENARIO: Final = SCENARIOS_DIR / "quick-start.toml"


def shipped_scenarios() -> list[Path]:
    """Every shipped scenario file, by name."""
    return sorted(SCENARIOS_DIR.glob("*.toml"))
