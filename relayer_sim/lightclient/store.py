"""Where a sim-tendermint client keeps its state (``contracts/sim-tendermint.md``).

| key                                          | value                                            |
|----------------------------------------------|--------------------------------------------------|
| ``clientState``                              | 08-wasm ``ClientState`` Any (msgpack ``data``)   |
| ``consensusStates/{rev}-{h}``                | 08-wasm ``ConsensusState`` Any (msgpack ``data``)|
| ``consensusStates/{rev}-{h}/processedTime``  | host time when stored, u64 big-endian            |
| ``consensusStates/{rev}-{h}/processedHeight``| host height when stored, ASCII ``{rev}-{h}``     |
| ``iterateConsensusStates`` ‖ u64be ‖ u64be   | the consensus state's key (a height-ordered index)|

The same layout as ibc-go's Tendermint client, so that pruning and neighbour lookups walk an
ordered index instead of parsing decimal keys.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from relayer_sim.lightclient.headers import Height
from relayer_sim.vm.storage import Storage, prefix_end

CLIENT_STATE_KEY: Final = b"clientState"
CONSENSUS_PREFIX: Final = b"consensusStates/"
ITERATION_PREFIX: Final = b"iterateConsensusStates"
#: ibc-go's ``^.*[^\n-]-[1-9][0-9]*$`` (Go: ``.`` stops at a newline, ``$`` is the very end).
_CHAIN_ID_REVISION = re.compile(r"[^\n]*[^\n-]-([1-9][0-9]*)")
_MAX_U64 = 2**64 - 1


#: A client's store: any sorted key/value store the VM could run a contract on.
ClientStore = Storage


@dataclass(frozen=True)
class HostEnv:
    """What a client call knows about the host: its block height, time and chain id."""

    height: int
    time_ns: int
    chain_id: str

    @property
    def self_height(self) -> Height:
        """The host's own IBC height: its revision comes from the chain id, as in ibc-go (0
        when the chain id has none, or when it does not fit a u64)."""
        return Height(chain_id_revision(self.chain_id), self.height)


def is_revision_format(chain_id: str) -> bool:
    """ibc-go ``IsRevisionFormat``: the chain id ends in ``-N`` (N decimal, no leading zero)."""
    return _CHAIN_ID_REVISION.fullmatch(chain_id) is not None


def chain_id_revision(chain_id: str) -> int:
    """ibc-go ``ParseChainID``: the revision a chain id names; 0 when it names none, or when
    the number does not fit a u64."""
    match = _CHAIN_ID_REVISION.fullmatch(chain_id)
    revision = int(match.group(1)) if match else 0
    return revision if revision <= _MAX_U64 else 0


def consensus_key(height: Height) -> bytes:
    return CONSENSUS_PREFIX + str(height).encode()


def processed_time_key(height: Height) -> bytes:
    return consensus_key(height) + b"/processedTime"


def processed_height_key(height: Height) -> bytes:
    return consensus_key(height) + b"/processedHeight"


def iteration_key(height: Height) -> bytes:
    return (
        ITERATION_PREFIX
        + height.revision_number.to_bytes(8, "big")
        + height.revision_height.to_bytes(8, "big")
    )


def _height_of_iteration_key(key: bytes) -> Height:
    suffix = key[len(ITERATION_PREFIX) :]
    return Height(int.from_bytes(suffix[:8], "big"), int.from_bytes(suffix[8:], "big"))


@dataclass(frozen=True)
class Processed:
    """When the host stored a consensus state: the base of membership delay periods."""

    time_ns: int
    height: Height


def write_processed(store: ClientStore, height: Height, processed: Processed) -> None:
    store.set(processed_time_key(height), processed.time_ns.to_bytes(8, "big"))
    store.set(processed_height_key(height), str(processed.height).encode())
    store.set(iteration_key(height), consensus_key(height))


def read_processed(store: ClientStore, height: Height) -> Processed | None:
    time = store.get(processed_time_key(height))
    text = store.get(processed_height_key(height))
    if time is None or text is None:
        return None
    return Processed(int.from_bytes(time, "big"), parse_height_text(text))


def parse_height_text(text: bytes) -> Height:
    """The height ``{rev}-{h}`` names (a consensus key's height, a processed height)."""
    revision, _, number = text.decode().partition("-")
    return Height(int(revision), int(number))


def delete_consensus_entries(store: ClientStore, height: Height) -> None:
    for key in (
        consensus_key(height),
        processed_time_key(height),
        processed_height_key(height),
        iteration_key(height),
    ):
        store.delete(key)


def stored_heights(
    store: ClientStore,
    start: Height | None = None,
    end: Height | None = None,
    ascending: bool = True,
) -> Iterator[Height]:
    """Heights that have a consensus state, in ``[start, end)``, in order."""
    low = iteration_key(start) if start is not None else ITERATION_PREFIX
    high = iteration_key(end) if end is not None else prefix_end(ITERATION_PREFIX)
    for key, _ in store.scan(low, high, ascending):
        yield _height_of_iteration_key(key)
