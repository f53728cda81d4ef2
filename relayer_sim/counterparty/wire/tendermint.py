"""The ``tendermint`` wire: what a CometBFT chain with the Cosmos SDK and ibc-go produces, byte for
byte (``relayer_sim.formats``), read by 07-tendermint contracts, ours or anyone's.

The chain's neutral blocks map onto CometBFT's as follows (``formats/light_blocks.py`` builds
them): the validator sets are the same validators in CometBFT's order, each block's proposer
taking turns; a header's hashes are CometBFT's (the chain asks this wire for its validator-set
hashes, and ``last_block_hash`` is the previous block's CometBFT hash); the commit has a
signature per validator over its ``CanonicalVote``. The protobuf messages ride along in
``SignedHeader.native``, so a block is built once and relayed as built.

Client states carry ibc-go's defaults for what our scenarios do not choose: the SDK's proof
specs, the upgrade path ``["upgrade", "upgradedIBCState"]`` and an unbonding period of
``UNBONDING_PERIOD_NS`` (21 days, the Cosmos Hub's), which a trusting period must stay below.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, NamedTuple

from google.protobuf import any_pb2
from google.protobuf.message import DecodeError

from relayer_sim.counterparty.wire.base import ChainState, ClientParams, ClientView
from relayer_sim.counterparty.wire.tendermint_state import MultiStoreState
from relayer_sim.formats import light_blocks as lb
from relayer_sim.formats.cometbft import FormatError, header_hash, key_bytes
from relayer_sim.formats.merkle import EMPTY_HASH, leaf_hash
from relayer_sim.formats.proto.ibc.core.client.v1 import client_pb2
from relayer_sim.formats.proto.ibc.lightclients.tendermint.v1 import tendermint_pb2
from relayer_sim.formats.proto.tendermint.types import types_pb2, validator_pb2
from relayer_sim.lightclient.headers import (
    CONSENSUS_VERSIONS,
    Commit,
    ConsensusVersion,
    Header,
    HeaderMessage,
    Height,
    SignedHeader,
)
from relayer_sim.lightclient.schemes import SigningKey
from relayer_sim.lightclient.states import TrustLevel
from relayer_sim.lightclient.validators import Validator, ValidatorSet

DAY_NS: Final = 86_400 * lb.NANOS
UNBONDING_PERIOD_NS: Final = 21 * DAY_NS
NO_BLOCK_HASH: Final = bytes(32)

_HEADER_URL: Final = "/" + tendermint_pb2.Header.DESCRIPTOR.full_name
_CLIENT_STATE_URL: Final = "/" + tendermint_pb2.ClientState.DESCRIPTOR.full_name
_CONSENSUS_STATE_URL: Final = "/" + tendermint_pb2.ConsensusState.DESCRIPTOR.full_name
_VERSION_BY_SCHEME: Final = {v.scheme: v for v in CONSENSUS_VERSIONS.values()}


class _NativeSet(NamedTuple):
    """A validator set in CometBFT's form, with its hash and its public keys in its order."""

    validators: validator_pb2.ValidatorSet
    hash: bytes
    keys: tuple[bytes, ...]
    #: For each validator in the neutral set's order, its index in CometBFT's.
    order: tuple[int, ...]


@dataclass(frozen=True)
class NativeBlock:
    """A block as CometBFT has it: the signed header and the validator set that signed it."""

    signed: types_pb2.SignedHeader
    validators: validator_pb2.ValidatorSet


def _native(signed: SignedHeader) -> NativeBlock:
    if not isinstance(signed.native, NativeBlock):
        raise ValueError("this block was not built by the tendermint wire")
    return signed.native


def _height(height: Height) -> client_pb2.Height:
    return lb.height(height.revision_number, height.revision_height)


def _unpack(data: bytes, type_url: str, what: str) -> bytes:
    try:
        packed = any_pb2.Any.FromString(data)
    except DecodeError as error:
        raise ValueError(f"{what} is not an Any: {error}") from None
    if packed.type_url != type_url:
        raise ValueError(f"{what} is a {packed.type_url!r}, not a {type_url!r}")
    return packed.value


def _nanos(seconds: int, nanos: int) -> int:
    return seconds * lb.NANOS + nanos


class TendermintWire:
    """The tendermint wire of one chain (it keeps the protobuf form of the sets it converts)."""

    name: Final = "tendermint"

    def __init__(self) -> None:
        self._sets: dict[ValidatorSet, _NativeSet] = {}
        self._recent: tuple[ValidatorSet, _NativeSet] | None = None

    def new_state(self, ibc_store: str) -> ChainState:
        return MultiStoreState(ibc_store)

    # -- validator sets ---------------------------------------------------------------------------

    def validator_set(self, validators: ValidatorSet) -> validator_pb2.ValidatorSet:
        """``validators`` as CometBFT lists them."""
        return self._native_set(validators).validators

    def validators_hash(self, validators: ValidatorSet) -> bytes:
        return self._native_set(validators).hash

    def _native_set(self, validators: ValidatorSet) -> _NativeSet:
        """``validators`` in CometBFT's form (cached: a set changes rarely, and every block
        names two and is signed by one). The roster hands out one object per set, so the last
        one is recognised by identity before hashing its validators for the cache."""
        recent = self._recent
        if recent is not None and recent[0] is validators:
            return recent[1]
        known = self._sets.get(validators)
        if known is None:
            if len(self._sets) >= 64:
                self._sets.clear()
            members = (
                lb.Member(lb.public_key(validators.scheme, v.public_key), v.power)
                for v in validators
            )
            native = lb.validator_set(members)
            keys = tuple(_public_key_bytes(v) for v in native.validators)
            position = {key: index for index, key in enumerate(keys)}
            known = self._sets[validators] = _NativeSet(
                native,
                lb.set_hash(native),
                keys,
                tuple(position[v.public_key] for v in validators),
            )
        self._recent = (validators, known)
        return known

    # -- blocks -----------------------------------------------------------------------------------

    def seal(
        self,
        header: Header,
        validators: ValidatorSet,
        signers: Mapping[bytes, SigningKey],
        parent: SignedHeader | None,
    ) -> SignedHeader:
        known = self._native_set(validators)
        native_set = lb.with_proposer(
            known.validators, lb.rotating_proposer(known.validators, header.height)
        )
        last_block_id, last_commit_hash = self._parent_of(header, parent)
        native_header = lb.header(
            chain_id=header.chain_id,
            block_height=header.height,
            time_ns=header.time_ns,
            validators_hash=header.validators_hash,
            next_validators_hash=header.next_validators_hash,
            app_hash=header.app_hash,
            last_block_id=last_block_id,
            last_commit_hash=last_commit_hash,
            proposer_address=bytes(native_set.proposer.address),
        )
        signing = [signers[key].sign if key in signers else None for key in known.keys]
        native_commit = lb.commit(header.chain_id, native_header, native_set, signing)
        in_native_order = native_commit.signatures
        signatures = tuple(bytes(in_native_order[i].signature) or None for i in known.order)
        block_hash = bytes(native_commit.block_id.hash)
        return SignedHeader(
            header,
            Commit(header.height, block_hash, signatures),
            validators,
            native=NativeBlock(lb.signed_header(native_header, native_commit), native_set),
        )

    @staticmethod
    def _parent_of(
        header: Header, parent: SignedHeader | None
    ) -> tuple[types_pb2.BlockID | None, bytes]:
        """The last block id and last commit hash of a header: its parent's when the chain made
        it; none at a chain's first block; else (a fork's invented parent) an id made of the
        claimed hash and a commit hash derived from it."""
        if parent is not None:
            commit = _native(parent).signed.commit
            return commit.block_id, lb.commit_hash(commit)
        if header.last_block_hash == NO_BLOCK_HASH:
            return None, EMPTY_HASH
        invented = types_pb2.BlockID(
            hash=header.last_block_hash,
            part_set_header=types_pb2.PartSetHeader(
                total=1, hash=leaf_hash(header.last_block_hash)
            ),
        )
        return invented, hashlib.sha256(b"commit/" + header.last_block_hash).digest()

    # -- client messages --------------------------------------------------------------------------

    def _client_header(self, message: HeaderMessage) -> tendermint_pb2.Header:
        block = _native(message.signed)
        return lb.client_header(
            block.signed,
            block.validators,
            _height(message.trusted_height),
            self.validator_set(message.trusted_validators),
        )

    def header_message(self, message: HeaderMessage) -> bytes:
        return lb.pack_any(self._client_header(message))

    def misbehaviour(self, first: HeaderMessage, second: HeaderMessage) -> bytes:
        if first.signed.header.ibc_height < second.signed.header.ibc_height:
            first, second = second, first  # ibc-go wants header 1 at the greater height
        return lb.pack_any(lb.misbehaviour(self._client_header(first), self._client_header(second)))

    def accepted_header(self, client_message: bytes) -> HeaderMessage | None:
        try:
            value = _unpack(client_message, _HEADER_URL, "client message")
            message = tendermint_pb2.Header.FromString(value)
            return _neutral_message(message)
        except (ValueError, DecodeError, FormatError):
            return None  # misbehaviour, or nothing a client could have accepted

    def trusted_enough(self, message: HeaderMessage, level: TrustLevel) -> bool:
        """CometBFT's ``VerifyCommitLightTrusting`` tally (by address), without the
        signatures: the chain's own blocks are honestly signed."""
        trusted = self.validator_set(message.trusted_validators)
        power = {bytes(v.address): v.voting_power for v in trusted.validators}
        commit = _native(message.signed).signed.commit
        tallied = sum(
            power.get(bytes(sig.validator_address), 0)
            for sig in commit.signatures
            if sig.block_id_flag == validator_pb2.BLOCK_ID_FLAG_COMMIT
        )
        needed = trusted.total_voting_power * level.numerator // level.denominator
        return tallied > needed

    # -- client and consensus states --------------------------------------------------------------

    def client_states(
        self, chain_id: str, block: SignedHeader, params: ClientParams
    ) -> tuple[bytes, bytes]:
        header = block.header
        if params.trusting_period_ns >= UNBONDING_PERIOD_NS:
            raise ValueError("a tendermint client's trusting period must be below 21 days")
        client = lb.client_state(
            chain_id=chain_id,
            trust_level=(params.trust_level.numerator, params.trust_level.denominator),
            trusting_period_ns=params.trusting_period_ns,
            unbonding_period_ns=UNBONDING_PERIOD_NS,
            max_clock_drift_ns=params.max_clock_drift_ns,
            latest_height=_height(header.ibc_height),
        )
        consensus = lb.consensus_state(header.time_ns, header.app_hash, header.next_validators_hash)
        return lb.pack_any(client), lb.pack_any(consensus)

    def read_client_state(self, data: bytes) -> ClientView:
        state = tendermint_pb2.ClientState.FromString(
            _unpack(data, _CLIENT_STATE_URL, "client state")
        )
        return ClientView(
            chain_id=state.chain_id,
            latest_height=Height(
                state.latest_height.revision_number, state.latest_height.revision_height
            ),
            trust_level=TrustLevel(state.trust_level.numerator, state.trust_level.denominator),
            trusting_period_ns=_nanos(state.trusting_period.seconds, state.trusting_period.nanos),
            max_clock_drift_ns=_nanos(state.max_clock_drift.seconds, state.max_clock_drift.nanos),
        )

    def consensus_timestamp(self, data: bytes) -> int:
        state = tendermint_pb2.ConsensusState.FromString(
            _unpack(data, _CONSENSUS_STATE_URL, "consensus state")
        )
        return _nanos(state.timestamp.seconds, state.timestamp.nanos)

    def upgrade_height(self, revision: int) -> Height:
        # ibc-go refuses a client state at revision height 0: the new revision's first block.
        return Height(revision, 1)

    def upgraded_client_state(self, chain_id: str, at: Height, version: ConsensusVersion) -> bytes:
        # ZeroCustomFields: trust level, trusting period and clock drift are the client's.
        client = lb.client_state(
            chain_id=chain_id,
            trust_level=(0, 0),
            trusting_period_ns=0,
            unbonding_period_ns=UNBONDING_PERIOD_NS,
            max_clock_drift_ns=0,
            latest_height=_height(at),
        )
        return lb.pack_any(client)

    def upgraded_consensus_state(
        self, time_ns: int, next_validators: ValidatorSet, version: ConsensusVersion
    ) -> bytes:
        # 02-client's BeginBlocker: the block's time and next validators, no root.
        return lb.pack_any(lb.consensus_state(time_ns, b"", self.validators_hash(next_validators)))


def _public_key_bytes(validator: validator_pb2.Validator) -> bytes:
    return key_bytes(validator.pub_key)[1]


def _neutral_set(native: validator_pb2.ValidatorSet) -> ValidatorSet:
    schemes = {key_bytes(v.pub_key)[0] for v in native.validators}
    if len(schemes) != 1:
        raise FormatError("a validator set mixing key types has no neutral form")
    scheme = schemes.pop()
    return ValidatorSet.of(
        scheme, (Validator(_public_key_bytes(v), v.voting_power) for v in native.validators)
    )


def _neutral_message(message: tendermint_pb2.Header) -> HeaderMessage:
    """A client's header message in the chain's neutral shape (what a monitor compares)."""
    native = message.signed_header.header
    validators = _neutral_set(message.validator_set)
    version = _VERSION_BY_SCHEME[validators.scheme]
    header = Header(
        version=version,
        chain_id=native.chain_id,
        revision=message.trusted_height.revision_number,
        height=native.height,
        time_ns=_nanos(native.time.seconds, native.time.nanos),
        validators_hash=bytes(native.validators_hash),
        next_validators_hash=bytes(native.next_validators_hash),
        app_hash=bytes(native.app_hash),
        last_block_hash=bytes(native.last_block_id.hash),
    )
    by_address = {
        bytes(sig.validator_address): bytes(sig.signature)
        for sig in message.signed_header.commit.signatures
    }
    addresses = {_public_key_bytes(v): bytes(v.address) for v in message.validator_set.validators}
    signatures = tuple(by_address.get(addresses[v.public_key]) or None for v in validators)
    signed = SignedHeader(
        header,
        Commit(native.height, header_hash(native), signatures),
        validators,
        native=NativeBlock(message.signed_header, message.validator_set),
    )
    trusted = message.trusted_height
    return HeaderMessage(
        signed,
        Height(trusted.revision_number, trusted.revision_height),
        _neutral_set(message.trusted_validators),
    )
