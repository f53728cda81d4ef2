"""The sim-tendermint light client in Python: every 08-wasm entry point of the contracts, over
the same store layout, with the same errors (``contracts/sim-tendermint.md``).

It is the reference the Wasm contracts are tested against (same inputs, then the same result,
the same error text and the same stored bytes) and the native light client of the hard-fork
baseline. Every method either completes all of its writes or raises ``ClientError`` before the
first one, so a failed call leaves the store as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Final

from relayer_sim.lightclient import decode, merkle
from relayer_sim.lightclient.headers import HeaderMessage, Height, Misbehaviour
from relayer_sim.lightclient.paths import merkle_key, upgrade_paths
from relayer_sim.lightclient.states import (
    NOT_FROZEN,
    SENTINEL_ROOT,
    ClientState,
    ConsensusState,
)
from relayer_sim.lightclient.store import (
    CLIENT_STATE_KEY,
    CONSENSUS_PREFIX,
    ITERATION_PREFIX,
    ClientStore,
    HostEnv,
    Processed,
    consensus_key,
    delete_consensus_entries,
    read_processed,
    stored_heights,
    write_processed,
)
from relayer_sim.lightclient.verify import (
    Trusted,
    VerificationError,
    conflicts_with_stored,
    is_fork,
    verify_header,
)
from relayer_sim.lightclient.wasm_wrappers import (
    WasmClientState,
    WasmConsensusState,
    WrapperError,
    decode_client_state,
    decode_consensus_state,
)
from relayer_sim.vm.storage import PrefixStore, prefix_end

FROZEN_AT: Final = Height(0, 1)
_METADATA_SUFFIXES: Final = (b"/processedTime", b"/processedHeight")


class ClientError(Exception):
    """A call the client refuses; the text is exactly the contract's error."""


@dataclass(frozen=True)
class Profile:
    """What distinguishes one contract from another: its state format and header versions,
    and whether it checks a header message's trusted validators (only a deliberately flawed
    contract does not)."""

    name: str
    format: int
    header_versions: frozenset[int]
    checks_trusted_validators: bool = True

    def readable(self, state_format: int) -> bool:
        return 1 <= state_format <= self.format


V1: Final = Profile("sim-tendermint-v1", 1, frozenset({1}))
V2: Final = Profile("sim-tendermint-v2", 2, frozenset({1, 2}))
#: v1 with a known flaw, the fixture of the security-fix scenario (contracts/sim-tendermint.md).
V1_FLAWED: Final = replace(V1, name="sim-tendermint-v1-flawed", checks_trusted_validators=False)
PROFILES: Final = {profile.name: profile for profile in (V1, V2, V1_FLAWED)}


def _exceeds_trust_bounds(client: ClientState) -> bool:
    level = client.trust_level
    return (
        level.denominator == 0
        or level.numerator * 3 < level.denominator
        or level.numerator > level.denominator
    )


def _instantiation_problem(client: ClientState) -> str | None:
    """The first rule a new client state breaks, in the contract's order."""
    if client.frozen:
        return "client state is frozen"
    if client.latest_height.revision_height == 0:
        return "latest height must not be zero"
    if _exceeds_trust_bounds(client):
        return "invalid trust level"
    if client.trusting_period_ns == 0:
        return "trusting period must be positive"
    if client.max_clock_drift_ns == 0:
        return "max clock drift must be positive"
    if not client.chain_id:
        return "chain id must not be empty"
    return _upgrade_path_problem(client)


def _upgrade_path_problem(client: ClientState) -> str | None:
    """An upgrade path is a store name and a key prefix, or nothing (no planned upgrades)."""
    if len(client.upgrade_path) not in (0, 2):
        return "upgrade path must have 0 or 2 elements"
    return None


def _decode_message(data: bytes) -> HeaderMessage | Misbehaviour:
    try:
        return decode.client_message(data)
    except decode.DecodeError as error:
        raise ClientError(f"malformed client message: {error}") from None


def _decode_proof(data: bytes) -> merkle.Proof:
    try:
        return merkle.decode_proof(data)
    except merkle.ProofError as error:
        raise ClientError(f"malformed proof: {error}") from None


def _header_state(message: HeaderMessage, format: int) -> ConsensusState:
    header = message.signed.header
    return ConsensusState(
        timestamp_ns=header.time_ns,
        root=header.app_hash,
        next_validators_hash=header.next_validators_hash,
        header_version=header.version.header_version,
        format=format,
    )


class LightClient:
    """One client's store seen through the rules of one contract profile.

    Its calls take what the host passes a contract (``ContractClient``'s signatures), even the
    env or message a rule does not need, so that 02-client calls it as it calls a contract: it
    is the hard-fork baseline's native client (``relayer_sim.host.native``)."""

    def __init__(self, store: ClientStore, profile: Profile) -> None:
        self.store, self.profile = store, profile

    # -- state -----------------------------------------------------------------------------------

    def _client_state(
        self, store: ClientStore | None = None, what: str = "client"
    ) -> tuple[ClientState, WasmClientState]:
        state, wrapper = self._stored_client_state(store, what)
        self._check_format(state.format, "client")
        return state, wrapper

    def _stored_client_state(
        self, store: ClientStore | None, what: str
    ) -> tuple[ClientState, WasmClientState]:
        raw = (store or self.store).get(CLIENT_STATE_KEY)
        if raw is None:
            raise ClientError(f"{what} state not found")
        try:
            wrapper = decode_client_state(raw)
            return decode.client_state(wrapper.data), wrapper
        except (WrapperError, decode.DecodeError) as error:
            raise ClientError(f"malformed {what} state: {error}") from None

    def _given_client_state(self, data: bytes, what: str) -> ClientState:
        """A client state from a message, decoded and in a format this client reads."""
        try:
            state = decode.client_state(data)
        except decode.DecodeError as error:
            raise ClientError(f"malformed {what}: {error}") from None
        self._check_format(state.format, "client")
        return state

    def _given_consensus_state(self, data: bytes, what: str) -> ConsensusState:
        """A consensus state from a message, decoded and in a format this client reads."""
        try:
            state = decode.consensus_state(data)
        except decode.DecodeError as error:
            raise ClientError(f"malformed {what}: {error}") from None
        self._check_format(state.format, "consensus")
        return state

    def _check_format(self, state_format: int, what: str) -> None:
        if not self.profile.readable(state_format):
            raise ClientError(f"unsupported {what} state format {state_format}")

    def _consensus_state(self, height: Height, store: ClientStore | None = None) -> ConsensusState:
        state = self._find_consensus_state(height, store)
        if state is None:
            raise ClientError(f"consensus state not found at {height}")
        return state

    def _find_consensus_state(
        self, height: Height, store: ClientStore | None = None
    ) -> ConsensusState | None:
        raw = (store or self.store).get(consensus_key(height))
        if raw is None:
            return None
        try:
            state = decode.consensus_state(decode_consensus_state(raw).data)
        except (WrapperError, decode.DecodeError) as error:
            raise ClientError(f"malformed consensus state at {height}: {error}") from None
        self._check_format(state.format, "consensus")
        return state

    def _write_client_state(
        self, state: ClientState, checksum: bytes, store: ClientStore | None = None
    ) -> None:
        native = replace(state, format=self.profile.format)
        wrapper = WasmClientState(native.encode(), checksum, native.latest_height)
        (store or self.store).set(CLIENT_STATE_KEY, wrapper.encode())

    def _write_consensus_state(
        self,
        height: Height,
        state: ConsensusState,
        processed: Processed,
        store: ClientStore | None = None,
    ) -> None:
        target = store or self.store
        native = replace(state, format=self.profile.format)
        target.set(consensus_key(height), WasmConsensusState(native.encode()).encode())
        write_processed(target, height, processed)

    @staticmethod
    def _processed_now(env: HostEnv) -> Processed:
        return Processed(env.time_ns, env.self_height)

    # -- instantiate -----------------------------------------------------------------------------

    def instantiate(
        self, client_state: bytes, consensus_state: bytes, checksum: bytes, env: HostEnv
    ) -> None:
        client = self._given_client_state(client_state, "client state")
        problem = _instantiation_problem(client)
        if problem is not None:
            raise ClientError(problem)
        consensus = self._given_consensus_state(consensus_state, "consensus state")
        if consensus.timestamp_ns == 0:
            raise ClientError("consensus timestamp must not be zero")
        self._write_client_state(client, checksum)
        self._write_consensus_state(client.latest_height, consensus, self._processed_now(env))

    # -- queries ---------------------------------------------------------------------------------

    def status(self, env: HostEnv) -> str:
        client, _ = self._client_state()
        if client.frozen:
            return "Frozen"
        latest = self._find_consensus_state(client.latest_height)
        if latest is None or latest.timestamp_ns + client.trusting_period_ns <= env.time_ns:
            return "Expired"
        return "Active"

    def timestamp_at_height(self, height: Height, env: HostEnv) -> int:
        return self._consensus_state(height).timestamp_ns

    def _verify_header(self, client: ClientState, message: HeaderMessage, env: HostEnv) -> None:
        trusted_height = message.trusted_height
        trusted = self._find_consensus_state(trusted_height)
        if trusted is None:
            raise ClientError(f"trusted consensus state not found at {trusted_height}")
        try:
            verify_header(
                client,
                Trusted(trusted, trusted_height.revision_height),
                message,
                env.time_ns,
                self.profile.header_versions,
                checks_trusted_validators=self.profile.checks_trusted_validators,
            )
        except VerificationError as error:
            raise ClientError(str(error)) from None

    def verify_client_message(self, client_message: bytes, env: HostEnv) -> None:
        message = _decode_message(client_message)
        client, _ = self._client_state()
        if isinstance(message, HeaderMessage):
            self._verify_header(client, message, env)
            return
        for label, part in (("first", message.first), ("second", message.second)):
            try:
                self._verify_header(client, part, env)
            except ClientError as error:
                raise ClientError(f"{label} header: {error}") from None

    def check_for_misbehaviour(self, client_message: bytes, env: HostEnv) -> bool:
        message = _decode_message(client_message)
        if isinstance(message, Misbehaviour):
            return is_fork(message)
        height = message.signed.header.ibc_height
        below = next(stored_heights(self.store, end=height, ascending=False), None)
        above = next((h for h in stored_heights(self.store, start=height) if h != height), None)
        return conflicts_with_stored(
            _header_state(message, self.profile.format),
            self._find_consensus_state(height),
            None if below is None else self._consensus_state(below),
            None if above is None else self._consensus_state(above),
        )

    def export_metadata(self, env: HostEnv) -> list[tuple[bytes, bytes]]:
        """ibc-go's ``IterateConsensusMetadata``: processed times and heights, then the
        iteration keys, each in key order."""
        processed = [
            (key, value)
            for key, value in self.store.scan(CONSENSUS_PREFIX, prefix_end(CONSENSUS_PREFIX), True)
            if key.endswith(_METADATA_SUFFIXES)
        ]
        return processed + list(
            self.store.scan(ITERATION_PREFIX, prefix_end(ITERATION_PREFIX), True)
        )

    # -- sudo ------------------------------------------------------------------------------------

    def update_state(self, client_message: bytes, env: HostEnv) -> list[Height]:
        message = _decode_message(client_message)
        if not isinstance(message, HeaderMessage):
            raise ClientError("update_state needs a header message")
        client, wrapper = self._client_state()
        self._prune_oldest(client, env)
        height = message.signed.header.ibc_height
        if self._find_consensus_state(height) is not None:
            return [height]
        state = _header_state(message, self.profile.format)
        self._write_consensus_state(height, state, self._processed_now(env))
        if height > client.latest_height:
            self._write_client_state(replace(client, latest_height=height), wrapper.checksum)
        return [height]

    def _prune_oldest(self, client: ClientState, env: HostEnv) -> None:
        """Delete the oldest consensus state if it has expired (one per update, as ibc-go)."""
        oldest = next(stored_heights(self.store), None)
        if oldest is None:
            return
        state = self._consensus_state(oldest)
        if state.timestamp_ns + client.trusting_period_ns <= env.time_ns:
            delete_consensus_entries(self.store, oldest)

    def update_state_on_misbehaviour(self, client_message: bytes, env: HostEnv) -> None:
        client, wrapper = self._client_state()
        self._write_client_state(replace(client, frozen_height=FROZEN_AT), wrapper.checksum)

    def _proven_root(
        self, height: Height, delay_time_ns: int, delay_blocks: int, env: HostEnv
    ) -> bytes:
        state = self._consensus_state(height)
        processed = read_processed(self.store, height)
        if processed is None:
            raise ClientError(f"processed time not found at {height}")
        if processed.time_ns + delay_time_ns > env.time_ns:
            raise ClientError("delay time period has not passed")
        if processed.height.revision_height + delay_blocks > env.height:
            raise ClientError("delay block period has not passed")
        return state.root

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
        root = self._proven_root(height, delay_time_ns, delay_blocks, env)
        key = _tree_key(key_path)
        try:
            merkle.verify_membership(root, key, value, _decode_proof(proof))
        except merkle.ProofError as error:
            raise ClientError(str(error)) from None

    def verify_non_membership(
        self,
        height: Height,
        delay_time_ns: int,
        delay_blocks: int,
        proof: bytes,
        key_path: Sequence[bytes],
        env: HostEnv,
    ) -> None:
        root = self._proven_root(height, delay_time_ns, delay_blocks, env)
        key = _tree_key(key_path)
        try:
            merkle.verify_non_membership(root, key, _decode_proof(proof))
        except merkle.ProofError as error:
            raise ClientError(str(error)) from None

    def verify_upgrade_and_update_state(
        self,
        upgrade_client_state: bytes,
        upgrade_consensus_state: bytes,
        proof_upgrade_client: bytes,
        proof_upgrade_consensus_state: bytes,
        env: HostEnv,
    ) -> None:
        client, wrapper = self._client_state()
        if not client.upgrade_path:
            raise ClientError("client has no upgrade path")
        upgraded = self._given_client_state(upgrade_client_state, "upgraded client state")
        problem = _upgrade_path_problem(upgraded)
        if problem is not None:
            raise ClientError(problem)
        upgraded_consensus = self._given_consensus_state(
            upgrade_consensus_state, "upgraded consensus state"
        )
        if upgraded.latest_height <= client.latest_height:
            raise ClientError("upgraded client height must be above the current height")
        root = self._consensus_state(client.latest_height).root
        client_path, consensus_path = upgrade_paths(
            client.upgrade_path, client.latest_height.revision_height
        )
        for label, path, value, proof in (
            ("upgraded client state", client_path, upgrade_client_state, proof_upgrade_client),
            (
                "upgraded consensus state",
                consensus_path,
                upgrade_consensus_state,
                proof_upgrade_consensus_state,
            ),
        ):
            try:
                merkle.verify_membership(root, merkle_key(path), value, _decode_proof(proof))
            except (merkle.ProofError, ClientError) as error:
                raise ClientError(f"{label}: {error}") from None
        new_client = replace(
            client,
            chain_id=upgraded.chain_id,
            latest_height=upgraded.latest_height,
            upgrade_path=upgraded.upgrade_path,
            frozen_height=NOT_FROZEN,
        )
        new_consensus = replace(upgraded_consensus, root=SENTINEL_ROOT)
        self._write_client_state(new_client, wrapper.checksum)
        self._write_consensus_state(upgraded.latest_height, new_consensus, self._processed_now(env))

    def migrate_client_store(self, env: HostEnv) -> None:
        """Recovery: the store is the recovery store with ``subject/`` and ``substitute/``."""
        subject = PrefixStore(self.store, b"subject/")
        substitute = PrefixStore(self.store, b"substitute/")
        subject_client, subject_wrapper = self._client_state(subject, "subject client")
        substitute_client, _ = self._client_state(substitute, "substitute client")
        if _recovery_fields(subject_client) != _recovery_fields(substitute_client):
            raise ClientError("subject and substitute client states do not match")
        height = substitute_client.latest_height
        consensus = self._find_consensus_state(height, substitute)
        processed = read_processed(substitute, height)
        if consensus is None or processed is None:
            raise ClientError(f"substitute consensus state not found at {height}")
        self._write_consensus_state(height, consensus, processed, subject)
        recovered = replace(
            subject_client,
            chain_id=substitute_client.chain_id,
            latest_height=height,
            trusting_period_ns=substitute_client.trusting_period_ns,
            frozen_height=NOT_FROZEN,
        )
        self._write_client_state(recovered, subject_wrapper.checksum, subject)

    # -- migrate ---------------------------------------------------------------------------------

    def migrate(self, env: HostEnv, msg: bytes = b"{}") -> None:
        """Rewrite the client's state in this profile's format (v1 → v2 conversion)."""
        client, wrapper = self._stored_client_state(None, "client")
        if client.format > self.profile.format:
            raise ClientError(
                f"cannot migrate format {client.format} state to format {self.profile.format}"
            )
        self._check_format(client.format, "client")
        heights = list(stored_heights(self.store))
        states = [(height, self._consensus_state(height)) for height in heights]
        if client.format != self.profile.format:
            self._write_client_state(client, wrapper.checksum)
        for height, state in states:
            if state.format != self.profile.format:
                native = replace(state, format=self.profile.format)
                self.store.set(consensus_key(height), WasmConsensusState(native.encode()).encode())


def _tree_key(key_path: Sequence[bytes]) -> bytes:
    try:
        return merkle_key(key_path)
    except ValueError as error:
        raise ClientError(str(error)) from None


def _recovery_fields(client: ClientState) -> tuple[object, ...]:
    """The fields a substitute must share with its subject (ibc-go's matching rule)."""
    return (client.trust_level, client.max_clock_drift_ns, client.upgrade_path)
