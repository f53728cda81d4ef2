"""Strict decoding of client messages and light-client state from their msgpack bytes.

Anything that is not exactly the documented shape (``headers``, ``states``) is refused with a
``DecodeError`` naming the part that is wrong: a light client must never guess.
"""

from __future__ import annotations

from typing import Any

from relayer_sim.lightclient.encoding import NotCanonical, is_tag, is_uint, unpack_canonical
from relayer_sim.lightclient.headers import (
    MESSAGE_HEADER,
    MESSAGE_MISBEHAVIOUR,
    VERSIONS_BY_NUMBER,
    Commit,
    Header,
    HeaderMessage,
    Height,
    Misbehaviour,
    SignedHeader,
)
from relayer_sim.lightclient.states import ClientState, ConsensusState, TrustLevel
from relayer_sim.lightclient.validators import Validator, ValidatorSet, ValidatorSetError

HASH_LENGTH = 32


class DecodeError(ValueError):
    """Bytes that are not a well-formed light-client message or state."""


def _unpack(data: bytes, what: str) -> Any:
    try:
        return unpack_canonical(data)
    except NotCanonical as error:
        raise DecodeError(f"{what} is {error}") from None


def _array(value: object, length: int, what: str) -> list[Any]:
    if not (isinstance(value, list) and len(value) == length):
        raise DecodeError(f"{what} must be an array of {length} fields")
    return value


def _uint(value: object, what: str) -> int:
    if not is_uint(value):
        raise DecodeError(f"{what} must be an unsigned 64-bit integer")
    return value


def _hash(value: object, what: str) -> bytes:
    if not (isinstance(value, bytes) and len(value) == HASH_LENGTH):
        raise DecodeError(f"{what} must be {HASH_LENGTH} bytes")
    return value


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise DecodeError(f"{what} must be a string")
    return value


def height(value: object, what: str = "height") -> Height:
    revision, number = _array(value, 2, what)
    return Height(_uint(revision, f"{what} revision"), _uint(number, f"{what} number"))


def header(value: object) -> Header:
    fields = _array(value, 9, "header")
    version = VERSIONS_BY_NUMBER.get(_uint(fields[0], "header version"))
    if version is None:
        raise DecodeError(f"unknown header version {fields[0]}")
    return Header(
        version=version,
        chain_id=_text(fields[1], "chain id"),
        revision=_uint(fields[2], "revision"),
        height=_uint(fields[3], "height"),
        time_ns=_uint(fields[4], "time"),
        validators_hash=_hash(fields[5], "validators hash"),
        next_validators_hash=_hash(fields[6], "next validators hash"),
        app_hash=_hash(fields[7], "app hash"),
        last_block_hash=_hash(fields[8], "last block hash"),
    )


def commit(value: object) -> Commit:
    number, block_hash, signatures = _array(value, 3, "commit")
    if not isinstance(signatures, list) or not all(
        s is None or isinstance(s, bytes) for s in signatures
    ):
        raise DecodeError("commit signatures must be a list of byte strings or nil")
    return Commit(
        _uint(number, "commit height"), _hash(block_hash, "block hash"), tuple(signatures)
    )


def validator_set(value: object, what: str = "validator set") -> ValidatorSet:
    scheme, members = _array(value, 2, what)
    if not isinstance(members, list):
        raise DecodeError(f"{what} members must be a list")
    validators = []
    for member in members:
        key, power = _array(member, 2, f"{what} member")
        if not isinstance(key, bytes):
            raise DecodeError(f"{what} member key must be bytes")
        validators.append(Validator(key, _uint(power, f"{what} power")))
    try:
        decoded = ValidatorSet.of(_text(scheme, f"{what} scheme"), validators)
    except ValidatorSetError as error:
        raise DecodeError(f"{what}: {error}") from None
    if list(decoded.validators) != validators:
        raise DecodeError(f"{what} is not in canonical order")
    return decoded


def _header_message(value: object) -> HeaderMessage:
    tag, raw_header, raw_commit, raw_set, trusted, raw_trusted_set = _array(
        value, 6, "header message"
    )
    if not is_tag(tag, MESSAGE_HEADER):
        raise DecodeError("a header message starts with 0")
    return HeaderMessage(
        SignedHeader(header(raw_header), commit(raw_commit), validator_set(raw_set)),
        height(trusted, "trusted height"),
        validator_set(raw_trusted_set, "trusted validator set"),
    )


def client_message(data: bytes) -> HeaderMessage | Misbehaviour:
    document = _unpack(data, "client message")
    if isinstance(document, list) and document and is_tag(document[0], MESSAGE_MISBEHAVIOUR):
        _tag, first, second = _array(document, 3, "misbehaviour")
        return Misbehaviour(_header_message(first), _header_message(second))
    return _header_message(document)


def client_state(data: bytes) -> ClientState:
    fields = _array(_unpack(data, "client state"), 8, "client state")
    numerator, denominator = (_uint(x, "trust level") for x in _array(fields[2], 2, "trust level"))
    path = fields[7]
    if not (isinstance(path, list) and all(isinstance(p, str) for p in path)):
        raise DecodeError("upgrade path must be a list of strings")
    return ClientState(
        chain_id=_text(fields[1], "chain id"),
        trust_level=TrustLevel(numerator, denominator),
        trusting_period_ns=_uint(fields[3], "trusting period"),
        max_clock_drift_ns=_uint(fields[4], "max clock drift"),
        latest_height=height(fields[5], "latest height"),
        frozen_height=height(fields[6], "frozen height"),
        upgrade_path=tuple(path),
        format=_uint(fields[0], "client state format"),
    )


def consensus_state(data: bytes) -> ConsensusState:
    document = _unpack(data, "consensus state")
    if isinstance(document, list) and document and is_tag(document[0], 2):
        fields = _array(document, 5, "consensus state")
        version = _uint(fields[4], "header version")
    else:
        fields = _array(document, 4, "consensus state")
        version = 1
    return ConsensusState(
        timestamp_ns=_uint(fields[1], "timestamp"),
        root=_hash(fields[2], "root"),
        next_validators_hash=_hash(fields[3], "next validators hash"),
        header_version=version,
        format=_uint(fields[0], "consensus state format"),
    )
