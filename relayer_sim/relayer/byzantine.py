"""A byzantine relayer: it sends only what the timeline hands it: headers that a coalition of
counterparty validators signed for a fork the honest chain never made, or plain garbage."""

from __future__ import annotations

from collections.abc import Sequence

from relayer_sim.counterparty import Coalition
from relayer_sim.host.chain import Tx
from relayer_sim.host.errors import HostError
from relayer_sim.host.messages import MsgUpdateClient
from relayer_sim.lightclient import decode
from relayer_sim.lightclient.headers import HeaderMessage, Height
from relayer_sim.sim.world import World


class ByzantineRelayer:
    """Submits forged headers to its client when told to."""

    def __init__(self, world: World, name: str, client: str, gas_limit: int) -> None:
        self.world, self.name, self.client, self.gas_limit = world, name, client, gas_limit
        self.address = f"cosmos1{name}"

    async def run(self) -> None:
        """It has nothing to do on its own: it waits for the timeline."""
        await self.world.clock.sleep_until(self.name, 2**62)

    def send_garbage(self, size: int) -> None:
        """Send ``size`` random bytes as a client message: the client must refuse them and
        lose nothing."""
        client_id = self.world.clients.get(self.client)
        if client_id is None:
            self.world.record(self.name, "garbage_not_sent", reason="no client yet")
            return
        garbage = self.world.random.randbytes(size)
        self.world.host.submit(
            Tx(MsgUpdateClient(self.address, client_id, garbage), self.gas_limit)
        )
        self.world.record(self.name, "garbage_sent", client=client_id, size=size)

    def _latest_acceptable_time(self, client_id: str) -> int:
        """Just inside the client's max clock drift from now."""
        state = self.world.host.app.query().clients.client_state(client_id)
        drift = decode.client_state(state.data).max_clock_drift_ns
        return self.world.now_ns + drift - 10**9

    def send_fork(self, kind: str, coalition: Sequence[str], height: int | None) -> None:
        """Forge a header of ``kind`` signed by ``coalition`` and send it as an update.

        An equivocation re-signs the honest header at ``height`` (default: the latest) with
        another app hash, trusting the height below it: it passes only with more than 2/3 of
        the power. A lunatic header invents a validator set of the coalition alone two heights
        ahead of the chain and skips to it from the client's latest height: more than the trust
        level (1/3) of the trusted power is enough to fool the client. Its time is as late as
        the client's clock drift allows, so that the honest headers relayed meanwhile stay
        before it and nothing but a monitor can tell.
        """
        world, chain = self.world, self.world.counterparty
        client_id = world.clients.get(self.client)
        latest = chain.latest_height
        if client_id is None or latest is None:
            world.record(self.name, "fork_not_sent", reason="no client or no block yet")
            return
        try:
            trusted = world.host.app.query().clients.latest_height(client_id)
        except HostError as error:
            world.record(self.name, "fork_not_sent", reason=str(error))
            return
        members = Coalition.of(coalition)
        if kind == "equivocation":
            at = Height(latest.revision_number, height or latest.revision_height)
            trusted = Height(at.revision_number, at.revision_height - 1)
            forged = members.equivocation(chain, at)
        elif kind == "lunatic":
            ahead = max(height or 0, trusted.revision_height + 2, latest.revision_height + 2)
            at = Height(latest.revision_number, ahead)
            forged = members.lunatic(chain, at, time_ns=self._latest_acceptable_time(client_id))
        else:
            raise ValueError(f"unsupported fork kind {kind!r}")
        message = HeaderMessage(forged, trusted, chain.trusted_validators(trusted))
        world.host.submit(
            Tx(MsgUpdateClient(self.address, client_id, message.to_bytes()), self.gas_limit)
        )
        world.forks.setdefault(self.client, world.clock.now_ns)
        world.record(
            self.name,
            "fork_sent",
            fork=kind,
            client=client_id,
            height=str(at),
            trusted=str(trusted),
            coalition=list(coalition),
        )
