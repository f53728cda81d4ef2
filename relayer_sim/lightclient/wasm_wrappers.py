"""The 08-wasm protobuf wrappers a client store holds: ``Any``-packed ``ClientState{data,
checksum, latest_height}`` and ``ConsensusState{data}`` (DESIGN.md §3).

The proxy reads ``latest_height`` and ``checksum`` from them; the contract keeps its own state,
opaque to the proxy, in ``data``. Encoding follows Go's (fields in number order, zero scalars
omitted, the non-nullable ``latest_height`` always present), so that Python and the Zig contracts
write the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from google.protobuf import any_pb2, descriptor_pb2, descriptor_pool, message, message_factory

from relayer_sim.lightclient.headers import Height

CLIENT_STATE_TYPE_URL: Final = "/ibc.lightclients.wasm.v1.ClientState"
CONSENSUS_STATE_TYPE_URL: Final = "/ibc.lightclients.wasm.v1.ConsensusState"


class WrapperError(ValueError):
    """Bytes that are not the expected 08-wasm wrapper."""


def _message_classes() -> dict[str, type[message.Message]]:
    """Build the three message types from a descriptor (no generated code to keep in sync)."""
    fields = descriptor_pb2.FieldDescriptorProto
    file = descriptor_pb2.FileDescriptorProto(
        name="relayer_sim/wasm.proto", package="wasm", syntax="proto3"
    )

    def add(name: str, *members: tuple[str, int, int, str]) -> None:
        proto = file.message_type.add(name=name)
        for field_name, number, field_type, type_name in members:
            field = proto.field.add(name=field_name, number=number, label=fields.LABEL_OPTIONAL)
            field.type = field_type  # type: ignore[assignment]
            if type_name:
                field.type_name = type_name

    add(
        "Height",
        ("revision_number", 1, fields.TYPE_UINT64, ""),
        ("revision_height", 2, fields.TYPE_UINT64, ""),
    )
    add(
        "ClientState",
        ("data", 1, fields.TYPE_BYTES, ""),
        ("checksum", 2, fields.TYPE_BYTES, ""),
        ("latest_height", 3, fields.TYPE_MESSAGE, ".wasm.Height"),
    )
    add("ConsensusState", ("data", 1, fields.TYPE_BYTES, ""))
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return {
        name: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"wasm.{name}"))
        for name in ("ClientState", "ConsensusState")
    }


_CLASSES: Final = _message_classes()


@dataclass(frozen=True)
class WasmClientState:
    data: bytes
    checksum: bytes
    latest_height: Height

    def encode(self) -> bytes:
        state = _CLASSES["ClientState"](data=self.data, checksum=self.checksum)
        height = state.latest_height  # type: ignore[attr-defined]
        height.SetInParent()
        height.revision_number = self.latest_height.revision_number
        height.revision_height = self.latest_height.revision_height
        return _pack(CLIENT_STATE_TYPE_URL, state)


@dataclass(frozen=True)
class WasmConsensusState:
    data: bytes

    def encode(self) -> bytes:
        return _pack(CONSENSUS_STATE_TYPE_URL, _CLASSES["ConsensusState"](data=self.data))


def _pack(type_url: str, inner: message.Message) -> bytes:
    wrapped = any_pb2.Any(type_url=type_url, value=inner.SerializeToString(deterministic=True))
    return wrapped.SerializeToString(deterministic=True)


def _unpack(data: bytes, type_url: str, name: str) -> message.Message:
    try:
        wrapped = any_pb2.Any.FromString(data)
        if wrapped.type_url != type_url:
            raise WrapperError(f"expected {type_url}, found {wrapped.type_url or 'no type url'}")
        return _CLASSES[name].FromString(wrapped.value)
    except message.DecodeError as error:
        raise WrapperError(f"not a protobuf {name}: {error}") from None


def decode_client_state(data: bytes) -> WasmClientState:
    state = _unpack(data, CLIENT_STATE_TYPE_URL, "ClientState")
    height = state.latest_height  # type: ignore[attr-defined]
    return WasmClientState(
        data=bytes(state.data),  # type: ignore[attr-defined]
        checksum=bytes(state.checksum),  # type: ignore[attr-defined]
        latest_height=Height(int(height.revision_number), int(height.revision_height)),
    )


def decode_consensus_state(data: bytes) -> WasmConsensusState:
    state = _unpack(data, CONSENSUS_STATE_TYPE_URL, "ConsensusState")
    return WasmConsensusState(bytes(state.data))  # type: ignore[attr-defined]
