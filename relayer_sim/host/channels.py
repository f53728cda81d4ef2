"""04-channel's handshake on the host: channel ends made by ``ChanOpenInit/Try/Ack/Confirm`` and
closed by ``ChanCloseInit/Confirm``, each step proving the counterparty's end through the
channel's connection, in ibc-go v10's order of checks.

The host's application is bound to every port and accepts any ordering and version: its only
behaviour is to acknowledge every packet it receives with success (``relayer_sim.host.packets``).
"""

from __future__ import annotations

from dataclasses import replace

from relayer_sim.formats.ics03 import ConnectionEnd
from relayer_sim.formats.ics04 import ChannelCounterparty, ChannelEnd, ChannelState, Order
from relayer_sim.formats.ics24 import (
    NEXT_CHANNEL_SEQUENCE_KEY,
    channel_key,
    decode_sequence,
    encode_sequence,
    next_sequence_ack_key,
    next_sequence_recv_key,
    next_sequence_send_key,
)
from relayer_sim.host.connections import ConnectionKeeper
from relayer_sim.host.errors import (
    ChannelNotFound,
    InvalidChannelState,
    InvalidConnectionVersion,
)
from relayer_sim.host.store import GasMeter
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.store import HostEnv
from relayer_sim.vm import Storage


class ChannelKeeper:
    """The host's channel ends and their sequences, in its IBC store."""

    def __init__(self, store: Storage, connections: ConnectionKeeper) -> None:
        self.store, self.connections = store, connections

    def channel(self, port_id: str, channel_id: str) -> ChannelEnd:
        raw = self.store.get(channel_key(port_id, channel_id))
        if raw is None:
            raise ChannelNotFound(f"port ID ({port_id}) channel ID ({channel_id})")
        return ChannelEnd.decode(raw)

    def set_channel(self, port_id: str, channel_id: str, end: ChannelEnd) -> None:
        self.store.set(channel_key(port_id, channel_id), end.encode())

    def _new_channel(self, port_id: str, end: ChannelEnd) -> str:
        """Store ``end`` under a new id, its three sequences at 1 (``WriteOpen…Channel``)."""
        raw = self.store.get(NEXT_CHANNEL_SEQUENCE_KEY)
        sequence = 0 if raw is None else decode_sequence(raw)
        self.store.set(NEXT_CHANNEL_SEQUENCE_KEY, encode_sequence(sequence + 1))
        channel_id = f"channel-{sequence}"
        self.set_channel(port_id, channel_id, end)
        for key in (next_sequence_send_key, next_sequence_recv_key, next_sequence_ack_key):
            self.store.set(key(port_id, channel_id), encode_sequence(1))
        return channel_id

    def _ordering_allowed(self, connection: ConnectionEnd, ordering: Order) -> None:
        """The connection agreed on one version, and it allows ``ordering``."""
        if len(connection.versions) != 1:
            raise InvalidConnectionVersion(
                "single version must be negotiated on connection before opening channel, got: "
                f"{list(connection.versions)}"
            )
        version = connection.versions[0]
        if str(ordering) not in version.features:
            raise InvalidConnectionVersion(
                f"connection version {version} does not support channel ordering: {ordering}"
            )

    # -- opening ------------------------------------------------------------------------------

    def open_init(
        self,
        port_id: str,
        ordering: Order,
        connection_id: str,
        counterparty_port_id: str,
        version: str,
        env: HostEnv,
        gas: GasMeter,
    ) -> str:
        """``ChanOpenInit``: a channel in ``INIT`` over ``connection_id`` (open or not yet)."""
        connection = self.connections.connection(connection_id)
        self._ordering_allowed(connection, ordering)
        self.connections.require_active(connection.client_id, env, gas)
        end = ChannelEnd(
            ChannelState.INIT,
            ordering,
            ChannelCounterparty(counterparty_port_id, ""),
            (connection_id,),
            version,
        )
        return self._new_channel(port_id, end)

    def open_try(
        self,
        port_id: str,
        ordering: Order,
        connection_id: str,
        counterparty: ChannelCounterparty,
        counterparty_version: str,
        proof_init: bytes,
        proof_height: Height,
        env: HostEnv,
        gas: GasMeter,
    ) -> str:
        """``ChanOpenTry``: the counterparty's channel is ``INIT`` and names our port; ours is
        ``TRYOPEN`` with the version it proposed."""
        connection = self.connections.open_connection(connection_id)
        self._ordering_allowed(connection, ordering)
        expected = ChannelEnd(
            ChannelState.INIT,
            ordering,
            ChannelCounterparty(port_id, ""),
            (connection.counterparty.connection_id,),
            counterparty_version,
        )
        self.connections.verify_channel_state(
            connection,
            proof_height,
            proof_init,
            counterparty.port_id,
            counterparty.channel_id,
            expected,
            env,
            gas,
        )
        end = ChannelEnd(
            ChannelState.TRYOPEN, ordering, counterparty, (connection_id,), counterparty_version
        )
        return self._new_channel(port_id, end)

    def open_ack(
        self,
        port_id: str,
        channel_id: str,
        counterparty_channel_id: str,
        counterparty_version: str,
        proof_try: bytes,
        proof_height: Height,
        env: HostEnv,
        gas: GasMeter,
    ) -> None:
        """``ChanOpenAck``: the counterparty answered our ``INIT`` with its ``TRYOPEN``."""
        end = self.channel(port_id, channel_id)
        if end.state != ChannelState.INIT:
            raise InvalidChannelState(f"channel state should be INIT (got {end.state})")
        connection = self.connections.open_connection(end.connection_hops[0])
        expected = ChannelEnd(
            ChannelState.TRYOPEN,
            end.ordering,
            ChannelCounterparty(port_id, channel_id),
            (connection.counterparty.connection_id,),
            counterparty_version,
        )
        self.connections.verify_channel_state(
            connection,
            proof_height,
            proof_try,
            end.counterparty.port_id,
            counterparty_channel_id,
            expected,
            env,
            gas,
        )
        self.set_channel(
            port_id,
            channel_id,
            ChannelEnd(
                ChannelState.OPEN,
                end.ordering,
                ChannelCounterparty(end.counterparty.port_id, counterparty_channel_id),
                end.connection_hops,
                counterparty_version,
            ),
        )

    def open_confirm(
        self,
        port_id: str,
        channel_id: str,
        proof_ack: bytes,
        proof_height: Height,
        env: HostEnv,
        gas: GasMeter,
    ) -> None:
        """``ChanOpenConfirm``: the counterparty opened its end after our ``TRYOPEN``."""
        end = self.channel(port_id, channel_id)
        if end.state != ChannelState.TRYOPEN:
            raise InvalidChannelState(f"channel state is not TRYOPEN (got {end.state})")
        connection = self.connections.open_connection(end.connection_hops[0])
        self._prove_counterparty(
            end,
            connection,
            port_id,
            channel_id,
            ChannelState.OPEN,
            proof_ack,
            proof_height,
            env,
            gas,
        )
        self.set_channel(port_id, channel_id, replace(end, state=ChannelState.OPEN))

    # -- closing ------------------------------------------------------------------------------

    def close_init(self, port_id: str, channel_id: str, env: HostEnv, gas: GasMeter) -> None:
        """``ChanCloseInit``: close our end; the counterparty confirms later."""
        end = self.channel(port_id, channel_id)
        if end.state == ChannelState.CLOSED:
            raise InvalidChannelState("channel is already CLOSED")
        connection = self.connections.connection(end.connection_hops[0])
        self.connections.require_active(connection.client_id, env, gas)
        self.connections.open_connection(end.connection_hops[0])
        self.set_channel(port_id, channel_id, replace(end, state=ChannelState.CLOSED))

    def close_confirm(
        self,
        port_id: str,
        channel_id: str,
        proof_init: bytes,
        proof_height: Height,
        env: HostEnv,
        gas: GasMeter,
    ) -> None:
        """``ChanCloseConfirm``: the counterparty closed its end; close ours."""
        end = self.channel(port_id, channel_id)
        if end.state == ChannelState.CLOSED:
            raise InvalidChannelState("channel is already CLOSED")
        connection = self.connections.open_connection(end.connection_hops[0])
        self._prove_counterparty(
            end,
            connection,
            port_id,
            channel_id,
            ChannelState.CLOSED,
            proof_init,
            proof_height,
            env,
            gas,
        )
        self.set_channel(port_id, channel_id, replace(end, state=ChannelState.CLOSED))

    def prove_counterparty_closed(
        self,
        end: ChannelEnd,
        connection: ConnectionEnd,
        port_id: str,
        channel_id: str,
        proof_close: bytes,
        proof_height: Height,
        env: HostEnv,
        gas: GasMeter,
    ) -> None:
        """The counterparty's end of our channel is ``CLOSED`` (``TimeoutOnClose``, whatever
        the state of the connection)."""
        self._prove_counterparty(
            end,
            connection,
            port_id,
            channel_id,
            ChannelState.CLOSED,
            proof_close,
            proof_height,
            env,
            gas,
        )

    def _prove_counterparty(
        self,
        end: ChannelEnd,
        connection: ConnectionEnd,
        port_id: str,
        channel_id: str,
        state: ChannelState,
        proof: bytes,
        proof_height: Height,
        env: HostEnv,
        gas: GasMeter,
    ) -> None:
        """The counterparty's end of our channel is in ``state``, naming us, over the
        connection's other end, at our version."""
        expected = ChannelEnd(
            state,
            end.ordering,
            ChannelCounterparty(port_id, channel_id),
            (connection.counterparty.connection_id,),
            end.version,
        )
        self.connections.verify_channel_state(
            connection,
            proof_height,
            proof,
            end.counterparty.port_id,
            end.counterparty.channel_id,
            expected,
            env,
            gas,
        )
