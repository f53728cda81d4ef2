"""The gas caps of work that no sender's gas limit bounds: off-chain queries and the messages
of passed proposals. Without a cap a contract that spins would get the proxy's unbounded VM
limit (10^15 CosmWasm gas) and never answer.

- A query is capped as a node caps a smart query: wasmd's ``DefaultSmartQueryGasLimit``,
  3,000,000 SDK gas (420 billion CosmWasm gas at 08-wasm's multiplier). Relayers, monitors, the
  live display, metrics and expectations ask a client's status through
  ``ClientKeeper.query_status``, which runs it on ``query_gas_meter()``.
- A passed proposal's message runs at the end of a block, where the SDK's meter is infinite: a
  governance-stored contract's ``migrate`` could then run for ever and halt the chain. Each
  message gets ``PROPOSAL_MESSAGE_GAS``, the most one transaction may ask for (``MAX_TX_GAS``):
  governance may do what a transaction could, and a message that needs more fails its proposal
  (``Failed``, out of gas) instead of stopping the host.
"""

from __future__ import annotations

from typing import Final

from relayer_sim.host.store import GasMeter

#: The most gas one transaction may ask for (a block's gas limit in many Cosmos chains).
MAX_TX_GAS: Final = 100_000_000
#: wasmd's ``DefaultSmartQueryGasLimit``: the SDK gas a node gives one smart query.
QUERY_GAS_LIMIT: Final = 3_000_000
#: SDK gas for each message of a passed proposal.
PROPOSAL_MESSAGE_GAS: Final = MAX_TX_GAS


def query_gas_meter() -> GasMeter:
    """A fresh meter for one off-chain query."""
    return GasMeter(QUERY_GAS_LIMIT)
