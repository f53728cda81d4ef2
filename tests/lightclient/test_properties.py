"""Hypothesis properties, through the real contracts and the reference together: random valid
chains always verify, a single changed byte in a header message or a proof is refused (except
inside a signature the rules never check, where both still agree), and altered genesis states
get the same answer from both."""

from __future__ import annotations

from dataclasses import dataclass, replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relayer_sim.counterparty import CounterpartyChain, ValidatorSpec
from relayer_sim.counterparty.chain import SECOND
from relayer_sim.lightclient import decode
from relayer_sim.lightclient.client import V1, V2, ClientError, Profile
from relayer_sim.lightclient.headers import HeaderMessage, Height, Misbehaviour
from tests.lightclient.chains import advance, genesis, make_chain, soon_after
from tests.lightclient.conftest import TwinFactory
from tests.lightclient.harness import Twin
from tests.lightclient.test_updates import started

PROPERTY_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@dataclass(frozen=True)
class ChainShape:
    powers: tuple[int, ...]
    consensus: str
    blocks: int
    offline: frozenset[int]
    jitter_ns: int
    profile: Profile

    def build(self) -> CounterpartyChain:
        validators = tuple(ValidatorSpec(f"val{i}", p) for i, p in enumerate(self.powers))
        chain = make_chain(
            validators, consensus=self.consensus, block_jitter_ns=self.jitter_ns, seed=b"prop"
        )
        for index in self.offline:
            chain.set_online(f"val{index}", False)
        advance(chain, self.blocks)
        return chain


@st.composite
def chain_shapes(draw: st.DrawFn) -> ChainShape:
    powers = tuple(draw(st.lists(st.integers(1, 1000), min_size=1, max_size=7)))
    total = sum(powers)
    # Some validators may be offline, as long as more than 2/3 of the power signs.
    offline: set[int] = set()
    for index in draw(st.permutations(range(len(powers)))):
        online = total - sum(powers[i] for i in offline | {index})
        if draw(st.booleans()) and online * 3 > total * 2:
            offline.add(index)
    consensus = draw(st.sampled_from(["tm-ed25519", "tm-secp256k1"]))
    # v1 follows only ed25519 chains; v2 follows both.
    profiles = [V1, V2] if consensus == "tm-ed25519" else [V2]
    return ChainShape(
        powers=powers,
        consensus=consensus,
        profile=draw(st.sampled_from(profiles)),
        blocks=draw(st.integers(2, 6)),
        offline=frozenset(offline),
        jitter_ns=draw(st.integers(0, 5 * SECOND)),
    )


@PROPERTY_SETTINGS
@given(shape=chain_shapes(), data=st.data())
def test_random_valid_chains_always_verify(
    twin: TwinFactory, shape: ChainShape, data: st.DataObject
) -> None:
    chain = shape.build()
    pair = started(twin, shape.profile, chain, Height(1, 1))
    env = soon_after(chain)
    trusted = 1
    while trusted < shape.blocks:
        target = data.draw(st.integers(trusted + 1, shape.blocks), label="target")
        message = chain.header_message(Height(1, target), Height(1, trusted))
        assert pair.update(message.to_bytes(), env) == [Height(1, target)]
        trusted = target
    assert pair.status(env) == "Active"


def _only_signatures_differ(original: HeaderMessage, changed: object) -> bool:
    """Whether ``changed`` is ``original`` with other commit signatures: the one part of a
    message that the rules may leave unchecked (past the needed power)."""
    if not isinstance(changed, HeaderMessage):
        return False
    commit = replace(changed.signed.commit, signatures=original.signed.commit.signatures)
    return replace(changed, signed=replace(changed.signed, commit=commit)) == original


@PROPERTY_SETTINGS
@given(shape=chain_shapes(), data=st.data())
def test_a_changed_byte_in_a_header_message_is_refused(
    twin: TwinFactory, shape: ChainShape, data: st.DataObject
) -> None:
    chain = shape.build()
    pair = started(twin, shape.profile, chain, Height(1, 1))
    target = data.draw(st.integers(2, shape.blocks), label="target")
    message = chain.header_message(Height(1, target), Height(1, 1))
    encoded = message.to_bytes()
    position = data.draw(st.integers(0, len(encoded) - 1), label="position")
    flip = data.draw(st.integers(1, 255), label="xor")
    changed = bytearray(encoded)
    changed[position] ^= flip
    try:
        decoded: object = decode.client_message(bytes(changed))
    except decode.DecodeError:
        decoded = None
    env = soon_after(chain)
    try:
        pair.verify_client_message(bytes(changed), env)  # the twin checks both agree
    except ClientError:
        return
    assert _only_signatures_differ(message, decoded), f"byte {position} ^ {flip:#x} was accepted"


@PROPERTY_SETTINGS
@given(data=st.data())
def test_a_changed_byte_in_a_proof_is_refused(twin: TwinFactory, data: st.DataObject) -> None:
    keys = data.draw(
        st.lists(st.binary(min_size=1, max_size=12), min_size=1, max_size=12, unique=True),
        label="keys",
    )
    chain = make_chain()
    advance(chain, 1)
    for index, key in enumerate(keys):
        chain.state.write((key,), b"value %d" % index)
    advance(chain, 1)
    pair = started(twin, V1, chain, Height(1, 1))
    env = soon_after(chain)
    pair.update(chain.header_message(Height(1, 2), Height(1, 1)).to_bytes(), env)
    present = data.draw(st.booleans(), label="present")
    key = (
        data.draw(st.sampled_from(keys), label="key")
        if present
        else data.draw(
            st.binary(min_size=1, max_size=12).filter(lambda k: k not in keys), label="absent key"
        )
    )
    path = [key]
    proof = chain.prove(tuple(path), Height(1, 2))
    value = chain.value(tuple(path), Height(1, 2))

    def verify(candidate: bytes) -> None:
        if value is None:
            pair.verify_non_membership(Height(1, 2), candidate, path, env)
        else:
            pair.verify_membership(Height(1, 2), candidate, path, value, env)

    verify(proof)
    position = data.draw(st.integers(0, len(proof) - 1), label="position")
    changed = bytearray(proof)
    changed[position] ^= data.draw(st.integers(1, 255), label="xor")
    try:
        verify(bytes(changed))
    except ClientError:
        return
    raise AssertionError(f"a proof with byte {position} changed was accepted")


@PROPERTY_SETTINGS
@given(shape=chain_shapes())
def test_misbehaviour_of_a_chain_with_itself_is_never_found(
    twin: TwinFactory, shape: ChainShape
) -> None:
    chain = shape.build()
    pair: Twin = started(twin, shape.profile, chain, Height(1, 1))
    env = soon_after(chain)
    first = chain.header_message(Height(1, shape.blocks), Height(1, 1))
    second = chain.header_message(Height(1, 2), Height(1, 1))
    evidence = Misbehaviour(first, second).to_bytes()
    pair.verify_client_message(evidence, env)
    assert not pair.check_for_misbehaviour(evidence, env)


@PROPERTY_SETTINGS
@given(data=st.data(), profile=st.sampled_from([V1, V2]))
def test_a_changed_byte_in_the_genesis_states_gives_one_answer(
    twin: TwinFactory, data: st.DataObject, profile: Profile
) -> None:
    """Creating a client from altered states: the contract and the reference agree (the twin
    checks the outcome, the error and the stored bytes), and an accepted client answers."""
    chain = make_chain()
    advance(chain, 2)
    client, consensus = genesis(chain, Height(1, 1), format=data.draw(st.sampled_from([1, 2])))
    which = data.draw(st.sampled_from(["client", "consensus"]), label="which")
    original = client if which == "client" else consensus
    position = data.draw(st.integers(0, len(original) - 1), label="position")
    changed = bytearray(original)
    changed[position] ^= data.draw(st.integers(1, 255), label="xor")
    if which == "client":
        client = bytes(changed)
    else:
        consensus = bytes(changed)
    pair = twin(profile)
    try:
        pair.instantiate(client, consensus, pair.checksum, soon_after(chain))
    except ClientError:
        return
    assert pair.status(soon_after(chain)) in {"Active", "Expired"}
