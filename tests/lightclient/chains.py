"""Counterparty chains and clients on them, for the light-client tests."""

from __future__ import annotations

from relayer_sim.counterparty import ChainConfig, CounterpartyChain, ValidatorSpec
from relayer_sim.counterparty.chain import SECOND, Block
from relayer_sim.counterparty.wire import ClientParams
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.packets import Packet
from relayer_sim.lightclient.states import DEFAULT_TRUST_LEVEL
from relayer_sim.lightclient.store import HostEnv

HOUR = 3600 * SECOND
TRUSTING_PERIOD = 48 * HOUR
MAX_CLOCK_DRIFT = 10 * SECOND
VALIDATORS = (
    ValidatorSpec("alice", 40),
    ValidatorSpec("bob", 30),
    ValidatorSpec("carol", 20),
    ValidatorSpec("dave", 10),
)
HOST_CHAIN_ID = "host-1"


def make_chain(
    validators: tuple[ValidatorSpec, ...] = VALIDATORS,
    name: str = "counterparty",
    **overrides: object,
) -> CounterpartyChain:
    config = ChainConfig(name=name, validators=validators, **overrides)  # type: ignore[arg-type]
    return CounterpartyChain(config)


def commit_packet(chain: CounterpartyChain, packet: Packet) -> tuple[bytes, bytes]:
    """Write ``packet``'s commitment where the chain's IBC store keeps it, bypassing its
    channels (a state to prove); the merkle path."""
    path = (chain.config.commitment_prefix, packet.commitment_key())
    chain.state.write(path, packet.commitment())
    return path


def advance(chain: CounterpartyChain, blocks: int) -> list[Block]:
    produced = []
    for _ in range(blocks):
        block = chain.produce_block(chain.next_block_time())
        assert isinstance(block, Block), block
        produced.append(block)
    return produced


def genesis(chain: CounterpartyChain, height: Height, format: int = 1) -> tuple[bytes, bytes]:
    """The client and consensus state a relayer creates a client with, trusting ``height``."""
    params = ClientParams(TRUSTING_PERIOD, MAX_CLOCK_DRIFT, DEFAULT_TRUST_LEVEL, format)
    return chain.client_states(height, params)


def host_env(time_ns: int, height: int = 100) -> HostEnv:
    return HostEnv(height=height, time_ns=time_ns, chain_id=HOST_CHAIN_ID)


def soon_after(chain: CounterpartyChain, blocks_later: int = 0) -> HostEnv:
    """The host a second after the counterparty's latest block (plus some host blocks)."""
    return host_env(chain.latest_time_ns + SECOND, 100 + blocks_later)
