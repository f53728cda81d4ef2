"""The rest of a client's life through the real contracts, against the reference: creation
rules, misbehaviour and freezing, membership proofs in both API dialects, planned upgrades,
recovery and pruning."""

from __future__ import annotations

from dataclasses import replace

import pytest

from relayer_sim.counterparty import Coalition, CounterpartyChain, UpgradePlan
from relayer_sim.counterparty.chain import SECOND
from relayer_sim.lightclient import decode
from relayer_sim.lightclient.client import V1, V2, ClientError, Profile
from relayer_sim.lightclient.headers import HeaderMessage, Height, Misbehaviour
from relayer_sim.lightclient.paths import upgrade_paths
from relayer_sim.lightclient.states import DEFAULT_UPGRADE_PATH, TrustLevel
from tests.lightclient.chains import (
    TRUSTING_PERIOD,
    advance,
    genesis,
    host_env,
    make_chain,
    soon_after,
)
from tests.lightclient.conftest import TwinFactory
from tests.lightclient.harness import Twin
from tests.lightclient.test_updates import started

PROFILES = pytest.mark.parametrize("profile", [V1, V2], ids=lambda p: p.name)
PACKET_PATH = [b"ibc", b"commitments/ports/transfer/channels/channel-0/sequences/1"]


# -- creation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"frozen_height": Height(0, 1)}, "client state is frozen"),
        ({"latest_height": Height(1, 0)}, "latest height must not be zero"),
        ({"trust_level": TrustLevel(1, 4)}, "invalid trust level"),
        ({"trust_level": TrustLevel(4, 3)}, "invalid trust level"),
        ({"trust_level": TrustLevel(0, 0)}, "invalid trust level"),
        ({"trusting_period_ns": 0}, "trusting period must be positive"),
        ({"max_clock_drift_ns": 0}, "max clock drift must be positive"),
        ({"chain_id": ""}, "chain id must not be empty"),
        ({"upgrade_path": ("upgrade",)}, "upgrade path must have 0 or 2 elements"),
    ],
)
def test_creation_refuses_bad_client_states(
    twin: TwinFactory, change: dict[str, object], error: str
) -> None:
    chain = make_chain()
    advance(chain, 1)
    client, consensus = genesis(chain, Height(1, 1))
    bad = replace(decode.client_state(client), **change).encode()  # type: ignore[arg-type]
    pair = twin(V1)
    with pytest.raises(ClientError, match=rf"^{error}$"):
        pair.instantiate(bad, consensus, pair.checksum, soon_after(chain))


@PROFILES
def test_creation_refuses_malformed_and_foreign_states(twin: TwinFactory, profile: Profile) -> None:
    chain = make_chain()
    advance(chain, 1)
    client, consensus = genesis(chain, Height(1, 1))
    pair = twin(profile)
    env = soon_after(chain)
    with pytest.raises(ClientError, match=r"^malformed client state"):
        pair.instantiate(b"\x93\x01\x02", consensus, pair.checksum, env)
    with pytest.raises(ClientError, match=r"^malformed consensus state"):
        pair.instantiate(client, consensus[:-1], pair.checksum, env)
    zero_time = replace(decode.consensus_state(consensus), timestamp_ns=0).encode()
    with pytest.raises(ClientError, match=r"^consensus timestamp must not be zero$"):
        pair.instantiate(client, zero_time, pair.checksum, env)
    v2_client, v2_consensus = genesis(chain, Height(1, 1), format=2)
    if profile is V1:
        with pytest.raises(ClientError, match=r"^unsupported client state format 2$"):
            pair.instantiate(v2_client, v2_consensus, pair.checksum, env)
    else:  # v2 takes both formats and stores its own
        pair.instantiate(client, consensus, pair.checksum, env)
        assert pair.status(env) == "Active"


# -- misbehaviour ----------------------------------------------------------------------------


def forked_chain() -> CounterpartyChain:
    chain = make_chain()
    advance(chain, 4)
    return chain


@PROFILES
def test_equivocation_evidence_freezes_the_client(twin: TwinFactory, profile: Profile) -> None:
    chain = forked_chain()
    pair = started(twin, profile, chain, Height(1, 1))
    env = soon_after(chain)
    trusted = chain.trusted_validators(Height(1, 1))
    forged = Coalition.of(["alice", "bob", "carol"]).equivocation(chain, Height(1, 3))
    honest = chain.header_message(Height(1, 3), Height(1, 1))
    evidence = Misbehaviour(HeaderMessage(forged, Height(1, 1), trusted), honest).to_bytes()
    pair.verify_client_message(evidence, env)
    assert pair.check_for_misbehaviour(evidence, env)
    # The same header twice is no evidence.
    assert not pair.check_for_misbehaviour(Misbehaviour(honest, honest).to_bytes(), env)
    with pytest.raises(ClientError, match=r"^update_state needs a header message$"):
        pair.update_state(evidence, env)
    pair.update_state_on_misbehaviour(evidence, env)
    assert pair.status(env) == "Frozen"
    with pytest.raises(ClientError, match=r"^client is frozen$"):
        pair.verify_client_message(honest.to_bytes(), env)


@PROFILES
def test_lunatic_attack_fools_verification_but_is_caught(
    twin: TwinFactory, profile: Profile
) -> None:
    chain = forked_chain()
    pair = started(twin, profile, chain, Height(1, 1))
    env = soon_after(chain)
    trusted = chain.trusted_validators(Height(1, 1))
    # bob + dave hold 40%: above the 1/3 trust level, so the skipping check passes.
    lunatic = Coalition.of(["bob", "dave"]).lunatic(chain, Height(1, 4), chain.latest_time_ns)
    forged = HeaderMessage(lunatic, Height(1, 1), trusted)
    assert pair.update(forged.to_bytes(), env) == [Height(1, 4)]  # the bad header lands
    honest = chain.header_message(Height(1, 4), Height(1, 1))
    evidence = Misbehaviour(honest, forged).to_bytes()
    pair.verify_client_message(evidence, env)
    assert pair.check_for_misbehaviour(evidence, env)
    pair.update_state_on_misbehaviour(evidence, env)
    assert pair.status(env) == "Frozen"


@PROFILES
def test_a_header_conflicting_with_stored_state_freezes(
    twin: TwinFactory, profile: Profile
) -> None:
    chain = forked_chain()
    pair = started(twin, profile, chain, Height(1, 1))
    env = soon_after(chain)
    pair.update(chain.header_message(Height(1, 3), Height(1, 1)).to_bytes(), env)
    trusted = chain.trusted_validators(Height(1, 1))
    strong = Coalition.of(["alice", "bob", "carol"])
    forged = HeaderMessage(strong.equivocation(chain, Height(1, 3)), Height(1, 1), trusted)
    assert pair.update(forged.to_bytes(), env) == []  # misbehaviour: frozen instead
    assert pair.status(env) == "Frozen"


@PROFILES
def test_a_backdated_header_breaks_time_monotonicity(twin: TwinFactory, profile: Profile) -> None:
    chain = forked_chain()
    pair = started(twin, profile, chain, Height(1, 1))
    env = soon_after(chain)
    pair.update(chain.header_message(Height(1, 3), Height(1, 1)).to_bytes(), env)
    earlier = chain.block(Height(1, 3)).header.time_ns
    strong = Coalition.of(["alice", "bob", "carol"])
    backdated = strong.backdated(chain, Height(1, 4), time_ns=earlier)
    message = HeaderMessage(backdated, Height(1, 1), chain.trusted_validators(Height(1, 1)))
    pair.verify_client_message(message.to_bytes(), env)
    assert pair.check_for_misbehaviour(message.to_bytes(), env)
    honest = chain.header_message(Height(1, 3), Height(1, 1))
    assert pair.check_for_misbehaviour(Misbehaviour(honest, message).to_bytes(), env)


def test_evidence_with_an_invalid_header_is_refused(twin: TwinFactory) -> None:
    chain = forked_chain()
    pair = started(twin, V1, chain, Height(1, 1))
    trusted = chain.trusted_validators(Height(1, 1))
    weak = Coalition.of(["dave"]).equivocation(chain, Height(1, 2))
    honest = chain.header_message(Height(1, 2), Height(1, 1))
    evidence = Misbehaviour(honest, HeaderMessage(weak, Height(1, 1), trusted)).to_bytes()
    with pytest.raises(
        ClientError, match=r"^second header: not enough voting power signed: 10 of 100$"
    ):
        pair.verify_client_message(evidence, soon_after(chain))
    with pytest.raises(ClientError, match=r"^malformed client message"):
        pair.verify_client_message(b"\x91\x07", soon_after(chain))


# -- membership ------------------------------------------------------------------------------


@pytest.mark.parametrize("dialect", ["v10", "v0.1"])
@PROFILES
def test_membership_and_non_membership(twin: TwinFactory, profile: Profile, dialect: str) -> None:
    chain = make_chain()
    advance(chain, 1)
    key = tuple(PACKET_PATH)
    chain.state.write(key, b"commitment")
    advance(chain, 1)
    chain.state.write((b"another key",), b"changes the root")
    advance(chain, 1)
    at = Height(1, 3)
    pair = twin(profile, dialect)
    client, consensus = genesis(chain, Height(1, 1), format=profile.format)
    pair.instantiate(client, consensus, pair.checksum, soon_after(chain))
    update_env = soon_after(chain, blocks_later=0)
    pair.update(chain.header_message(at, Height(1, 1)).to_bytes(), update_env)
    absent = [b"ibc", b"receipts/ports/transfer/channels/channel-0/sequences/9"]
    presence, absence = chain.prove(key, at), chain.prove(tuple(absent), at)
    env = update_env
    pair.verify_membership(at, presence, PACKET_PATH, b"commitment", env)
    pair.verify_non_membership(at, absence, absent, env)
    failures = [
        (
            lambda: pair.verify_membership(at, presence, PACKET_PATH, b"other", env),
            "the proven value differs from the expected value",
        ),
        (
            lambda: pair.verify_membership(at, presence, absent, b"commitment", env),
            "the proof is for another key",
        ),
        (
            lambda: pair.verify_membership(at, absence, absent, b"x", env),
            "a membership proof must be an existence proof",
        ),
        (
            lambda: pair.verify_non_membership(at, presence, PACKET_PATH, env),
            "a non-membership proof must be a non-existence proof",
        ),
        (
            lambda: pair.verify_membership(
                at, chain.prove(key, Height(1, 2)), PACKET_PATH, b"commitment", env
            ),
            "the proof does not lead to the trusted root",
        ),
        (
            lambda: pair.verify_membership(Height(1, 2), presence, PACKET_PATH, b"commitment", env),
            "consensus state not found at 1-2",
        ),
        (
            lambda: pair.verify_membership(at, presence, [], b"commitment", env),
            "a merkle path needs at least one element",
        ),
        (
            lambda: pair.verify_membership(at, b"\xc1", PACKET_PATH, b"commitment", env),
            "malformed proof",
        ),
    ]
    for attempt, error in failures:
        with pytest.raises(ClientError, match=rf"^{error}"):
            attempt()


def test_delay_periods(twin: TwinFactory) -> None:
    chain = make_chain()
    advance(chain, 1)
    key = tuple(PACKET_PATH)
    chain.state.write(key, b"commitment")
    advance(chain, 1)
    pair = started(twin, V1, chain, Height(1, 1))
    stored_at = host_env(chain.latest_time_ns + SECOND, height=100)
    pair.update(chain.header_message(Height(1, 2), Height(1, 1)).to_bytes(), stored_at)
    proof = chain.prove(key, Height(1, 2))

    def verify(env: object, delay_time: int, delay_blocks: int) -> None:
        pair.verify_membership(
            Height(1, 2),
            proof,
            PACKET_PATH,
            b"commitment",
            env,
            delay_time,
            delay_blocks,  # type: ignore[arg-type]
        )

    later = host_env(stored_at.time_ns + 30 * SECOND, height=105)
    with pytest.raises(ClientError, match=r"^delay time period has not passed$"):
        verify(later, 30 * SECOND + 1, 0)
    with pytest.raises(ClientError, match=r"^delay block period has not passed$"):
        verify(later, 0, 6)
    verify(later, 30 * SECOND, 5)


# -- planned upgrade ---------------------------------------------------------------------------


def upgraded_chain() -> CounterpartyChain:
    chain = make_chain()
    advance(chain, 2)
    chain.schedule_upgrade(UpgradePlan("next", height=5))
    advance(chain, 3)
    return chain


def upgrade_inputs(chain: CounterpartyChain, plan_height: int) -> tuple[bytes, bytes, bytes, bytes]:
    last = Height(1, 5)
    client_path, consensus_path = upgrade_paths(DEFAULT_UPGRADE_PATH, plan_height)
    client_key, consensus_key = tuple(client_path), tuple(consensus_path)
    client, consensus = chain.value(client_key, last), chain.value(consensus_key, last)
    assert client is not None and consensus is not None
    return client, consensus, chain.prove(client_key, last), chain.prove(consensus_key, last)


@PROFILES
def test_planned_upgrade(twin: TwinFactory, profile: Profile) -> None:
    chain = upgraded_chain()
    pair = started(twin, profile, chain, Height(1, 1))
    env = soon_after(chain)
    client, consensus, client_proof, consensus_proof = upgrade_inputs(chain, 5)
    # Not yet at the plan height: the proofs are checked against the wrong keys and root.
    pair.update(chain.header_message(Height(1, 4), Height(1, 1)).to_bytes(), env)
    with pytest.raises(ClientError, match=r"^upgraded client state: "):
        pair.verify_upgrade_and_update_state(client, consensus, client_proof, consensus_proof, env)
    pair.update(chain.header_message(Height(1, 5), Height(1, 4)).to_bytes(), env)
    tampered = replace(decode.client_state(client), chain_id="evil-2").encode()
    with pytest.raises(ClientError, match=r"^upgraded client state: the proven value differs"):
        pair.verify_upgrade_and_update_state(
            tampered, consensus, client_proof, consensus_proof, env
        )
    # An upgrade path the next upgrade could not use is refused before any proof is checked.
    one_element = replace(decode.client_state(client), upgrade_path=("upgrade",)).encode()
    with pytest.raises(ClientError, match=r"^upgrade path must have 0 or 2 elements$"):
        pair.verify_upgrade_and_update_state(
            one_element, consensus, client_proof, consensus_proof, env
        )
    with pytest.raises(
        ClientError, match=r"^upgraded consensus state: the proof is for another key"
    ):
        pair.verify_upgrade_and_update_state(client, consensus, client_proof, client_proof, env)
    pair.verify_upgrade_and_update_state(client, consensus, client_proof, consensus_proof, env)
    assert pair.status(env) == "Active"
    # The new consensus state's root is the sentinel: no proof holds until the next update.
    with pytest.raises(ClientError, match=r"^a neighbour's proof does not lead to the trusted"):
        pair.verify_non_membership(Height(2, 0), chain.prove((b"x",), Height(1, 5)), [b"x"], env)
    with pytest.raises(ClientError, match=r"^upgraded client height must be above"):
        pair.verify_upgrade_and_update_state(client, consensus, client_proof, consensus_proof, env)
    chain.restart_after_upgrade()
    advance(chain, 2)
    env = soon_after(chain)
    pair.update(chain.header_message(Height(2, 1), Height(2, 0)).to_bytes(), env)
    pair.update(chain.header_message(Height(2, 2), Height(2, 1)).to_bytes(), env)
    pair.verify_non_membership(Height(2, 2), chain.prove((b"x",), Height(2, 2)), [b"x"], env)


def test_upgrade_needs_an_upgrade_path(twin: TwinFactory) -> None:
    chain = upgraded_chain()
    client, consensus = genesis(chain, Height(1, 5))
    no_path = replace(decode.client_state(client), upgrade_path=()).encode()
    pair = twin(V1)
    env = soon_after(chain)
    pair.instantiate(no_path, consensus, pair.checksum, env)
    with pytest.raises(ClientError, match=r"^client has no upgrade path$"):
        pair.verify_upgrade_and_update_state(*upgrade_inputs(chain, 5), env)


# -- recovery and pruning --------------------------------------------------------------------


def prefixed(prefix: bytes, pair: Twin) -> list[tuple[bytes, bytes]]:
    return [(prefix + key, value) for key, value in pair.dump(pair.reference.store)]


@PROFILES
def test_recovery_with_a_substitute(twin: TwinFactory, profile: Profile) -> None:
    chain = forked_chain()
    env = soon_after(chain)
    subject = started(twin, profile, chain, Height(1, 1))
    forged = Coalition.of(["alice", "bob", "carol"]).equivocation(chain, Height(1, 3))
    honest = chain.header_message(Height(1, 3), Height(1, 1))
    evidence = Misbehaviour(
        HeaderMessage(forged, Height(1, 1), chain.trusted_validators(Height(1, 1))), honest
    ).to_bytes()
    subject.update_state_on_misbehaviour(evidence, env)
    substitute = started(twin, profile, chain, Height(1, 4))
    recovery = twin(profile)
    recovery.load(prefixed(b"subject/", subject) + prefixed(b"substitute/", substitute))
    recovery.migrate_client_store(env)
    recovered = twin(profile)
    recovered.load(
        [
            (key.removeprefix(b"subject/"), value)
            for key, value in recovery.dump(recovery.reference.store)
            if key.startswith(b"subject/")
        ]
    )
    assert recovered.status(env) == "Active"
    assert (
        recovered.timestamp_at_height(Height(1, 4), env) == chain.block(Height(1, 4)).header.time_ns
    )


def test_recovery_refuses_a_different_substitute(twin: TwinFactory) -> None:
    chain = forked_chain()
    env = soon_after(chain)
    subject = started(twin, V1, chain, Height(1, 1))
    other = twin(V1)
    client, consensus = genesis(chain, Height(1, 4))
    stricter = replace(decode.client_state(client), trust_level=TrustLevel(1, 2)).encode()
    other.instantiate(stricter, consensus, other.checksum, env)
    recovery = twin(V1)
    recovery.load(prefixed(b"subject/", subject) + prefixed(b"substitute/", other))
    with pytest.raises(ClientError, match=r"^subject and substitute client states do not match$"):
        recovery.migrate_client_store(env)
    empty = twin(V1)
    with pytest.raises(ClientError, match=r"^subject client state not found$"):
        empty.migrate_client_store(env)


def test_expired_consensus_states_are_pruned_one_per_update(twin: TwinFactory) -> None:
    chain = make_chain()
    advance(chain, 3)
    pair = started(twin, V1, chain, Height(1, 1))
    env = soon_after(chain)
    pair.update(chain.header_message(Height(1, 2), Height(1, 1)).to_bytes(), env)
    # When 1-1 has expired, the next update deletes it (only the oldest, one per update).
    late = host_env(chain.block(Height(1, 1)).header.time_ns + TRUSTING_PERIOD, height=500)
    pair.update_state(chain.header_message(Height(1, 3), Height(1, 2)).to_bytes(), late)
    with pytest.raises(ClientError, match=r"^consensus state not found at 1-1$"):
        pair.timestamp_at_height(Height(1, 1), late)
    assert pair.timestamp_at_height(Height(1, 2), late) > 0
