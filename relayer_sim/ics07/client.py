"""The 07-tendermint client over an 08-wasm client store: every entry point of the contracts
``tendermint-v1`` / ``tendermint-v2``, with ibc-go's order of checks (``contracts/tendermint.md``).

``TendermintClient`` has the methods and signatures of the sim-tendermint reference
(``relayer_sim.lightclient.client.LightClient``), so the 08-wasm proxy side and the test
harnesses drive either alike. Every method either completes all its writes or raises
``ClientError`` before the first one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from google.protobuf import duration_pb2

from relayer_sim.formats.ics23 import ProofError
from relayer_sim.formats.multistore import (
    verify_chained_membership,
    verify_chained_non_membership,
)
from relayer_sim.formats.proto.ibc.lightclients.tendermint.v1 import tendermint_pb2
from relayer_sim.ics07 import decode, encode, errors
from relayer_sim.ics07.errors import ClientError
from relayer_sim.ics07.gosem import NANOS, div, int64, uint64, unix_nano
from relayer_sim.ics07.misbehaviour import (
    check_misbehaviour_header,
    is_misbehaviour,
    validate_misbehaviour,
)
from relayer_sim.ics07.validate import (
    height_of,
    message_height,
    validate_client_state,
    validate_consensus_state,
    validate_header,
)
from relayer_sim.ics07.valset import validator_set
from relayer_sim.ics07.verify import Params, Profile, TrustedHeader, light_verify
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.store import (
    CLIENT_STATE_KEY,
    ITERATION_PREFIX,
    ClientStore,
    HostEnv,
    Processed,
    consensus_key,
    delete_consensus_entries,
    processed_height_key,
    processed_time_key,
    stored_heights,
    write_processed,
)
from relayer_sim.lightclient.wasm_wrappers import (
    WasmClientState,
    WasmConsensusState,
    WrapperError,
    decode_client_state,
    decode_consensus_state,
)
from relayer_sim.vm.storage import PrefixStore, prefix_end

TENDERMINT_V1: Final = Profile("tendermint-v1", frozenset({"ed25519"}))
TENDERMINT_V2: Final = Profile("tendermint-v2", frozenset({"ed25519", "secp256k1"}))
PROFILES: Final = {profile.name: profile for profile in (TENDERMINT_V1, TENDERMINT_V2)}

#: ibc-go ``SentinelRoot``: the root of a consensus state made by an upgrade.
SENTINEL_ROOT: Final = b"sentinel_root"
#: ibc-go ``FrozenHeight``: what misbehaviour freezes a client at.
FROZEN_HEIGHT: Final = Height(0, 1)
_METADATA_PREFIX: Final = b"consensusStates"
_METADATA_NAMES: Final = (b"processedTime", b"processedHeight")
_UPGRADED_CLIENT, _UPGRADED_CONSENSUS = "upgradedClient", "upgradedConsState"

ClientState = tendermint_pb2.ClientState
ConsensusState = tendermint_pb2.ConsensusState


def _set_height(target: object, height: Height) -> None:
    target.revision_number = height.revision_number  # type: ignore[attr-defined]
    target.revision_height = height.revision_height  # type: ignore[attr-defined]


def _duration(length_ns: int) -> duration_pb2.Duration:
    """A ``time.Duration`` as gogoproto writes it (seconds and nanos of one sign)."""
    seconds = div(length_ns, NANOS)
    return duration_pb2.Duration(seconds=seconds, nanos=length_ns - seconds * NANOS)


def _processed_now(env: HostEnv) -> Processed:
    """The metadata of a consensus state stored now: ``uint64(UnixNano())`` and the host's
    own height."""
    return Processed(unix_nano(env.time_ns), env.self_height)


def _header_consensus_state(header: tendermint_pb2.Header) -> ConsensusState:
    """``Header.ConsensusState``: the header's time, app hash and next validators hash."""
    block = header.signed_header.header
    state = ConsensusState(next_validators_hash=block.next_validators_hash)
    state.timestamp.CopyFrom(block.time)
    state.root.hash = block.app_hash
    return state


def _same_consensus_state(a: ConsensusState, b: ConsensusState) -> bool:
    return (decode.time_ns(a.timestamp), a.root.hash, a.next_validators_hash) == (
        decode.time_ns(b.timestamp),
        b.root.hash,
        b.next_validators_hash,
    )


def _parse_height(text: bytes) -> Height | None:
    """ibc-go ``ParseHeight`` of ``{rev}-{h}`` (two base-10 uint64s); None if it is not one."""
    parts = text.split(b"-")
    if len(parts) != 2 or not all(part.isdigit() for part in parts):
        return None
    revision, height = (int(part) for part in parts)
    if revision >= 2**64 or height >= 2**64:
        return None
    return Height(revision, height)


def _processed_time(store: ClientStore, height: Height) -> int | None:
    raw = store.get(processed_time_key(height))
    return int.from_bytes(raw[:8], "big") if raw and len(raw) >= 8 else None


def _processed_height(store: ClientStore, height: Height) -> Height | None:
    raw = store.get(processed_height_key(height))
    return _parse_height(raw) if raw else None


def _zero_custom_fields(state: ClientState) -> ClientState:
    """``ZeroCustomFields``: only what the chain chooses (chain id, unbonding period, latest
    height, proof specs, upgrade path)."""
    zeroed = ClientState(chain_id=state.chain_id, upgrade_path=state.upgrade_path)
    zeroed.unbonding_period.CopyFrom(state.unbonding_period)
    zeroed.latest_height.CopyFrom(state.latest_height)
    zeroed.proof_specs.extend(state.proof_specs)
    return zeroed


def _matching_fields(state: ClientState) -> bytes:
    """What ``IsMatchingClientState`` compares: the state without latest and frozen height,
    trusting period, chain id and the two deprecated flags."""
    copy = ClientState()
    copy.CopyFrom(state)
    for name in ("latest_height", "frozen_height", "trusting_period"):
        copy.ClearField(name)
    copy.chain_id = ""
    copy.allow_update_after_expiry = copy.allow_update_after_misbehaviour = False
    return encode.client_state_bytes(copy)


def _new_trusting_period(trusting_ns: int, unbonding_ns: int, new_unbonding_ns: int) -> int:
    """ibc-go ``calculateNewTrustingPeriod``, in float64 as Go computes it."""
    decrease = float(int64(unbonding_ns - new_unbonding_ns)) / float(unbonding_ns)
    return int(float(trusting_ns) * (1 - decrease))


def _upgrade_path(upgrade_path: Sequence[str], height: int, leaf: str) -> list[bytes]:
    """``constructUpgrade*MerklePath``: the path with ``/{height}/{leaf}`` on its last key."""
    *head, last = upgrade_path
    return [key.encode() for key in (*head, f"{last}/{height}/{leaf}")]


class TendermintClient:
    """One client's store seen through the rules of one contract profile."""

    def __init__(self, store: ClientStore, profile: Profile) -> None:
        self.store, self.profile = store, profile

    # -- stored state ----------------------------------------------------------------------------

    def _client_state(self, store: ClientStore | None = None) -> tuple[ClientState, bytes]:
        """The stored client state and the 08-wasm checksum beside it."""
        raw = (store or self.store).get(CLIENT_STATE_KEY)
        if raw is None:
            raise ClientError(errors.MALFORMED_CLIENT_STATE, "no client state is stored")
        try:
            wrapper = decode_client_state(raw)
        except WrapperError as error:
            raise ClientError(errors.MALFORMED_CLIENT_STATE, str(error)) from None
        return decode.client_state(wrapper.data), wrapper.checksum

    def _active_client_state(self) -> tuple[ClientState, bytes]:
        state, checksum = self._client_state()
        if height_of(state.frozen_height) != Height(0, 0):
            raise ClientError(errors.CLIENT_IS_FROZEN)
        return state, checksum

    def _find_consensus_state(
        self, height: Height, store: ClientStore | None = None
    ) -> ConsensusState | None:
        raw = (store or self.store).get(consensus_key(height))
        if raw is None:
            return None
        try:
            data = decode_consensus_state(raw).data
        except WrapperError as error:
            raise ClientError(errors.MALFORMED_CONSENSUS_STATE, str(error)) from None
        return decode.consensus_state(data)

    def _consensus_state(self, height: Height) -> ConsensusState:
        state = self._find_consensus_state(height)
        if state is None:
            raise ClientError(errors.CONSENSUS_STATE_NOT_FOUND, f"at {height}")
        return state

    def _write_client_state(
        self, state: ClientState, checksum: bytes, store: ClientStore | None = None
    ) -> None:
        wrapper = WasmClientState(
            encode.client_state_any(state), checksum, height_of(state.latest_height)
        )
        (store or self.store).set(CLIENT_STATE_KEY, wrapper.encode())

    def _write_consensus_state(
        self,
        height: Height,
        state: ConsensusState,
        processed: Processed,
        store: ClientStore | None = None,
    ) -> None:
        target = store or self.store
        target.set(
            consensus_key(height), WasmConsensusState(encode.consensus_state_any(state)).encode()
        )
        write_processed(target, height, processed)

    # -- instantiate and queries -----------------------------------------------------------------

    def instantiate(
        self, client_state: bytes, consensus_state: bytes, checksum: bytes, env: HostEnv
    ) -> None:
        client = decode.client_state(client_state)
        validate_client_state(client, errors.INVALID_CLIENT_STATE)
        consensus = decode.consensus_state(consensus_state)
        validate_consensus_state(consensus)
        self._write_client_state(client, checksum)
        self._write_consensus_state(height_of(client.latest_height), consensus, _processed_now(env))

    def status(self, env: HostEnv) -> str:
        client, _ = self._client_state()
        if height_of(client.frozen_height) != Height(0, 0):
            return "Frozen"
        latest = self._find_consensus_state(height_of(client.latest_height))
        if latest is None:
            return "Expired"
        expiry = decode.time_ns(latest.timestamp) + decode.duration_ns(client.trusting_period)
        return "Expired" if expiry <= env.time_ns else "Active"

    def timestamp_at_height(self, height: Height, env: HostEnv) -> int:
        return unix_nano(decode.time_ns(self._consensus_state(height).timestamp))

    def verify_client_message(self, client_message: bytes, env: HostEnv) -> None:
        client, _ = self._active_client_state()
        message = decode.client_message(client_message)
        if isinstance(message, tendermint_pb2.Header):
            self._verify_header(client, message, env)
            return
        validate_misbehaviour(self.profile, message)
        parts = (message.header_1, message.header_2)
        trusted = [self._consensus_state(height_of(part.trusted_height)) for part in parts]
        for part, state in zip(parts, trusted, strict=True):
            check_misbehaviour_header(self.profile, client, state, part, env.time_ns)

    def _verify_header(
        self, client: ClientState, message: tendermint_pb2.Header, env: HostEnv
    ) -> None:
        """ibc-go ``verifyHeader`` after ``Header.ValidateBasic``."""
        validators = validate_header(message)
        trusted_height = height_of(message.trusted_height)
        trusted = self._consensus_state(trusted_height)
        trusted_validators = validator_set(
            message.trusted_validators if message.HasField("trusted_validators") else None,
            errors.INVALID_VALIDATOR_SET,
            "trusted validator set",
        )
        if trusted_validators.hash() != trusted.next_validators_hash:
            raise ClientError(errors.INVALID_VALIDATOR_SET, "trusted validators do not match")
        if message_height(message).revision_number != trusted_height.revision_number:
            raise ClientError(errors.INVALID_HEADER, "header revision differs from the trusted one")
        level = client.trust_level
        light_verify(
            self.profile,
            TrustedHeader(
                client.chain_id,
                int64(trusted_height.revision_height),
                decode.time_ns(trusted.timestamp),
                trusted.next_validators_hash,
            ),
            trusted_validators,
            message.signed_header,
            validators,
            Params(
                decode.duration_ns(client.trusting_period),
                decode.duration_ns(client.max_clock_drift),
                (int(level.numerator), int(level.denominator)),
                env.time_ns,
            ),
        )

    def check_for_misbehaviour(self, client_message: bytes, env: HostEnv) -> bool:
        self._client_state()
        message = decode.client_message(client_message)
        if isinstance(message, tendermint_pb2.Misbehaviour):
            return is_misbehaviour(message)
        height = message_height(message)
        state = _header_consensus_state(message)
        existing = self._find_consensus_state(height)
        if existing is not None:
            return not _same_consensus_state(existing, state)
        time = decode.time_ns(state.timestamp)
        below = self._neighbour(next(stored_heights(self.store, end=height, ascending=False), None))
        if below is not None and decode.time_ns(below.timestamp) >= time:
            return True
        above = self._neighbour(
            next((h for h in stored_heights(self.store, start=height) if h != height), None)
        )
        return above is not None and decode.time_ns(above.timestamp) <= time

    def _neighbour(self, height: Height | None) -> ConsensusState | None:
        """``GetPrevious/NextConsensusState``: the state an index entry names, if any."""
        return None if height is None else self._find_consensus_state(height)

    def export_metadata(self, env: HostEnv) -> list[tuple[bytes, bytes]]:
        """ibc-go ``IterateConsensusMetadata``: processed times and heights, then the iteration
        keys, each in key order."""
        processed = [
            (key, value)
            for key, value in self.store.scan(_METADATA_PREFIX, prefix_end(_METADATA_PREFIX), True)
            if len(parts := key.split(b"/")) == 3 and parts[2] in _METADATA_NAMES
        ]
        iteration = list(self.store.scan(ITERATION_PREFIX, prefix_end(ITERATION_PREFIX), True))
        return processed + iteration

    # -- sudo ------------------------------------------------------------------------------------

    def update_state(self, client_message: bytes, env: HostEnv) -> list[Height]:
        client, checksum = self._active_client_state()
        message = decode.client_message(client_message)
        if not isinstance(message, tendermint_pb2.Header):
            raise ClientError(errors.UNEXPECTED_CLIENT_MESSAGE, "update_state needs a header")
        height = message_height(message)
        pruned = self._expired_oldest(client, env)
        duplicate = height != pruned and self._find_consensus_state(height) is not None
        if pruned is not None:
            delete_consensus_entries(self.store, pruned)
        if duplicate:
            return [height]
        if height > height_of(client.latest_height):
            _set_height(client.latest_height, height)
        self._write_client_state(client, checksum)
        self._write_consensus_state(height, _header_consensus_state(message), _processed_now(env))
        return [height]

    def _expired_oldest(self, client: ClientState, env: HostEnv) -> Height | None:
        """The oldest consensus state's height if it has expired (ibc-go prunes one per update)."""
        oldest = next(stored_heights(self.store), None)
        if oldest is None:
            return None
        stamp = decode.time_ns(self._consensus_state(oldest).timestamp)
        expired = stamp + decode.duration_ns(client.trusting_period) <= env.time_ns
        return oldest if expired else None

    def update_state_on_misbehaviour(self, client_message: bytes, env: HostEnv) -> None:
        """Freeze the client (the message is not read, as in ibc-go)."""
        client, checksum = self._client_state()
        _set_height(client.frozen_height, FROZEN_HEIGHT)
        self._write_client_state(client, checksum)

    def _check_delay(
        self, height: Height, delay_time_ns: int, delay_blocks: int, env: HostEnv
    ) -> None:
        """ibc-go ``verifyDelayPeriodPassed``, in its uint64 arithmetic."""
        if delay_time_ns:
            processed_time = _processed_time(self.store, height)
            if processed_time is None:
                raise ClientError(errors.DELAY_PERIOD_NOT_PASSED, f"no processed time at {height}")
            if uint64(env.time_ns) < uint64(processed_time + delay_time_ns):
                raise ClientError(errors.DELAY_PERIOD_NOT_PASSED, "delay time period")
        if delay_blocks:
            processed_height = _processed_height(self.store, height)
            if processed_height is None:
                raise ClientError(
                    errors.DELAY_PERIOD_NOT_PASSED, f"no processed height at {height}"
                )
            valid = Height(
                processed_height.revision_number,
                uint64(processed_height.revision_height + delay_blocks),
            )
            if env.self_height < valid:
                raise ClientError(errors.DELAY_PERIOD_NOT_PASSED, "delay block period")

    def _proof_target(
        self, height: Height, delay_time_ns: int, delay_blocks: int, proof: bytes, env: HostEnv
    ) -> tuple[ClientState, bytes, decode.MerkleProof]:
        """The checks before a proof: latest height, delay periods, proof decoding and the
        consensus state; gives the client state, the root and the proof."""
        client, _ = self._active_client_state()
        if height_of(client.latest_height) < height:
            raise ClientError(errors.INVALID_HEIGHT, f"proof height {height} above latest")
        self._check_delay(height, delay_time_ns, delay_blocks, env)
        merkle_proof = decode.merkle_proof(proof)
        root = bytes(self._consensus_state(height).root.hash)
        return client, root, merkle_proof

    def verify_membership(
        self,
        height: Height,
        delay_time_ns: int,
        delay_blocks: int,
        proof: bytes,
        key_path: Sequence[bytes],
        value: bytes,
        env: HostEnv,
    ) -> None:
        client, root, merkle_proof = self._proof_target(
            height, delay_time_ns, delay_blocks, proof, env
        )
        try:
            verify_chained_membership(
                list(client.proof_specs), root, merkle_proof, list(key_path), value
            )
        except ProofError as error:
            raise ClientError(errors.INVALID_PROOF, str(error)) from None

    def verify_non_membership(
        self,
        height: Height,
        delay_time_ns: int,
        delay_blocks: int,
        proof: bytes,
        key_path: Sequence[bytes],
        env: HostEnv,
    ) -> None:
        client, root, merkle_proof = self._proof_target(
            height, delay_time_ns, delay_blocks, proof, env
        )
        try:
            verify_chained_non_membership(
                list(client.proof_specs), root, merkle_proof, list(key_path)
            )
        except ProofError as error:
            raise ClientError(errors.INVALID_PROOF, str(error)) from None

    def verify_upgrade_and_update_state(
        self,
        upgrade_client_state: bytes,
        upgrade_consensus_state: bytes,
        proof_upgrade_client: bytes,
        proof_upgrade_consensus_state: bytes,
        env: HostEnv,
    ) -> None:
        client, checksum = self._active_client_state()
        upgraded = decode.client_state(upgrade_client_state, errors.MALFORMED_UPGRADED_CLIENT_STATE)
        upgraded_consensus = decode.consensus_state(
            upgrade_consensus_state, errors.MALFORMED_UPGRADED_CONSENSUS_STATE
        )
        latest = height_of(client.latest_height)
        if height_of(upgraded.latest_height) <= latest:
            raise ClientError(errors.INVALID_UPGRADE, "upgraded height is not above the latest")
        if not client.upgrade_path:
            raise ClientError(errors.INVALID_UPGRADE, "the client has no upgrade path")
        proofs = (
            decode.merkle_proof(proof_upgrade_client),
            decode.merkle_proof(proof_upgrade_consensus_state),
        )
        root = bytes(self._consensus_state(latest).root.hash)
        values = (
            encode.client_state_any(_zero_custom_fields(upgraded)),
            encode.consensus_state_any(upgraded_consensus),
        )
        for leaf, merkle_proof, value in zip(
            (_UPGRADED_CLIENT, _UPGRADED_CONSENSUS), proofs, values, strict=True
        ):
            path = _upgrade_path(client.upgrade_path, latest.revision_height, leaf)
            try:
                verify_chained_membership(list(client.proof_specs), root, merkle_proof, path, value)
            except ProofError as error:
                raise ClientError(errors.INVALID_PROOF, f"{leaf}: {error}") from None
        self._upgrade(client, checksum, upgraded, upgraded_consensus, env)

    def _upgrade(
        self,
        client: ClientState,
        checksum: bytes,
        upgraded: ClientState,
        upgraded_consensus: ConsensusState,
        env: HostEnv,
    ) -> None:
        """The client after a proven upgrade: the chain's fields from the upgraded state, the
        relayer's (trust level, max clock drift, trusting period, shortened with the unbonding
        period) kept; a consensus state with the sentinel root."""
        trusting = decode.duration_ns(client.trusting_period)
        unbonding = decode.duration_ns(client.unbonding_period)
        new_unbonding = decode.duration_ns(upgraded.unbonding_period)
        if new_unbonding < unbonding:
            trusting = _new_trusting_period(trusting, unbonding, new_unbonding)
        new_client = ClientState(
            chain_id=upgraded.chain_id,
            trust_level=client.trust_level,
            trusting_period=_duration(trusting),
            unbonding_period=upgraded.unbonding_period,
            max_clock_drift=client.max_clock_drift,
            latest_height=upgraded.latest_height,
            proof_specs=upgraded.proof_specs,
            upgrade_path=upgraded.upgrade_path,
        )
        validate_client_state(new_client, errors.INVALID_UPGRADE)
        new_consensus = ConsensusState(next_validators_hash=upgraded_consensus.next_validators_hash)
        new_consensus.timestamp.CopyFrom(upgraded_consensus.timestamp)
        new_consensus.root.hash = SENTINEL_ROOT
        self._write_client_state(new_client, checksum)
        self._write_consensus_state(
            height_of(new_client.latest_height),
            new_consensus,
            _processed_now(env),
        )

    def migrate_client_store(self, env: HostEnv) -> None:
        """Recovery over the store with ``subject/`` and ``substitute/`` (ibc-go
        ``CheckSubstituteAndUpdateState``)."""
        subject = PrefixStore(self.store, b"subject/")
        substitute = PrefixStore(self.store, b"substitute/")
        subject_client, checksum = self._client_state(subject)
        substitute_client, _ = self._client_state(substitute)
        if _matching_fields(subject_client) != _matching_fields(substitute_client):
            raise ClientError(errors.INVALID_SUBSTITUTE, "client states do not match")
        height = height_of(substitute_client.latest_height)
        consensus = self._find_consensus_state(height, substitute)
        processed_height = _processed_height(substitute, height)
        processed_time = _processed_time(substitute, height)
        if consensus is None or processed_height is None or processed_time is None:
            raise ClientError(errors.INVALID_SUBSTITUTE, f"no consensus state at {height}")
        self._write_consensus_state(
            height, consensus, Processed(processed_time, processed_height), subject
        )
        subject_client.frozen_height.Clear()
        subject_client.latest_height.CopyFrom(substitute_client.latest_height)
        subject_client.chain_id = substitute_client.chain_id
        subject_client.trusting_period.CopyFrom(substitute_client.trusting_period)
        self._write_client_state(subject_client, checksum, subject)

    def migrate(self, env: HostEnv, msg: bytes = b"{}") -> None:
        """A code migration: the client state must be readable; nothing changes."""
        self._client_state()
