"""Client updates through the real contracts, with real signatures, checked against the
reference: accepted headers, and each way a header is rejected."""

from __future__ import annotations

from dataclasses import replace

import pytest

from relayer_sim.counterparty import (
    Coalition,
    CounterpartyChain,
    RosterChange,
    impostor,
    impostor_message,
)
from relayer_sim.lightclient.client import V1, V1_FLAWED, V2, ClientError, Profile
from relayer_sim.lightclient.headers import Commit, HeaderMessage, Height, SignedHeader
from relayer_sim.lightclient.schemes import SCHEMES
from relayer_sim.lightclient.validators import ValidatorSet
from relayer_sim.lightclient.verify import Rejection
from tests.lightclient.chains import (
    MAX_CLOCK_DRIFT,
    SECOND,
    TRUSTING_PERIOD,
    advance,
    genesis,
    host_env,
    make_chain,
    soon_after,
)
from tests.lightclient.conftest import TwinFactory
from tests.lightclient.harness import Twin

PROFILES = pytest.mark.parametrize("profile", [V1, V2], ids=lambda p: p.name)


def started(twin: TwinFactory, profile: Profile, chain: CounterpartyChain, at: Height) -> Twin:
    pair = twin(profile)
    client, consensus = genesis(chain, at, format=profile.format)
    env = host_env(chain.block(at).header.time_ns + SECOND)
    pair.instantiate(client, consensus, pair.checksum, env)
    return pair


def rejected(pair: Twin, message: HeaderMessage, env: object, rejection: Rejection) -> str:
    with pytest.raises(ClientError) as caught:
        pair.verify_client_message(message.to_bytes(), env)  # type: ignore[arg-type]
    text = str(caught.value)
    assert text.split(": ")[0] == rejection.value, text
    return text


@PROFILES
def test_adjacent_and_skipping_updates_are_accepted(twin: TwinFactory, profile: Profile) -> None:
    chain = make_chain(block_jitter_ns=SECOND)
    advance(chain, 12)
    pair = started(twin, profile, chain, Height(1, 1))
    env = soon_after(chain)
    assert pair.update(chain.header_message(Height(1, 2), Height(1, 1)).to_bytes(), env) == [
        Height(1, 2)
    ]
    assert pair.update(chain.header_message(Height(1, 12), Height(1, 2)).to_bytes(), env) == [
        Height(1, 12)
    ]
    # A gap below the latest height can be filled; the latest height stays.
    assert pair.update(chain.header_message(Height(1, 7), Height(1, 2)).to_bytes(), env) == [
        Height(1, 7)
    ]
    # The same header again changes nothing.
    pair.update(chain.header_message(Height(1, 7), Height(1, 2)).to_bytes(), env)
    assert pair.status(env) == "Active"
    assert pair.timestamp_at_height(Height(1, 12), env) == chain.block(Height(1, 12)).header.time_ns
    with pytest.raises(ClientError, match="consensus state not found at 1-5"):
        pair.timestamp_at_height(Height(1, 5), env)
    heights = [key for key, _ in pair.export_metadata(env) if key.endswith(b"processedHeight")]
    assert heights == [
        f"consensusStates/1-{h}/processedHeight".encode() for h in (1, 12, 2, 7)
    ]  # key order (decimal strings)


@PROFILES
def test_updates_follow_validator_set_changes(twin: TwinFactory, profile: Profile) -> None:
    chain = make_chain()
    advance(chain, 1)
    chain.schedule_validator_change(RosterChange(Height(1, 3), "erin", 200))
    chain.schedule_validator_change(RosterChange(Height(1, 3), "alice", 0))
    advance(chain, 4)
    pair = started(twin, profile, chain, Height(1, 1))
    env = soon_after(chain)
    pair.update(chain.header_message(Height(1, 2), Height(1, 1)).to_bytes(), env)
    pair.update(chain.header_message(Height(1, 3), Height(1, 2)).to_bytes(), env)  # adjacent
    # Skipping from 1: bob, carol and dave (60 of the trusted 100) signed height 5.
    pair.update(chain.header_message(Height(1, 5), Height(1, 1)).to_bytes(), env)


@PROFILES
def test_insufficient_power_is_rejected(twin: TwinFactory, profile: Profile) -> None:
    chain = make_chain()
    advance(chain, 3)
    pair = started(twin, profile, chain, Height(1, 2))
    forged = Coalition.of(["bob", "dave"]).equivocation(chain, Height(1, 3))
    trusted = chain.trusted_validators(Height(1, 2))
    text = rejected(
        pair,
        HeaderMessage(forged, Height(1, 2), trusted),
        soon_after(chain),
        Rejection.INSUFFICIENT_POWER,
    )
    assert text.endswith("40 of 100")


@PROFILES
def test_wrong_validator_set_is_rejected(twin: TwinFactory, profile: Profile) -> None:
    chain = make_chain()
    advance(chain, 3)
    pair = started(twin, profile, chain, Height(1, 2))
    honest = chain.header_message(Height(1, 3), Height(1, 2))
    signers = honest.signed.validator_set
    reweighted = ValidatorSet.of(
        signers.scheme, [replace(v, power=v.power + 1) for v in signers.validators]
    )
    message = replace(honest, signed=replace(honest.signed, validator_set=reweighted))
    rejected(pair, message, soon_after(chain), Rejection.VALIDATORS_MISMATCH)
    # Claiming another trusted set than the one the client stored.
    message = replace(honest, trusted_validators=reweighted)
    rejected(pair, message, soon_after(chain), Rejection.TRUSTED_VALIDATORS_MISMATCH)


@PROFILES
def test_trusting_period_and_clock_drift(twin: TwinFactory, profile: Profile) -> None:
    chain = make_chain()
    advance(chain, 3)
    pair = started(twin, profile, chain, Height(1, 1))
    message = chain.header_message(Height(1, 3), Height(1, 1))
    trusted_time = chain.block(Height(1, 1)).header.time_ns
    rejected(pair, message, host_env(trusted_time + TRUSTING_PERIOD), Rejection.EXPIRED)
    header_time = chain.block(Height(1, 3)).header.time_ns
    rejected(pair, message, host_env(header_time - MAX_CLOCK_DRIFT), Rejection.FUTURE)
    # One nanosecond later the header is just inside the drift allowance.
    pair.verify_client_message(message.to_bytes(), host_env(header_time - MAX_CLOCK_DRIFT + 1))
    assert pair.status(host_env(trusted_time + TRUSTING_PERIOD - 1)) == "Active"
    assert pair.status(host_env(trusted_time + TRUSTING_PERIOD)) == "Expired"


@PROFILES
def test_wrong_chain_or_revision_is_rejected(twin: TwinFactory, profile: Profile) -> None:
    chain = make_chain()
    advance(chain, 3)
    pair = started(twin, profile, chain, Height(1, 1))
    foreign = make_chain(name="stranger")  # same keys, another chain id
    advance(foreign, 3)
    message = foreign.header_message(Height(1, 3), Height(1, 1))
    rejected(pair, message, soon_after(chain), Rejection.WRONG_CHAIN)
    # A header that claims the next revision of the same chain.
    honest = chain.header_message(Height(1, 3), Height(1, 1))
    header = replace(honest.signed.header, revision=2)
    message = replace(honest, signed=replace(honest.signed, header=header))
    rejected(pair, message, soon_after(chain), Rejection.WRONG_REVISION)


@PROFILES
def test_tampered_headers_and_signatures_are_rejected(twin: TwinFactory, profile: Profile) -> None:
    chain = make_chain()
    advance(chain, 3)
    pair = started(twin, profile, chain, Height(1, 2))
    env = soon_after(chain)
    honest = chain.header_message(Height(1, 3), Height(1, 2))
    signed = honest.signed
    tampered = replace(signed.header, app_hash=bytes(32))
    # The app hash changed but the commit is for the original header.
    message = replace(honest, signed=replace(signed, header=tampered))
    rejected(pair, message, env, Rejection.COMMIT_MISMATCH)
    # Commit re-pointed at the tampered header: the signatures no longer match.
    commit = Commit(tampered.height, tampered.hash(), signed.commit.signatures)
    message = replace(honest, signed=SignedHeader(tampered, commit, signed.validator_set))
    assert rejected(pair, message, env, Rejection.BAD_SIGNATURE).endswith("validator #0")
    # One flipped bit in the second validator's signature.
    signatures = list(signed.commit.signatures)
    first = signatures[1]
    assert first is not None
    signatures[1] = bytes([first[0] ^ 1]) + first[1:]
    commit = replace(signed.commit, signatures=tuple(signatures))
    message = replace(honest, signed=replace(signed, commit=commit))
    assert rejected(pair, message, env, Rejection.BAD_SIGNATURE).endswith("validator #1")
    # A signature by a key outside the set, in alice's slot.
    outsider = SCHEMES["ed25519"].key_from_seed(b"outsider")
    signatures[1] = signed.commit.signatures[1]
    signatures[0] = outsider.sign(signed.header.vote_bytes())
    commit = replace(signed.commit, signatures=tuple(signatures))
    message = replace(honest, signed=replace(signed, commit=commit))
    rejected(pair, message, env, Rejection.BAD_SIGNATURE)
    # A missing signature slot.
    commit = replace(signed.commit, signatures=signed.commit.signatures[:-1])
    message = replace(honest, signed=replace(signed, commit=commit))
    rejected(pair, message, env, Rejection.SIGNATURE_COUNT)
    # Not above the trusted height.
    rejected(
        pair, chain.header_message(Height(1, 2), Height(1, 2)), env, Rejection.NOT_ABOVE_TRUSTED
    )


@PROFILES
def test_non_members_do_not_count_towards_trust(twin: TwinFactory, profile: Profile) -> None:
    """A lunatic header signed by a set of strangers: none of them is trusted."""
    chain = make_chain()
    advance(chain, 3)
    strangers = make_chain(seed=b"strangers")
    advance(strangers, 3)
    pair = started(twin, profile, chain, Height(1, 1))
    forged = Coalition.of(["alice", "bob", "carol", "dave"]).lunatic(
        strangers, Height(1, 3), time_ns=chain.latest_time_ns
    )
    message = HeaderMessage(forged, Height(1, 1), chain.trusted_validators(Height(1, 1)))
    assert rejected(pair, message, soon_after(chain), Rejection.INSUFFICIENT_TRUST).endswith(
        "0 of 100"
    )


def test_v1_rejects_v2_headers_and_v2_follows_the_switch(twin: TwinFactory) -> None:
    chain = make_chain()
    advance(chain, 2)
    chain.schedule_consensus_switch(Height(1, 5), "tm-secp256k1")
    advance(chain, 6)
    env = soon_after(chain)
    v1 = started(twin, V1, chain, Height(1, 4))
    switch = chain.header_message(Height(1, 5), Height(1, 4)).to_bytes()
    with pytest.raises(ClientError, match=r"^unsupported header version: 2$"):
        v1.verify_client_message(switch, env)
    v2 = started(twin, V2, chain, Height(1, 2))
    v2.update(chain.header_message(Height(1, 4), Height(1, 2)).to_bytes(), env)
    v2.update(switch, env)
    v2.update(chain.header_message(Height(1, 8), Height(1, 5)).to_bytes(), env)
    assert v2.status(env) == "Active"


def test_v1_client_migrated_to_v2_follows_the_switch(twin: TwinFactory) -> None:
    chain = make_chain()
    advance(chain, 2)
    chain.schedule_consensus_switch(Height(1, 6), "tm-secp256k1")
    advance(chain, 6)
    env = soon_after(chain)
    pair = started(twin, V1, chain, Height(1, 1))
    pair.update(chain.header_message(Height(1, 3), Height(1, 1)).to_bytes(), env)
    switch = chain.header_message(Height(1, 6), Height(1, 5)).to_bytes()
    pair.update(chain.header_message(Height(1, 5), Height(1, 3)).to_bytes(), env)
    with pytest.raises(ClientError, match="unsupported header version"):
        pair.verify_client_message(switch, env)
    pair.switch_code(V2)
    pair.migrate(env)
    pair.update(switch, env)
    pair.update(chain.header_message(Height(1, 8), Height(1, 6)).to_bytes(), env)
    assert pair.status(env) == "Active"
    pair.migrate(env)  # already format 2: nothing changes
    # Going back to v1 would lose the v2 state.
    pair.switch_code(V1)
    with pytest.raises(ClientError, match="cannot migrate format 2 state to format 1"):
        pair.migrate(env)


def test_skipping_needs_the_trust_level(twin: TwinFactory) -> None:
    """Skipping with only 1/3 or less of the trusted power behind the new header fails."""
    chain = make_chain()
    advance(chain, 1)
    chain.schedule_validator_change(RosterChange(Height(1, 3), "alice", 0))
    chain.schedule_validator_change(RosterChange(Height(1, 3), "bob", 0))
    chain.schedule_validator_change(RosterChange(Height(1, 3), "erin", 500))
    advance(chain, 3)
    pair = started(twin, V1, chain, Height(1, 1))
    message = chain.header_message(Height(1, 4), Height(1, 1))
    # Of the trusted 100, only carol and dave (30) are still validators.
    assert rejected(pair, message, soon_after(chain), Rejection.INSUFFICIENT_TRUST).endswith(
        "30 of 100"
    )


SECP256K1_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def test_high_s_secp256k1_signatures_are_accepted(twin: TwinFactory) -> None:
    """The host's secp256k1_verify takes both forms of a signature (s and n - s), and so do the
    contract and the reference; the signatures are not part of what is hashed."""
    chain = make_chain(consensus="tm-secp256k1")
    advance(chain, 3)
    pair = started(twin, V2, chain, Height(1, 1))
    honest = chain.header_message(Height(1, 3), Height(1, 1))
    signatures = list(honest.signed.commit.signatures)
    low = signatures[0]
    assert low is not None
    high_s = SECP256K1_ORDER - int.from_bytes(low[32:], "big")
    signatures[0] = low[:32] + high_s.to_bytes(32, "big")
    commit = replace(honest.signed.commit, signatures=tuple(signatures))
    message = replace(honest, signed=replace(honest.signed, commit=commit))
    pair.update(message.to_bytes(), soon_after(chain))
    assert pair.status(soon_after(chain)) == "Active"


@PROFILES
def test_signatures_past_the_needed_power_are_not_checked(
    twin: TwinFactory, profile: Profile
) -> None:
    """As in CometBFT, verification stops once more than 2/3 of the power has signed: alice,
    bob and carol (90 of 100) pass the quorum, so dave's slot is never looked at."""
    chain = make_chain()
    advance(chain, 3)
    pair = started(twin, profile, chain, Height(1, 2))
    honest = chain.header_message(Height(1, 3), Height(1, 2))
    signatures = list(honest.signed.commit.signatures)
    signatures[3] = bytes(64)  # dave's: not a valid signature
    commit = replace(honest.signed.commit, signatures=tuple(signatures))
    message = replace(honest, signed=replace(honest.signed, commit=commit))
    pair.update(message.to_bytes(), soon_after(chain))
    signatures[0] = bytes(64)  # alice's is needed
    commit = replace(honest.signed.commit, signatures=tuple(signatures))
    message = replace(honest, signed=replace(honest.signed, commit=commit))
    assert rejected(pair, message, soon_after(chain), Rejection.BAD_SIGNATURE).endswith("#0")


def test_an_impostor_header_fools_only_the_flawed_v1(twin: TwinFactory) -> None:
    """Keys the attacker invented sign a header two heights ahead, and the message names them
    as the trusted validators: v1 and v2 compare that set with the trusted state and refuse
    it; the flawed v1, contract and reference alike, stores the header's forged state."""
    chain = make_chain()
    advance(chain, 3)
    env = soon_after(chain)
    at = Height(1, 5)
    forged = impostor(chain, at, chain.latest_time_ns + 5 * SECOND, app_hash=bytes(range(32)))
    message = impostor_message(forged, Height(1, 3))
    for profile in (V1, V2):
        pair = started(twin, profile, chain, Height(1, 3))
        rejected(pair, message, env, Rejection.TRUSTED_VALIDATORS_MISMATCH)
    flawed = started(twin, V1_FLAWED, chain, Height(1, 3))
    assert flawed.update(message.to_bytes(), env) == [at]
    assert flawed.timestamp_at_height(at, env) == forged.header.time_ns
    assert flawed.status(env) == "Active"


def test_the_flaw_changes_nothing_for_honest_updates(twin: TwinFactory) -> None:
    """Adjacent and skipping headers across a validator set change, and a header without
    enough power, get the same results and leave the same bytes on v1 and the flawed v1."""
    chain = make_chain()
    advance(chain, 1)
    chain.schedule_validator_change(RosterChange(Height(1, 3), "erin", 200))
    chain.schedule_validator_change(RosterChange(Height(1, 3), "alice", 0))
    advance(chain, 6)
    env = soon_after(chain)
    correct, flawed = twin(V1), twin(V1_FLAWED)
    client, consensus = genesis(chain, Height(1, 1))
    for pair in (correct, flawed):
        pair.instantiate(client, consensus, correct.checksum, env)
    messages = [
        chain.header_message(Height(1, 2), Height(1, 1)),
        chain.header_message(Height(1, 3), Height(1, 2)),
        chain.header_message(Height(1, 5), Height(1, 1)),
        HeaderMessage(
            Coalition.of(["bob", "dave"]).equivocation(chain, Height(1, 6)),
            Height(1, 5),
            chain.trusted_validators(Height(1, 5)),
        ),
        chain.header_message(Height(1, 7), Height(1, 5)),
    ]
    results: list[object] = []
    for message in messages:
        outcomes: list[object] = []
        for pair in (correct, flawed):
            try:
                outcomes.append(pair.update(message.to_bytes(), env))
            except ClientError as error:
                outcomes.append(str(error))
        assert outcomes[0] == outcomes[1], outcomes
        assert Twin.dump(correct.contract.storage) == Twin.dump(flawed.contract.storage)
        results.append(outcomes[0])
    assert results[2:] == [
        [Height(1, 5)],
        f"{Rejection.INSUFFICIENT_POWER.value}: 40 of 260",
        [Height(1, 7)],
    ]
