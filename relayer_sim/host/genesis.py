"""A host's state as a genesis file, and a host started from one, as ibc-go and the SDK do it.

Export writes each module's genesis in ibc-go's sections and field names: 02-client's clients
(client state, consensus states, and the metadata each light client exports, for 08-wasm what
its contract's ``export_metadata`` answers: nothing else of a client's store leaves it) and its
params, 03-connection's connection ends, client paths and params, 04-channel's channel ends,
sequences and packet commitments, receipts and acknowledgements, and 08-wasm's contracts (their
code). The host's own governance and upgrade modules are written as their store entries. Numbers are
decimal strings and bytes base64, as protobuf's JSON writes them.

Import builds a fresh host from a genesis: contracts first, compiled without the store-time
checks (08-wasm's ``InitGenesis``, wasmvm's ``StoreCodeUnchecked``), then every module's state,
the app hash and the height, so that the host makes the next block as the exporting one would
have. Anything a genesis file gets wrong is one ``GenesisError`` naming the field.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Mapping
from typing import Any, Final

from relayer_sim.formats.ics03 import (
    ConnectionCounterparty,
    ConnectionEnd,
    ConnectionState,
    Version,
    decode_client_paths,
    encode_client_paths,
)
from relayer_sim.formats.ics04 import ChannelCounterparty, ChannelEnd, ChannelState, Order
from relayer_sim.formats.ics24 import (
    NEXT_CHANNEL_SEQUENCE_KEY,
    NEXT_CONNECTION_SEQUENCE_KEY,
    decode_sequence,
    encode_sequence,
)
from relayer_sim.host.clients import NEXT_CLIENT_SEQUENCE_KEY
from relayer_sim.host.errors import HostError, InvalidMessage
from relayer_sim.host.params import ConnectionParams, Params
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.store import CLIENT_STATE_KEY, CONSENSUS_PREFIX, parse_height_text
from relayer_sim.vm import Storage
from relayer_sim.vm.storage import PrefixStore, prefix_end

#: Packet state keys: ``{kind}/ports/{port}/channels/{channel}/sequences/{n}``.
_PACKET_KINDS: Final = {
    "commitments": b"commitments/",
    "receipts": b"receipts/",
    "acknowledgements": b"acks/",
}
_SEQUENCE_KINDS: Final = {
    "send_sequences": b"nextSequenceSend/",
    "recv_sequences": b"nextSequenceRecv/",
    "ack_sequences": b"nextSequenceAck/",
}


class GenesisError(HostError):
    """A genesis that cannot be exported or imported; the text names the field."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _height(height: Height) -> dict[str, str]:
    return {
        "revision_number": str(height.revision_number),
        "revision_height": str(height.revision_height),
    }


def _scan(store: Storage, prefix: bytes) -> Iterator[tuple[bytes, bytes]]:
    for key, value in store.scan(prefix, prefix_end(prefix), True):
        yield key[len(prefix) :], value


def _port_channel(rest: bytes) -> tuple[str, str, str]:
    """``ports/{p}/channels/{c}[/sequences/{n}]`` → (p, c, n or "")."""
    parts = rest.decode().split("/")
    return parts[1], parts[3], parts[5] if len(parts) > 5 else ""


# -- export ---------------------------------------------------------------------------------------


def export_ibc(params: Params, metadata: Mapping[str, list[tuple[bytes, bytes]]]) -> dict[str, Any]:
    """The IBC store's genesis (``params.store``); ``metadata``: what each client exports of
    its own store."""
    ibc = params.store
    clients, consensus, connections_paths = [], [], []
    for client_id in sorted(metadata):
        store = PrefixStore(ibc, f"clients/{client_id}/".encode())
        state = store.get(CLIENT_STATE_KEY)
        assert state is not None
        clients.append({"client_id": client_id, "client_state": _b64(state)})
        states = [
            {"height": _height(parse_height_text(key)), "consensus_state": _b64(value)}
            for key, value in _scan(store, CONSENSUS_PREFIX)
            if b"/" not in key
        ]
        consensus.append({"client_id": client_id, "consensus_states": states})
        paths = store.get(b"connections")
        if paths is not None:
            connections_paths.append(
                {"client_id": client_id, "paths": list(decode_client_paths(paths))}
            )
    sequence = ibc.get(NEXT_CLIENT_SEQUENCE_KEY)
    return {
        "client_genesis": {
            "clients": clients,
            "clients_consensus": consensus,
            "clients_metadata": [
                {
                    "client_id": client_id,
                    "client_metadata": [
                        {"key": _b64(key), "value": _b64(value)} for key, value in entries
                    ],
                }
                for client_id, entries in sorted(metadata.items())
                if entries
            ],
            "next_client_sequence": str(0 if sequence is None else decode_sequence(sequence)),
            "params": {"allowed_clients": list(params.allowed_clients())},
        },
        "connection_genesis": {
            "connections": [
                {"id": key.decode(), **_connection_json(ConnectionEnd.decode(value))}
                for key, value in _scan(ibc, b"connections/")
            ],
            "client_connection_paths": connections_paths,
            "next_connection_sequence": _counter(ibc, NEXT_CONNECTION_SEQUENCE_KEY),
            "params": {
                "max_expected_time_per_block": str(
                    params.connection().max_expected_time_per_block_ns
                )
            },
        },
        "channel_genesis": {
            "channels": [
                {
                    "port_id": port,
                    "channel_id": channel,
                    **_channel_json(ChannelEnd.decode(value)),
                }
                for key, value in _scan(ibc, b"channelEnds/")
                for port, channel, _ in [_port_channel(key)]
            ],
            **{
                name: [
                    {"port_id": port, "channel_id": channel, "sequence": n, "data": _b64(value)}
                    for key, value in _scan(ibc, prefix)
                    for port, channel, n in [_port_channel(key)]
                ]
                for name, prefix in _PACKET_KINDS.items()
            },
            **{
                name: [
                    {
                        "port_id": port,
                        "channel_id": channel,
                        "sequence": str(decode_sequence(value)),
                    }
                    for key, value in _scan(ibc, prefix)
                    for port, channel, _ in [_port_channel(key)]
                ]
                for name, prefix in _SEQUENCE_KINDS.items()
            },
            "next_channel_sequence": _counter(ibc, NEXT_CHANNEL_SEQUENCE_KEY),
        },
    }


def _counter(store: Storage, key: bytes) -> str:
    raw = store.get(key)
    return str(0 if raw is None else decode_sequence(raw))


def _connection_json(end: ConnectionEnd) -> dict[str, Any]:
    return {
        "client_id": end.client_id,
        "versions": [
            {"identifier": v.identifier, "features": list(v.features)} for v in end.versions
        ],
        "state": str(end.state),
        "counterparty": {
            "client_id": end.counterparty.client_id,
            "connection_id": end.counterparty.connection_id,
            "prefix": {"key_prefix": _b64(end.counterparty.prefix)},
        },
        "delay_period": str(end.delay_period_ns),
    }


def _channel_json(end: ChannelEnd) -> dict[str, Any]:
    return {
        "state": str(end.state),
        "ordering": str(end.ordering),
        "counterparty": {
            "port_id": end.counterparty.port_id,
            "channel_id": end.counterparty.channel_id,
        },
        "connection_hops": list(end.connection_hops),
        "version": end.version,
    }


def raw_entries(store: Storage) -> list[dict[str, str]]:
    """A module store as entries (the host's own modules, which have no typed genesis)."""
    return [{"key": _b64(key), "value": _b64(value)} for key, value in _scan(store, b"")]


def to_json(genesis: Mapping[str, Any]) -> bytes:
    """The genesis file's bytes: sorted keys, so the same state gives the same file."""
    return json.dumps(genesis, sort_keys=True, indent=1).encode() + b"\n"


# -- import ---------------------------------------------------------------------------------------


class _Reader:
    """Reads one genesis value at a time, naming the field of whatever is wrong."""

    def __init__(self, value: Any, path: str) -> None:
        self.value, self.path = value, path

    def __getitem__(self, key: str) -> _Reader:
        if not isinstance(self.value, dict) or key not in self.value:
            raise GenesisError(f"{self.path}.{key}: missing")
        return _Reader(self.value[key], f"{self.path}.{key}")

    def items(self) -> Iterator[_Reader]:
        if not isinstance(self.value, list):
            raise GenesisError(f"{self.path}: expected a list")
        for index, item in enumerate(self.value):
            yield _Reader(item, f"{self.path}[{index}]")

    def text(self) -> str:
        if not isinstance(self.value, str):
            raise GenesisError(f"{self.path}: expected a string")
        return self.value

    def number(self) -> int:
        text = self.text()
        if not text.isascii() or not text.isdigit() or int(text) >= 2**64:
            raise GenesisError(f"{self.path}: expected a uint64 as a decimal string")
        return int(text)

    def bytes(self) -> bytes:
        try:
            return base64.b64decode(self.text().encode(), validate=True)
        except (binascii.Error, UnicodeError):
            raise GenesisError(f"{self.path}: expected base64") from None

    def height(self) -> Height:
        return Height(self["revision_number"].number(), self["revision_height"].number())


def from_json(data: bytes) -> _Reader:
    try:
        return _Reader(json.loads(data), "genesis")
    except (ValueError, RecursionError) as error:
        raise GenesisError(f"genesis: not JSON: {error}") from None


def import_ibc(params: Params, section: _Reader) -> None:
    """Write an IBC genesis into an empty IBC store (``params.store``)."""
    ibc = params.store
    clients = section["client_genesis"]
    for entry in clients["clients"].items():
        store = PrefixStore(ibc, f"clients/{entry['client_id'].text()}/".encode())
        store.set(CLIENT_STATE_KEY, entry["client_state"].bytes())
    for entry in clients["clients_consensus"].items():
        store = PrefixStore(ibc, f"clients/{entry['client_id'].text()}/".encode())
        for state in entry["consensus_states"].items():
            key = CONSENSUS_PREFIX + str(state["height"].height()).encode()
            store.set(key, state["consensus_state"].bytes())
    for entry in clients["clients_metadata"].items():
        store = PrefixStore(ibc, f"clients/{entry['client_id'].text()}/".encode())
        for pair in entry["client_metadata"].items():
            store.set(pair["key"].bytes(), pair["value"].bytes())
    _set_counter(ibc, NEXT_CLIENT_SEQUENCE_KEY, clients["next_client_sequence"])
    allowed = clients["params"]["allowed_clients"]
    allowed_clients = tuple(entry.text() for entry in allowed.items())
    try:
        if allowed_clients != params.default_allowed_clients:
            params.set_allowed_clients(allowed_clients)
    except InvalidMessage as error:
        raise GenesisError(f"{allowed.path}: {error}") from None
    connections = section["connection_genesis"]
    for entry in connections["connections"].items():
        ibc.set(f"connections/{entry['id'].text()}".encode(), _connection(entry).encode())
    for entry in connections["client_connection_paths"].items():
        paths = tuple(path.text() for path in entry["paths"].items())
        key = f"clients/{entry['client_id'].text()}/connections".encode()
        ibc.set(key, encode_client_paths(paths))
    _set_counter(ibc, NEXT_CONNECTION_SEQUENCE_KEY, connections["next_connection_sequence"])
    per_block = connections["params"]["max_expected_time_per_block"]
    connection_params = ConnectionParams(per_block.number())
    try:
        if connection_params != params.default_connection:
            params.set_connection(connection_params)
    except InvalidMessage as error:
        raise GenesisError(f"{per_block.path}: {error}") from None
    channels = section["channel_genesis"]
    for entry in channels["channels"].items():
        key = _channel_path(b"channelEnds/", entry)
        ibc.set(key, _channel(entry).encode())
    for name, prefix in _PACKET_KINDS.items():
        for entry in channels[name].items():
            sequence = entry["sequence"].number()
            key = _channel_path(prefix, entry) + f"/sequences/{sequence}".encode()
            ibc.set(key, entry["data"].bytes())
    for name, prefix in _SEQUENCE_KINDS.items():
        for entry in channels[name].items():
            ibc.set(_channel_path(prefix, entry), encode_sequence(entry["sequence"].number()))
    _set_counter(ibc, NEXT_CHANNEL_SEQUENCE_KEY, channels["next_channel_sequence"])


def _set_counter(store: Storage, key: bytes, value: _Reader) -> None:
    """A sequence is stored once it moved: 0 stays unstored, as in a new host."""
    number = value.number()
    if number:
        store.set(key, encode_sequence(number))


def _channel_path(prefix: bytes, entry: _Reader) -> bytes:
    port, channel = entry["port_id"].text(), entry["channel_id"].text()
    return prefix + f"ports/{port}/channels/{channel}".encode()


def _enum(reader: _Reader, kind: Any) -> Any:
    name = reader.text()
    for member in kind:
        if str(member) == name:
            return member
    raise GenesisError(f"{reader.path}: unknown value {name!r}")


def _connection(entry: _Reader) -> ConnectionEnd:
    counterparty = entry["counterparty"]
    return ConnectionEnd(
        entry["client_id"].text(),
        tuple(
            Version(v["identifier"].text(), tuple(f.text() for f in v["features"].items()))
            for v in entry["versions"].items()
        ),
        _enum(entry["state"], ConnectionState),
        ConnectionCounterparty(
            counterparty["client_id"].text(),
            counterparty["connection_id"].text(),
            counterparty["prefix"]["key_prefix"].bytes(),
        ),
        entry["delay_period"].number(),
    )


def _channel(entry: _Reader) -> ChannelEnd:
    counterparty = entry["counterparty"]
    return ChannelEnd(
        _enum(entry["state"], ChannelState),
        _enum(entry["ordering"], Order),
        ChannelCounterparty(counterparty["port_id"].text(), counterparty["channel_id"].text()),
        tuple(hop.text() for hop in entry["connection_hops"].items()),
        entry["version"].text(),
    )


def import_raw(store: Storage, entries: _Reader) -> None:
    for entry in entries.items():
        store.set(entry["key"].bytes(), entry["value"].bytes())
