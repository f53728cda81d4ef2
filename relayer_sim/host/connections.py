"""03-connection on the host: connection ends made by the ICS-03 handshake, and the proofs of the
counterparty's state every channel and packet step goes through.

A connection binds one of the host's clients to the counterparty's client of the host, and says
under which prefix the counterparty's IBC store is proven and how long (the delay period) a
consensus state must have been trusted before packet proofs at its height are accepted. As in
ibc-go v10, the handshake proves the other end's connection end and nothing else (no self-client
validation). Every proof first requires the client to be ``Active``; packet proofs carry the
delay, in time and in host blocks (``block_delay``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from relayer_sim.formats.ics03 import (
    DEFAULT_VERSION,
    ConnectionCounterparty,
    ConnectionEnd,
    ConnectionState,
    Version,
    decode_client_paths,
    encode_client_paths,
)
from relayer_sim.formats.ics04 import ChannelEnd
from relayer_sim.formats.ics24 import (
    NEXT_CONNECTION_SEQUENCE_KEY,
    channel_key,
    client_connections_key,
    connection_key,
    decode_sequence,
    encode_sequence,
    merkle_path,
    next_sequence_recv_key,
    packet_acknowledgement_key,
    packet_commitment_key,
    packet_receipt_key,
)
from relayer_sim.host.clients import ClientKeeper, Status
from relayer_sim.host.errors import (
    ClientStatusError,
    ConnectionNotFound,
    HostError,
    InvalidConnectionState,
    InvalidConnectionVersion,
    VersionNegotiationFailed,
    wrap,
)
from relayer_sim.host.params import ConnectionParams
from relayer_sim.host.store import GasMeter
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.packets import acknowledgement_commitment
from relayer_sim.lightclient.store import HostEnv
from relayer_sim.vm import Storage

#: The versions this host supports (ibc-go's ``GetCompatibleVersions``).
COMPATIBLE_VERSIONS: Final = (DEFAULT_VERSION,)


def block_delay(delay_period_ns: int, params: ConnectionParams) -> int:
    """The blocks a delay period spans: ``ceil(delay / max expected time per block)``, 0 when
    the param is 0 (ibc-go's ``getBlockDelay``, in integers: no float rounding)."""
    per_block = params.max_expected_time_per_block_ns
    if per_block == 0:
        return 0
    return -(-delay_period_ns // per_block)


def is_supported_version(supported: tuple[Version, ...], version: Version) -> bool:
    """``version`` is one of ``supported`` by identifier, with only features it allows."""
    for candidate in supported:
        if candidate.identifier == version.identifier:
            return all(feature in candidate.features for feature in version.features)
    return False


def pick_version(supported: tuple[Version, ...], offered: tuple[Version, ...]) -> Version:
    """The first supported version the other end offered, with the features both allow
    (ibc-go's ``PickVersion``)."""
    for candidate in supported:
        for version in offered:
            if version.identifier == candidate.identifier:
                features = tuple(f for f in candidate.features if f in version.features)
                if features:
                    return Version(candidate.identifier, features)
    raise VersionNegotiationFailed(
        f"failed to find a matching counterparty version ({list(offered)}) from the supported "
        f"version list ({list(supported)})"
    )


class ConnectionKeeper:
    """The host's connection ends, in its IBC store."""

    def __init__(
        self,
        store: Storage,
        clients: ClientKeeper,
        commitment_prefix: bytes,
        params: Callable[[], ConnectionParams],
    ) -> None:
        self.store, self.clients = store, clients
        #: Where the host's own IBC store is proven (what the counterparty's ends name).
        self.commitment_prefix = commitment_prefix
        self._params = params

    # -- the store ----------------------------------------------------------------------------

    def connection(self, connection_id: str) -> ConnectionEnd:
        raw = self.store.get(connection_key(connection_id))
        if raw is None:
            raise ConnectionNotFound(connection_id)
        return ConnectionEnd.decode(raw)

    def open_connection(self, connection_id: str) -> ConnectionEnd:
        """The connection, which must be ``OPEN`` (what channels and packets need)."""
        end = self.connection(connection_id)
        if end.state != ConnectionState.OPEN:
            raise InvalidConnectionState(f"connection state is not OPEN (got {end.state})")
        return end

    def client_connections(self, client_id: str) -> tuple[str, ...]:
        raw = self.store.get(client_connections_key(client_id))
        return () if raw is None else decode_client_paths(raw)

    def _set(self, connection_id: str, end: ConnectionEnd) -> None:
        self.store.set(connection_key(connection_id), end.encode())

    def _new_connection_id(self, client_id: str) -> str:
        raw = self.store.get(NEXT_CONNECTION_SEQUENCE_KEY)
        sequence = 0 if raw is None else decode_sequence(raw)
        self.store.set(NEXT_CONNECTION_SEQUENCE_KEY, encode_sequence(sequence + 1))
        connection_id = f"connection-{sequence}"
        paths = (*self.client_connections(client_id), connection_id)
        self.store.set(client_connections_key(client_id), encode_client_paths(paths))
        return connection_id

    def require_active(self, client_id: str, env: HostEnv, gas: GasMeter) -> None:
        """The client is ``Active`` (``Unknown`` when it does not exist), as a handshake step
        that proves nothing yet requires."""
        status = self.clients.status_of(client_id, env, gas)
        if status != Status.ACTIVE:
            raise ClientStatusError(f"client ({client_id}) status is {status}")

    # -- the handshake ------------------------------------------------------------------------

    def open_init(
        self,
        client_id: str,
        counterparty: ConnectionCounterparty,
        version: Version | None,
        delay_period_ns: int,
        env: HostEnv,
        gas: GasMeter,
    ) -> str:
        """``ConnOpenInit``: a new connection in ``INIT`` on the host's ``client_id``."""
        versions = COMPATIBLE_VERSIONS
        if version is not None:
            if not is_supported_version(COMPATIBLE_VERSIONS, version):
                raise InvalidConnectionVersion("version is not supported")
            versions = (version,)
        self.require_active(client_id, env, gas)
        connection_id = self._new_connection_id(client_id)
        end = ConnectionEnd(
            client_id, versions, ConnectionState.INIT, counterparty, delay_period_ns
        )
        self._set(connection_id, end)
        return connection_id

    def open_try(
        self,
        client_id: str,
        counterparty: ConnectionCounterparty,
        counterparty_versions: tuple[Version, ...],
        delay_period_ns: int,
        proof_init: bytes,
        proof_height: Height,
        env: HostEnv,
        gas: GasMeter,
    ) -> str:
        """``ConnOpenTry``: the counterparty's end is ``INIT`` and names us; ours is
        ``TRYOPEN`` with the version picked from those it offered."""
        expected = ConnectionEnd(
            counterparty.client_id,
            counterparty_versions,
            ConnectionState.INIT,
            ConnectionCounterparty(client_id, "", self.commitment_prefix),
            delay_period_ns,
        )
        version = pick_version(COMPATIBLE_VERSIONS, counterparty_versions)
        end = ConnectionEnd(
            client_id, (version,), ConnectionState.TRYOPEN, counterparty, delay_period_ns
        )
        self.verify_connection_state(
            end, proof_height, proof_init, counterparty.connection_id, expected, env, gas
        )
        connection_id = self._new_connection_id(client_id)
        self._set(connection_id, end)
        return connection_id

    def open_ack(
        self,
        connection_id: str,
        counterparty_connection_id: str,
        version: Version,
        proof_try: bytes,
        proof_height: Height,
        env: HostEnv,
        gas: GasMeter,
    ) -> None:
        """``ConnOpenAck``: the counterparty answered our ``INIT`` with its ``TRYOPEN``."""
        end = self.connection(connection_id)
        if end.state != ConnectionState.INIT:
            raise InvalidConnectionState(f"connection state is not INIT (got {end.state})")
        if not is_supported_version(end.versions, version):
            raise InvalidConnectionState(
                f"the counterparty selected version {version} is not supported by versions "
                "selected on INIT"
            )
        expected = ConnectionEnd(
            end.counterparty.client_id,
            (version,),
            ConnectionState.TRYOPEN,
            ConnectionCounterparty(end.client_id, connection_id, self.commitment_prefix),
            end.delay_period_ns,
        )
        self.verify_connection_state(
            end, proof_height, proof_try, counterparty_connection_id, expected, env, gas
        )
        counterparty = ConnectionCounterparty(
            end.counterparty.client_id, counterparty_connection_id, end.counterparty.prefix
        )
        self._set(
            connection_id,
            ConnectionEnd(
                end.client_id, (version,), ConnectionState.OPEN, counterparty, end.delay_period_ns
            ),
        )

    def open_confirm(
        self,
        connection_id: str,
        proof_ack: bytes,
        proof_height: Height,
        env: HostEnv,
        gas: GasMeter,
    ) -> None:
        """``ConnOpenConfirm``: the counterparty opened its end after our ``TRYOPEN``."""
        end = self.connection(connection_id)
        if end.state != ConnectionState.TRYOPEN:
            raise InvalidConnectionState(f"connection state is not TRYOPEN (got {end.state})")
        expected = ConnectionEnd(
            end.counterparty.client_id,
            end.versions,
            ConnectionState.OPEN,
            ConnectionCounterparty(end.client_id, connection_id, self.commitment_prefix),
            end.delay_period_ns,
        )
        self.verify_connection_state(
            end, proof_height, proof_ack, end.counterparty.connection_id, expected, env, gas
        )
        self._set(
            connection_id,
            ConnectionEnd(
                end.client_id,
                end.versions,
                ConnectionState.OPEN,
                end.counterparty,
                end.delay_period_ns,
            ),
        )

    # -- proofs of the counterparty's state ---------------------------------------------------

    def _verify(
        self,
        end: ConnectionEnd,
        height: Height,
        proof: bytes,
        key: bytes,
        value: bytes | None,
        delayed: bool,
        what: str,
        env: HostEnv,
        gas: GasMeter,
    ) -> None:
        """Prove ``key`` (``value`` None: its absence) in the counterparty's IBC store at
        ``height`` through the connection's client, with the connection's delay when
        ``delayed`` (packet state), without it otherwise (handshake state)."""
        client_id = end.client_id
        status = self.clients.status_of(client_id, env, gas)
        if status != Status.ACTIVE:
            call = "verify membership" if value is not None else "verify non membership"
            raise ClientStatusError(
                f"cannot call {call} on client ({client_id}) with status {status}"
            )
        delay_ns = end.delay_period_ns if delayed else 0
        blocks = block_delay(delay_ns, self._params()) if delayed else 0
        path = merkle_path(end.counterparty.prefix, key)
        try:
            self.clients.verify_membership(
                client_id, height, proof, path, value, env, gas, delay_ns, blocks
            )
        except HostError as error:
            raise wrap(error, f"failed {what} verification for client ({client_id})") from None

    def verify_connection_state(
        self,
        end: ConnectionEnd,
        height: Height,
        proof: bytes,
        connection_id: str,
        expected: ConnectionEnd,
        env: HostEnv,
        gas: GasMeter,
    ) -> None:
        key = connection_key(connection_id)
        self._verify(
            end, height, proof, key, expected.encode(), False, "connection state", env, gas
        )

    def verify_channel_state(
        self,
        end: ConnectionEnd,
        height: Height,
        proof: bytes,
        port_id: str,
        channel_id: str,
        expected: ChannelEnd,
        env: HostEnv,
        gas: GasMeter,
    ) -> None:
        key = channel_key(port_id, channel_id)
        self._verify(end, height, proof, key, expected.encode(), False, "channel state", env, gas)

    def verify_packet_commitment(
        self,
        end: ConnectionEnd,
        height: Height,
        proof: bytes,
        port_id: str,
        channel_id: str,
        sequence: int,
        commitment: bytes,
        env: HostEnv,
        gas: GasMeter,
    ) -> None:
        key = packet_commitment_key(port_id, channel_id, sequence)
        self._verify(end, height, proof, key, commitment, True, "packet commitment", env, gas)

    def verify_packet_acknowledgement(
        self,
        end: ConnectionEnd,
        height: Height,
        proof: bytes,
        port_id: str,
        channel_id: str,
        sequence: int,
        acknowledgement: bytes,
        env: HostEnv,
        gas: GasMeter,
    ) -> None:
        key = packet_acknowledgement_key(port_id, channel_id, sequence)
        value = acknowledgement_commitment(acknowledgement)
        self._verify(end, height, proof, key, value, True, "packet acknowledgement", env, gas)

    def verify_packet_receipt_absence(
        self,
        end: ConnectionEnd,
        height: Height,
        proof: bytes,
        port_id: str,
        channel_id: str,
        sequence: int,
        env: HostEnv,
        gas: GasMeter,
    ) -> None:
        key = packet_receipt_key(port_id, channel_id, sequence)
        self._verify(end, height, proof, key, None, True, "packet receipt absence", env, gas)

    def verify_next_sequence_recv(
        self,
        end: ConnectionEnd,
        height: Height,
        proof: bytes,
        port_id: str,
        channel_id: str,
        next_sequence_recv: int,
        env: HostEnv,
        gas: GasMeter,
    ) -> None:
        key = next_sequence_recv_key(port_id, channel_id)
        value = encode_sequence(next_sequence_recv)
        self._verify(end, height, proof, key, value, True, "next sequence receive", env, gas)
