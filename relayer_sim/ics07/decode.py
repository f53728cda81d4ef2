"""Strict decoding of the protobuf bytes a 07-tendermint client is given or keeps.

Protobuf's rules (fields in any order, unknown fields skipped), plus what
``contracts/tendermint.md`` adds so that one message has one meaning: a non-repeated field (or a
second member of one ``oneof``) that occurs twice is malformed, as are a known field with the
wrong wire type, groups, a varint longer than 64 bits, truncated bytes, strings that are not
UTF-8, and a ``Timestamp`` / ``Duration`` that Go's ``StdTime`` / ``StdDuration`` refuse. The wire
walk that enforces this is driven by the message descriptors, so it covers every nested message.

A decoded message is then put in Go's view: unknown fields are dropped (Go's types keep none, so
hashes and sign bytes never see them) and an absent non-nullable ``time.Time`` field is Go's zero
time (0001-01-01), as gogoproto leaves it, not protobuf's 1970.
"""

from __future__ import annotations

from typing import Final, TypeVar

from google.protobuf import any_pb2, descriptor, duration_pb2, message, timestamp_pb2

from relayer_sim.formats.cometbft import TIMESTAMP_END_SECONDS, TIMESTAMP_MIN_SECONDS
from relayer_sim.formats.proto.ibc.core.commitment.v1 import commitment_pb2
from relayer_sim.formats.proto.ibc.lightclients.tendermint.v1 import tendermint_pb2
from relayer_sim.ics07 import errors
from relayer_sim.ics07.errors import ClientError
from relayer_sim.ics07.gosem import INT64_MAX, INT64_MIN, NANOS

CLIENT_STATE_URL: Final = "/ibc.lightclients.tendermint.v1.ClientState"
CONSENSUS_STATE_URL: Final = "/ibc.lightclients.tendermint.v1.ConsensusState"
HEADER_URL: Final = "/ibc.lightclients.tendermint.v1.Header"
MISBEHAVIOUR_URL: Final = "/ibc.lightclients.tendermint.v1.Misbehaviour"

#: gogoproto ``validateDuration``: about ±10,000 years.
_DURATION_MAX_SECONDS: Final = 315_576_000_000
_GO_ZERO_TIME_SECONDS: Final = TIMESTAMP_MIN_SECONDS

_VARINT, _FIXED64, _LEN, _FIXED32 = 0, 1, 2, 5
_FD = descriptor.FieldDescriptor
_WIRE_TYPE: Final = {
    _FD.TYPE_DOUBLE: _FIXED64,
    _FD.TYPE_FLOAT: _FIXED32,
    _FD.TYPE_INT64: _VARINT,
    _FD.TYPE_UINT64: _VARINT,
    _FD.TYPE_INT32: _VARINT,
    _FD.TYPE_FIXED64: _FIXED64,
    _FD.TYPE_FIXED32: _FIXED32,
    _FD.TYPE_BOOL: _VARINT,
    _FD.TYPE_STRING: _LEN,
    _FD.TYPE_MESSAGE: _LEN,
    _FD.TYPE_BYTES: _LEN,
    _FD.TYPE_UINT32: _VARINT,
    _FD.TYPE_ENUM: _VARINT,
    _FD.TYPE_SFIXED32: _FIXED32,
    _FD.TYPE_SFIXED64: _FIXED64,
    _FD.TYPE_SINT32: _VARINT,
    _FD.TYPE_SINT64: _VARINT,
}
_TIMESTAMP: Final = timestamp_pb2.Timestamp.DESCRIPTOR.full_name
_DURATION: Final = duration_pb2.Duration.DESCRIPTOR.full_name

M = TypeVar("M", bound=message.Message)


class WireError(ValueError):
    """Bytes that are not one strict encoding of the expected message."""


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = 0
    for index in range(10):
        if pos >= len(data):
            raise WireError("truncated varint")
        byte = data[pos]
        pos += 1
        if index == 9 and byte > 1:
            raise WireError("varint does not fit 64 bits")
        value |= (byte & 0x7F) << (7 * index)
        if byte < 0x80:
            return value, pos
    raise WireError("varint longer than 10 bytes")


def _skip(data: bytes, pos: int, size: int) -> int:
    if pos + size > len(data):
        raise WireError("truncated field")
    return pos + size


def _check_packed(payload: bytes, wire: int) -> None:
    if wire == _VARINT:
        pos = 0
        while pos < len(payload):
            _, pos = _varint(payload, pos)
    elif len(payload) % (8 if wire == _FIXED64 else 4):
        raise WireError("packed fixed-width field of a partial element")


def _check_time(payload: bytes, full_name: str) -> None:
    """Go's ``StdTime`` / ``StdDuration`` range checks."""
    if full_name == _TIMESTAMP:
        stamp = timestamp_pb2.Timestamp.FromString(payload)
        seconds, nanos = stamp.seconds, stamp.nanos
        if not TIMESTAMP_MIN_SECONDS <= seconds < TIMESTAMP_END_SECONDS or not 0 <= nanos < NANOS:
            raise WireError(f"timestamp ({seconds} s, {nanos} ns) is out of Go's range")
    else:
        length = duration_pb2.Duration.FromString(payload)
        seconds, nanos = length.seconds, length.nanos
        total = seconds * NANOS + nanos
        if (
            abs(seconds) > _DURATION_MAX_SECONDS
            or abs(nanos) >= NANOS
            or (seconds < 0 < nanos)
            or (nanos < 0 < seconds)
            or not INT64_MIN <= total <= INT64_MAX
        ):
            raise WireError(f"duration ({seconds} s, {nanos} ns) is out of Go's range")


def check_wire(data: bytes, desc: descriptor.Descriptor) -> None:
    """Walk ``data`` as an encoding of ``desc``; raise ``WireError`` where it is not strict."""
    pos, seen = 0, set[object]()
    while pos < len(data):
        tag, pos = _varint(data, pos)
        number, wire = tag >> 3, tag & 7
        if tag >= 2**32 or number == 0:
            raise WireError(f"invalid field tag {tag}")
        start = pos
        if wire == _VARINT:
            _, pos = _varint(data, pos)
        elif wire == _FIXED64:
            pos = _skip(data, pos, 8)
        elif wire == _FIXED32:
            pos = _skip(data, pos, 4)
        elif wire == _LEN:
            length, start = _varint(data, pos)
            pos = _skip(data, start, length)
        else:
            raise WireError(f"wire type {wire} (groups) is not accepted")
        field = desc.fields_by_number.get(number)
        if field is None:
            continue
        _check_field(field, wire, data[start:pos], seen)


def _check_field(
    field: descriptor.FieldDescriptor, wire: int, payload: bytes, seen: set[object]
) -> None:
    expected = _WIRE_TYPE.get(field.type)
    repeated = field.is_repeated
    packed = repeated and wire == _LEN and expected != _LEN
    if wire != expected and not packed:
        raise WireError(f"field {field.name} has wire type {wire}, expected {expected}")
    if not repeated:
        key = field.containing_oneof.full_name if field.containing_oneof else field.number
        if key in seen:
            raise WireError(f"field {field.name} occurs twice")
        seen.add(key)
    if packed:
        assert expected is not None
        _check_packed(payload, expected)
    elif field.type == _FD.TYPE_MESSAGE:
        nested = field.message_type
        assert nested is not None
        check_wire(payload, nested)
        if nested.full_name in (_TIMESTAMP, _DURATION):
            _check_time(payload, nested.full_name)
    elif field.type == _FD.TYPE_STRING:
        try:
            payload.decode("utf-8")
        except UnicodeDecodeError:
            raise WireError(f"field {field.name} is not UTF-8") from None


def parse(data: bytes, cls: type[M]) -> M:
    """``data`` strictly decoded as ``cls``, unknown fields dropped; raises ``WireError``."""
    check_wire(data, cls.DESCRIPTOR)  # type: ignore[arg-type]
    try:
        decoded = cls.FromString(data)
    except message.DecodeError as error:
        raise WireError(str(error)) from None
    decoded.DiscardUnknownFields()
    return decoded


def unpack(data: bytes, type_urls: dict[str, type[message.Message]]) -> message.Message:
    """An ``Any`` holding one of ``type_urls``, its value strictly decoded."""
    wrapped = parse(data, any_pb2.Any)
    cls = type_urls.get(wrapped.type_url)
    if cls is None:
        raise WireError(f"unexpected type url {wrapped.type_url or '(none)'}")
    return parse(wrapped.value, cls)


def _go_zero_time(stamp: timestamp_pb2.Timestamp, present: bool) -> None:
    if not present:
        stamp.seconds, stamp.nanos = _GO_ZERO_TIME_SECONDS, 0


def _go_view_of_header(header: tendermint_pb2.Header) -> None:
    """Absent non-nullable times of a client header become Go's zero time."""
    if header.HasField("signed_header"):
        signed = header.signed_header
        if signed.HasField("header"):
            _go_zero_time(signed.header.time, signed.header.HasField("time"))
        if signed.HasField("commit"):
            for sig in signed.commit.signatures:
                _go_zero_time(sig.timestamp, sig.HasField("timestamp"))


def client_state(
    data: bytes, reason: str = errors.MALFORMED_CLIENT_STATE
) -> tendermint_pb2.ClientState:
    """An ``Any``-packed 07-tendermint client state; refusals carry ``reason``."""
    try:
        state = unpack(data, {CLIENT_STATE_URL: tendermint_pb2.ClientState})
    except WireError as error:
        raise ClientError(reason, str(error)) from None
    assert isinstance(state, tendermint_pb2.ClientState)
    return state


def consensus_state(
    data: bytes, reason: str = errors.MALFORMED_CONSENSUS_STATE
) -> tendermint_pb2.ConsensusState:
    """An ``Any``-packed 07-tendermint consensus state, its timestamp in Go's view."""
    try:
        state = unpack(data, {CONSENSUS_STATE_URL: tendermint_pb2.ConsensusState})
    except WireError as error:
        raise ClientError(reason, str(error)) from None
    assert isinstance(state, tendermint_pb2.ConsensusState)
    _go_zero_time(state.timestamp, state.HasField("timestamp"))
    return state


ClientMessage = tendermint_pb2.Header | tendermint_pb2.Misbehaviour
MerkleProof = commitment_pb2.MerkleProof


def client_message(data: bytes) -> ClientMessage:
    """An ``Any``-packed 07-tendermint ``Header`` or ``Misbehaviour``."""
    try:
        decoded = unpack(
            data,
            {HEADER_URL: tendermint_pb2.Header, MISBEHAVIOUR_URL: tendermint_pb2.Misbehaviour},
        )
    except WireError as error:
        raise ClientError(errors.MALFORMED_CLIENT_MESSAGE, str(error)) from None
    if isinstance(decoded, tendermint_pb2.Header):
        _go_view_of_header(decoded)
        return decoded
    assert isinstance(decoded, tendermint_pb2.Misbehaviour)
    for part in (decoded.header_1, decoded.header_2):
        _go_view_of_header(part)
    return decoded


def merkle_proof(data: bytes) -> commitment_pb2.MerkleProof:
    """A ``MerkleProof`` (not ``Any``-packed, as ibc-go's ``cdc.Unmarshal`` reads it)."""
    try:
        return parse(data, commitment_pb2.MerkleProof)
    except WireError as error:
        raise ClientError(errors.MALFORMED_PROOF, str(error)) from None


def time_ns(stamp: timestamp_pb2.Timestamp) -> int:
    return int(stamp.seconds) * NANOS + int(stamp.nanos)


def duration_ns(length: duration_pb2.Duration) -> int:
    return int(length.seconds) * NANOS + int(length.nanos)
