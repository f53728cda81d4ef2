"""The simulated counterparty chain: validators and keys, signed blocks, a Merkle state, consensus
switches, planned upgrades and forks, and the query API relayers use.

The chain is a plain synchronous object driven with explicit times, so that it is deterministic
and testable on its own; the simulation runtime wraps it in a trio task.
"""

from relayer_sim.counterparty.chain import (
    ChainConfig,
    ChainError,
    ChainHalted,
    CounterpartyChain,
    Stalled,
)
from relayer_sim.counterparty.forks import Coalition, ForkError, impostor, impostor_message
from relayer_sim.counterparty.history import Block
from relayer_sim.counterparty.roster import Roster, RosterChange, ValidatorSpec
from relayer_sim.counterparty.state import AppState
from relayer_sim.counterparty.upgrade import UpgradePlan

__all__ = [
    "AppState",
    "Block",
    "ChainConfig",
    "ChainError",
    "ChainHalted",
    "Coalition",
    "CounterpartyChain",
    "ForkError",
    "Roster",
    "RosterChange",
    "Stalled",
    "UpgradePlan",
    "ValidatorSpec",
    "impostor",
    "impostor_message",
]
