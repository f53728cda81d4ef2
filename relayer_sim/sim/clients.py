"""Creating the scenario's clients on the host: a client state that trusts the latest block of
the counterparty it follows, sent as ``MsgCreateClient`` by an off-chain actor, and its id once
it exists."""

from __future__ import annotations

from dataclasses import dataclass

from relayer_sim.counterparty.wire import ClientParams
from relayer_sim.host.chain import Tx
from relayer_sim.host.messages import MsgCreateClient
from relayer_sim.lightclient.states import TrustLevel
from relayer_sim.lightclient.wasm_wrappers import WasmClientState, WasmConsensusState
from relayer_sim.world import World

CREATOR = "cosmos1creator"


@dataclass(frozen=True)
class ClientPlan:
    """What a client is created with: its contract (checksum and state format) and its rules."""

    name: str
    checksum: bytes
    state_format: int
    trusting_period_ns: int
    max_clock_drift_ns: int
    trust_level: TrustLevel


class ClientCreator:
    """Sends ``MsgCreateClient`` for a client and records its id when the host has run it."""

    def __init__(self, world: World, plan: ClientPlan, gas_limit: int) -> None:
        self.world, self.plan, self.gas_limit = world, plan, gas_limit
        self.name = f"create:{plan.name}"

    async def run(self, start_ns: int) -> None:
        """From ``start_ns`` (or sooner, when the timeline wakes it), once its counterparty
        has a block: send the creation, and retry until the host has it."""
        clock, chain = self.world.clock, self.world.chain_of(self.plan.name)
        await clock.sleep_until(self.name, start_ns)
        while chain.latest_height is None:
            await clock.sleep(self.name, chain.config.block_time_ns)
        while self.plan.name not in self.world.clients:
            tx = self._send()
            await clock.sleep_until(
                self.name, self.world.host.next_block_time() - self.world.epoch_ns
            )
            result = self.world.outcome(tx)
            if result is not None and result.ok and isinstance(result.result, str):
                self.world.clients[self.plan.name] = result.result
                self.world.record(self.name, "client_created", client=result.result)
            else:
                error = None if result is None else str(result.error)
                self.world.record(self.name, "client_creation_failed", error=error)

    def _send(self) -> Tx:
        chain, plan = self.world.chain_of(self.plan.name), self.plan
        height = chain.latest_height
        assert height is not None
        params = ClientParams(
            plan.trusting_period_ns, plan.max_clock_drift_ns, plan.trust_level, plan.state_format
        )
        client, consensus = chain.client_states(height, params)
        tx = Tx(
            MsgCreateClient(
                CREATOR,
                WasmClientState(client, plan.checksum, height).encode(),
                WasmConsensusState(consensus).encode(),
            ),
            self.gas_limit,
        )
        self.world.host.submit(tx)
        return tx
