"""The scenarios that ship with relayer-sim: the repository's ``scenarios/`` folder, and its
``tendermint/`` folder of twins in the tendermint wire format."""

from __future__ import annotations

from pathlib import Path
from typing import Final

SCENARIOS_DIR: Final = Path(__file__).resolve().parent.parent.parent / "scenarios"
DEFAULT_SCENARIO: Final = SCENARIOS_DIR / "quick-start.toml"


def shipped_scenarios() -> list[Path]:
    """Every shipped scenario file: the folder's own by name, then each subfolder's."""
    return sorted(SCENARIOS_DIR.rglob("*.toml"), key=lambda path: (len(path.parts), path))
