"""Decoding and stateless validation in the 07-tendermint reference: one strict reading of the
protobuf bytes, Go's view of what they mean, Go's bytes when states are written, and
``ClientState.Validate`` / ``ConsensusState.ValidateBasic`` / ``Header.ValidateBasic`` at work."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from google.protobuf import any_pb2, duration_pb2
from hypothesis import given, settings
from hypothesis import strategies as st

from relayer_sim.formats import light_blocks as lb
from relayer_sim.formats.proto.ibc.lightclients.tendermint.v1 import tendermint_pb2
from relayer_sim.formats.proto.tendermint.crypto import keys_pb2
from relayer_sim.ics07 import decode, encode, errors
from relayer_sim.ics07.client import TENDERMINT_V1, TendermintClient
from relayer_sim.ics07.errors import ClientError, reason_of
from relayer_sim.ics07.gosem import GO_ZERO_TIME_NS, NANOS, div
from relayer_sim.ics07.validate import trust_level_problem
from relayer_sim.vm import MemoryStorage
from tests.ics07 import HOUR, SECOND, T0, TestChain, client_state, env, genesis, header_message
from tests.ics07.test_reference_updates import CHECKSUM, refused, start

CLIENT_URL = "/ibc.lightclients.tendermint.v1.ClientState"


def packed(type_url: str, inner: bytes) -> bytes:
    return any_pb2.Any(type_url=type_url, value=inner).SerializeToString()


def state_bytes(**changes: object) -> bytes:
    return client_state(5, **changes).SerializeToString(deterministic=True)  # type: ignore[arg-type]


def _without_trusting() -> bytes:
    state = client_state(5)
    state.ClearField("trusting_period")
    return state.SerializeToString(deterministic=True)


def decoded_reason(call: Callable[[], object]) -> str | None:
    try:
        call()
    except ClientError as error:
        return reason_of(str(error))
    return None


# --- strict decoding ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "inner"),
    [
        ("a non-repeated field twice", state_bytes() + b"\x0a\x03abc"),
        ("a known field of the wrong wire type", state_bytes() + b"\x08\x01"),
        ("a group, even unknown", state_bytes() + b"\xfb\x06\xfc\x06"),
        ("a truncated length", state_bytes()[:-3]),
        ("a varint above 64 bits", state_bytes() + b"\xf8\x06" + b"\xff" * 9 + b"\x02"),
        ("an eleven-byte varint", state_bytes() + b"\xf8\x06" + b"\x80" * 10 + b"\x00"),
        ("field number zero", state_bytes() + b"\x00\x00"),
        (
            "a chain id that is not UTF-8",
            client_state(5).SerializeToString()[:0] + b"\x0a\x02\xff\xfe",
        ),
        (
            "a duration beyond int64 nanoseconds",
            state_bytes() + b"\x1a\x06\x08\x80\x80\x80\x80\x40",
        ),
    ],
)
def test_malformed_client_states(case: str, inner: bytes) -> None:
    assert decoded_reason(lambda: decode.client_state(packed(CLIENT_URL, inner))) == (
        errors.MALFORMED_CLIENT_STATE
    ), case


def test_repeated_fields_may_repeat_and_unknown_fields_are_dropped() -> None:
    with_unknown = state_bytes() + b"\x4a\x03ibc" + b"\xf8\x06\x2a" + b"\x82\x07\x01x"
    state = decode.client_state(packed(CLIENT_URL, with_unknown))
    assert list(state.upgrade_path) == ["upgrade", "upgradedIBCState", "ibc"]
    del state.upgrade_path[2]
    assert encode.client_state_any(state) == lb.pack_any(client_state(5))


def test_a_wrong_type_url_is_malformed() -> None:
    consensus = lb.pack_any(lb.consensus_state(T0, b"r" * 32, b""))
    assert decoded_reason(lambda: decode.client_state(consensus)) == errors.MALFORMED_CLIENT_STATE


def test_two_members_of_one_oneof_are_malformed() -> None:
    ed25519 = keys_pb2.PublicKey(ed25519=b"e" * 32).SerializeToString()
    secp256k1 = keys_pb2.PublicKey(secp256k1=b"\x02" * 33).SerializeToString()
    assert decode.parse(ed25519, keys_pb2.PublicKey).ed25519 == b"e" * 32
    with pytest.raises(decode.WireError, match="twice"):
        decode.parse(ed25519 + secp256k1, keys_pb2.PublicKey)


@pytest.mark.parametrize(
    ("seconds", "nanos", "malformed"),
    [
        (253402300799, 999_999_999, False),  # 9999-12-31T23:59:59.999999999Z
        (253402300800, 0, True),
        (-62135596800, 0, False),
        (-62135596801, 0, True),
        (1, 1_000_000_000, True),
        (1, -1, True),
    ],
)
def test_timestamps_go_cannot_hold_are_malformed(seconds: int, nanos: int, malformed: bool) -> None:
    state = lb.consensus_state(T0, b"r" * 32, b"")
    state.timestamp.seconds, state.timestamp.nanos = seconds, nanos
    got = decoded_reason(lambda: decode.consensus_state(lb.pack_any(state)))
    assert got == (errors.MALFORMED_CONSENSUS_STATE if malformed else None)


def test_an_absent_time_is_go_zero_time_and_is_written_as_such() -> None:
    state = tendermint_pb2.ConsensusState(next_validators_hash=b"n" * 32)
    state.root.hash = b"r" * 32
    decoded = decode.consensus_state(lb.pack_any(state))
    assert decode.time_ns(decoded.timestamp) == GO_ZERO_TIME_NS
    written = any_pb2.Any.FromString(encode.consensus_state_any(decoded)).value
    assert written.startswith(b"\x0a\x0b\x08\x80\x92\xb8\xc3\x98\xfe\xff\xff\xff\x01")


def test_writes_always_carry_the_non_nullable_fields() -> None:
    """gogoproto writes a non-nullable message even when it is empty."""
    assert encode.client_state_bytes(tendermint_pb2.ClientState()) == bytes.fromhex(
        "12001a0022002a0032003a00"
    )
    written = encode.consensus_state_any(tendermint_pb2.ConsensusState())
    assert any_pb2.Any.FromString(written).value == bytes.fromhex("0a001200")


def test_the_builders_states_are_already_go_bytes() -> None:
    chain = TestChain()
    client_any, consensus_any = genesis(chain.block(1))
    assert encode.client_state_any(decode.client_state(client_any)) == client_any
    assert encode.consensus_state_any(decode.consensus_state(consensus_any)) == consensus_any


# --- ClientState.Validate and ConsensusState.ValidateBasic ----------------------------------------


def instantiate(client: bytes, consensus: bytes) -> tuple[str | None, list[tuple[bytes, bytes]]]:
    tm = TendermintClient(MemoryStorage(), TENDERMINT_V1)
    got = decoded_reason(lambda: tm.instantiate(client, consensus, CHECKSUM, env(T0)))
    return got, list(tm.store.scan(None, None, True))


def _client(**changes: object) -> tendermint_pb2.ClientState:
    return client_state(5, **changes)  # type: ignore[arg-type]


def _consensus() -> tendermint_pb2.ConsensusState:
    return lb.consensus_state(T0, b"r" * 32, b"n" * 32)


def _mutated_client(case: str) -> tendermint_pb2.ClientState:
    state = _client()
    if case == "trust level 1/4":
        state.trust_level.numerator, state.trust_level.denominator = 1, 4
    elif case == "trust level above 1":
        state.trust_level.numerator, state.trust_level.denominator = 4, 3
    elif case == "zero denominator":
        state.trust_level.denominator = 0
    elif case == "zero trusting period":
        state.trusting_period.Clear()
    elif case == "negative max clock drift":
        state.max_clock_drift.seconds = -1
    elif case == "trusting not below unbonding":
        state.trusting_period.CopyFrom(state.unbonding_period)
    elif case == "empty chain id":
        state.chain_id = "\u3000 "
    elif case == "chain id of 51 bytes":
        state.chain_id = "a" * 49 + "-1"
    elif case == "revision differs from the chain id's":
        state.latest_height.revision_number = 2
    elif case == "zero latest height":
        state.latest_height.revision_height = 0
    elif case == "no proof specs":
        del state.proof_specs[:]
    elif case == "blank upgrade path key":
        state.upgrade_path[1] = "\t"
    return state


@pytest.mark.parametrize(
    "case",
    [
        "trust level 1/4",
        "trust level above 1",
        "zero denominator",
        "zero trusting period",
        "negative max clock drift",
        "trusting not below unbonding",
        "empty chain id",
        "chain id of 51 bytes",
        "revision differs from the chain id's",
        "zero latest height",
        "no proof specs",
        "blank upgrade path key",
    ],
)
def test_invalid_client_states_are_refused_and_nothing_is_written(case: str) -> None:
    got, stored = instantiate(lb.pack_any(_mutated_client(case)), lb.pack_any(_consensus()))
    assert (got, stored) == (errors.INVALID_CLIENT_STATE, [])


def test_trust_level_bounds_use_go_uint64_arithmetic() -> None:
    assert trust_level_problem(1, 3) is None
    assert trust_level_problem(1, 1) is None
    assert trust_level_problem(1, 4) is not None
    # numerator * 3 wraps around 2^64 in Go: 2^63 * 3 = 2^63 (mod 2^64) < 2^63 + 1
    assert trust_level_problem(2**63, 2**63 + 1) is not None


def test_go_trims_only_unicode_white_space() -> None:
    state = _client(chain_id="\x1c")
    state.latest_height.revision_number = 0
    assert instantiate(lb.pack_any(state), lb.pack_any(_consensus()))[0] is None


@pytest.mark.parametrize(
    ("case", "accepted"),
    [
        ("empty root", False),
        ("short next validators hash", False),
        ("half a second", False),
        ("one second", True),
        ("no next validators hash", True),
    ],
)
def test_consensus_state_validate_basic(case: str, accepted: bool) -> None:
    state = _consensus()
    if case == "empty root":
        state.root.hash = b""
    elif case == "short next validators hash":
        state.next_validators_hash = b"n" * 31
    elif case == "half a second":
        state.timestamp.seconds, state.timestamp.nanos = 0, 500_000_000
    elif case == "one second":
        state.timestamp.seconds, state.timestamp.nanos = 1, 0
    else:
        state.next_validators_hash = b""
    got, _ = instantiate(lb.pack_any(_client()), lb.pack_any(state))
    assert got == (None if accepted else errors.INVALID_CONSENSUS_STATE)


# --- Header.ValidateBasic -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("block protocol 10", errors.INVALID_HEADER),
        ("proposer address of 19 bytes", errors.INVALID_HEADER),
        ("absent vote with an address", errors.INVALID_COMMIT),
        ("no commit", errors.INVALID_COMMIT),
        ("commit of another height", errors.INVALID_COMMIT),
        ("no validator set", errors.INVALID_HEADER),
        ("validator set without proposer", errors.INVALID_HEADER),
        ("validator key of no type", errors.UNSUPPORTED_PUBLIC_KEY),
        ("validator address not its key's", errors.INVALID_HEADER),
        ("no trusted validators", errors.INVALID_VALIDATOR_SET),
        ("trusted height not below", errors.INVALID_HEADER),
        ("signed header missing", errors.INVALID_HEADER),
    ],
)
def test_header_validate_basic(case: str, expected: str) -> None:
    chain = TestChain()
    client = start(chain)
    block = chain.block(3, absent=[3])
    message = header_message(block, 1, chain.validators.validators)
    signed = message.signed_header
    if case == "block protocol 10":
        signed.header.version.block = 10
    elif case == "proposer address of 19 bytes":
        signed.header.proposer_address = b"p" * 19
    elif case == "absent vote with an address":
        signed.commit.signatures[3].validator_address = b"a" * 20
    elif case == "no commit":
        signed.ClearField("commit")
    elif case == "commit of another height":
        signed.commit.height = 4
    elif case == "no validator set":
        message.ClearField("validator_set")
    elif case == "validator set without proposer":
        message.validator_set.ClearField("proposer")
    elif case == "validator key of no type":
        message.validator_set.validators[1].pub_key.Clear()
    elif case == "validator address not its key's":
        message.validator_set.validators[1].address = b"x" * 20
    elif case == "no trusted validators":
        message.ClearField("trusted_validators")
    elif case == "trusted height not below":
        message.trusted_height.revision_height = 3
    else:
        message.ClearField("signed_header")
    assert refused(client, lb.pack_any(message), block.time_ns + SECOND) == expected


def test_refusals_name_a_listed_reason() -> None:
    with pytest.raises(ValueError, match="not a reason"):
        ClientError("something else")
    assert reason_of("invalid proof: detail: more") == errors.INVALID_PROOF
    assert HOUR == 3600 * SECOND


# --- robustness -----------------------------------------------------------------------------------


def _valid_inputs() -> list[tuple[Callable[[bytes], object], bytes]]:
    chain = TestChain()
    first = chain.block(1)
    client_any, consensus_any = genesis(first)
    chain.ibc.set(b"key", b"value")
    second = chain.block(2)
    message = lb.pack_any(header_message(second, 1, chain.validators.validators))
    return [
        (decode.client_state, client_any),
        (decode.consensus_state, consensus_any),
        (decode.client_message, message),
        (decode.merkle_proof, chain.prove(second, b"key")),
    ]


_INPUTS = _valid_inputs()
_PERIODS = ("trusting_period", "unbonding_period", "max_clock_drift")


@settings(max_examples=150, deadline=None)
@given(which=st.integers(0, len(_INPUTS) - 1), data=st.data())
def test_mangled_bytes_decode_or_are_malformed(which: int, data: st.DataObject) -> None:
    decoder, valid = _INPUTS[which]
    mangled = bytearray(valid)
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(mangled)))
        action = data.draw(st.sampled_from(["flip", "insert", "delete"]))
        if action == "insert" or not mangled:
            mangled[position:position] = bytes([data.draw(st.integers(0, 255))])
        elif action == "delete":
            del mangled[min(position, len(mangled) - 1)]
        else:
            mangled[min(position, len(mangled) - 1)] ^= 1 << data.draw(st.integers(0, 7))
    try:
        decoder(bytes(mangled))
    except ClientError as error:
        assert reason_of(str(error)).startswith("malformed ")


@settings(max_examples=80, deadline=None)
@given(
    chain_id=st.text(max_size=20),
    numerator=st.integers(0, 2**64 - 1),
    denominator=st.integers(0, 2**64 - 1),
    periods=st.lists(st.integers(-(2**63), 2**63 - 1), min_size=3, max_size=3),
    heights=st.lists(st.integers(0, 2**64 - 1), min_size=4, max_size=4),
    path=st.lists(st.text(max_size=8), max_size=3),
)
def test_client_states_re_encode_to_one_fixed_point(
    chain_id: str,
    numerator: int,
    denominator: int,
    periods: list[int],
    heights: list[int],
    path: list[str],
) -> None:
    state = lb.client_state(
        chain_id=chain_id,
        trust_level=(numerator, denominator),
        trusting_period_ns=periods[0],
        unbonding_period_ns=periods[1],
        max_clock_drift_ns=periods[2],
        latest_height=lb.height(heights[0], heights[1]),
        upgrade_path=path,
    )
    for name, value in zip(_PERIODS, periods, strict=True):
        getattr(state, name).CopyFrom(_go_duration(value))
    state.frozen_height.CopyFrom(lb.height(heights[2], heights[3]))
    written = encode.client_state_any(state)
    decoded = decode.client_state(written)
    assert encode.client_state_any(decoded) == written
    assert [decode.duration_ns(getattr(decoded, name)) for name in _PERIODS] == periods


def _go_duration(length_ns: int) -> duration_pb2.Duration:
    """A ``time.Duration`` as Go encodes it: seconds and nanos of one sign."""
    seconds = div(length_ns, NANOS)
    return duration_pb2.Duration(seconds=seconds, nanos=length_ns - seconds * NANOS)
