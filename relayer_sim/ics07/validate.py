"""Stateless validity rules: ibc-go's ``ClientState.Validate``, ``ConsensusState.ValidateBasic``
and ``Header.ValidateBasic``, and the CometBFT v0.38 checks beneath the latter (``Header``,
``BlockID``, ``Commit`` and ``CommitSig`` ``ValidateBasic``, ``SignedHeader.ValidateBasic``).

Every CometBFT header check is refused as ``invalid header``, every commit check (including the
commit's height and block hash against its header) as ``invalid commit``.
"""

from __future__ import annotations

from typing import Final

from relayer_sim.formats.cometbft import ADDRESS_SIZE, HASH_SIZE, header_hash
from relayer_sim.formats.proto.ibc.lightclients.tendermint.v1 import tendermint_pb2
from relayer_sim.formats.proto.tendermint.types import types_pb2, validator_pb2
from relayer_sim.ics07 import errors
from relayer_sim.ics07.decode import duration_ns, time_ns
from relayer_sim.ics07.errors import ClientError
from relayer_sim.ics07.gosem import GO_ZERO_TIME_NS, NANOS, trim_space, uint64
from relayer_sim.ics07.valset import ValidatorSet, validator_set
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.store import chain_id_revision

#: CometBFT ``MaxChainIDLen``.
MAX_CHAIN_ID_LEN: Final = 50
#: ``version.BlockProtocol`` of CometBFT v0.38.
BLOCK_PROTOCOL: Final = 11
#: ``MaxSignatureSize``: the larger of ed25519's 64 bytes and 64.
MAX_SIGNATURE_SIZE: Final = 64
_COMMIT, _ABSENT, _NIL = (
    validator_pb2.BLOCK_ID_FLAG_COMMIT,
    validator_pb2.BLOCK_ID_FLAG_ABSENT,
    validator_pb2.BLOCK_ID_FLAG_NIL,
)


def height_of(proto: object) -> Height:
    """An ``ibc.core.client.v1.Height`` as our ``Height``."""
    return Height(int(proto.revision_number), int(proto.revision_height))  # type: ignore[attr-defined]


# --- client and consensus states ----------------------------------------------------------------


def trust_level_problem(numerator: int, denominator: int) -> str | None:
    """CometBFT ``ValidateTrustLevel`` with Go's uint64 arithmetic (``numerator*3`` wraps)."""
    if uint64(numerator * 3) < denominator or numerator > denominator or denominator == 0:
        return f"trust level {numerator}/{denominator} is not within [1/3, 1]"
    return None


def client_state_problem(state: tendermint_pb2.ClientState) -> str | None:
    """``ClientState.Validate``: the first rule the state breaks, in ibc-go's order."""
    chain_id = state.chain_id
    trusting, unbonding = duration_ns(state.trusting_period), duration_ns(state.unbonding_period)
    latest = height_of(state.latest_height)
    checks = (
        (not trim_space(chain_id), "chain id is empty"),
        (len(chain_id.encode()) > MAX_CHAIN_ID_LEN, "chain id is too long"),
        (
            trust_level_problem(state.trust_level.numerator, state.trust_level.denominator)
            is not None,
            "trust level is not within [1/3, 1]",
        ),
        (trusting <= 0, "trusting period must be positive"),
        (unbonding <= 0, "unbonding period must be positive"),
        (duration_ns(state.max_clock_drift) <= 0, "max clock drift must be positive"),
        (
            latest.revision_number != chain_id_revision(chain_id),
            "latest height revision differs from the chain id's",
        ),
        (latest.revision_height == 0, "latest revision height is zero"),
        (trusting >= unbonding, "trusting period is not below the unbonding period"),
        (not state.proof_specs, "no proof specs"),
        (any(not trim_space(key) for key in state.upgrade_path), "an upgrade path key is empty"),
    )
    return next((problem for broken, problem in checks if broken), None)


def validate_client_state(state: tendermint_pb2.ClientState, reason: str) -> None:
    problem = client_state_problem(state)
    if problem is not None:
        raise ClientError(reason, problem)


def validate_consensus_state(state: tendermint_pb2.ConsensusState) -> None:
    """``ConsensusState.ValidateBasic``: a root, a next validators hash of 0 or 32 bytes, and a
    timestamp whose Unix seconds are positive."""
    if not state.root.hash:
        raise ClientError(errors.INVALID_CONSENSUS_STATE, "root is empty")
    if len(state.next_validators_hash) not in (0, HASH_SIZE):
        raise ClientError(errors.INVALID_CONSENSUS_STATE, "next validators hash is not 32 bytes")
    if time_ns(state.timestamp) // NANOS <= 0:
        raise ClientError(errors.INVALID_CONSENSUS_STATE, "timestamp is not a positive Unix time")


# --- CometBFT types -----------------------------------------------------------------------------


def _hash_ok(value: bytes) -> bool:
    """``ValidateHash``: empty or 32 bytes."""
    return len(value) in (0, HASH_SIZE)


def block_id_problem(block_id: types_pb2.BlockID) -> str | None:
    """``BlockID.ValidateBasic`` (with its part-set header's)."""
    if not _hash_ok(block_id.hash):
        return "block id hash is not 32 bytes"
    if not _hash_ok(block_id.part_set_header.hash):
        return "part set header hash is not 32 bytes"
    return None


def _cometbft_header_problem(header: types_pb2.Header) -> str | None:
    """CometBFT ``Header.ValidateBasic``."""
    checks = (
        (header.version.block != BLOCK_PROTOCOL, "block protocol is not 11"),
        (len(header.chain_id.encode()) > MAX_CHAIN_ID_LEN, "chain id is too long"),
        (header.height <= 0, "height is not positive"),
        (block_id_problem(header.last_block_id) is not None, "wrong last block id"),
        (not _hash_ok(header.last_commit_hash), "wrong last commit hash"),
        (not _hash_ok(header.data_hash), "wrong data hash"),
        (not _hash_ok(header.evidence_hash), "wrong evidence hash"),
        (len(header.proposer_address) != ADDRESS_SIZE, "proposer address is not 20 bytes"),
        (not _hash_ok(header.validators_hash), "wrong validators hash"),
        (not _hash_ok(header.next_validators_hash), "wrong next validators hash"),
        (not _hash_ok(header.consensus_hash), "wrong consensus hash"),
        (not _hash_ok(header.last_results_hash), "wrong last results hash"),
    )
    return next((problem for broken, problem in checks if broken), None)


def _commit_sig_problem(sig: types_pb2.CommitSig) -> str | None:
    """``CommitSig.ValidateBasic``."""
    flag = int(sig.block_id_flag)
    if flag not in (_COMMIT, _ABSENT, _NIL):
        return f"unknown block id flag {flag}"
    if flag == _ABSENT:
        if sig.validator_address:
            return "absent vote with a validator address"
        if time_ns(sig.timestamp) != GO_ZERO_TIME_NS:
            return "absent vote with a time"
        if sig.signature:
            return "absent vote with a signature"
        return None
    if len(sig.validator_address) != ADDRESS_SIZE:
        return "validator address is not 20 bytes"
    if not sig.signature:
        return "signature is missing"
    if len(sig.signature) > MAX_SIGNATURE_SIZE:
        return "signature is too big"
    return None


def _commit_problem(commit: types_pb2.Commit) -> str | None:
    """``CommitFromProto``: the block id's and every signature's ``ValidateBasic``, then the
    commit's own."""
    problem = block_id_problem(commit.block_id)
    if problem is not None:
        return problem
    for index, sig in enumerate(commit.signatures):
        problem = _commit_sig_problem(sig)
        if problem is not None:
            return f"signature #{index}: {problem}"
    if commit.height < 0:
        return "negative height"
    if commit.round < 0:
        return "negative round"
    if commit.height >= 1:
        psh = commit.block_id.part_set_header
        if not commit.block_id.hash and psh.total == 0 and not psh.hash:
            return "commit for a nil block"
        if not commit.signatures:
            return "no signatures"
    return None


def validate_commit(commit: types_pb2.Commit) -> None:
    problem = _commit_problem(commit)
    if problem is not None:
        raise ClientError(errors.INVALID_COMMIT, problem)


def validate_signed_header(signed: types_pb2.SignedHeader, chain_id: str) -> None:
    """``SignedHeaderFromProto`` then ``SignedHeader.ValidateBasic(chain_id)``: the header,
    then the commit, then that they belong together."""
    if not signed.HasField("header"):
        raise ClientError(errors.INVALID_HEADER, "missing header")
    header = signed.header
    problem = _cometbft_header_problem(header)
    if problem is not None:
        raise ClientError(errors.INVALID_HEADER, problem)
    if not signed.HasField("commit"):
        raise ClientError(errors.INVALID_COMMIT, "missing commit")
    validate_commit(signed.commit)
    if header.chain_id != chain_id:
        raise ClientError(errors.INVALID_HEADER, f"header belongs to chain {header.chain_id!r}")
    if signed.commit.height != header.height:
        raise ClientError(errors.INVALID_COMMIT, "commit height differs from the header's")
    if signed.commit.block_id.hash != header_hash(header):
        raise ClientError(errors.INVALID_COMMIT, "commit signs another block")


# --- 07-tendermint header -----------------------------------------------------------------------


def header_height(header: types_pb2.Header) -> Height:
    """ibc-go ``Header.GetHeight``: the chain id's revision and the block height."""
    return Height(chain_id_revision(header.chain_id), uint64(header.height))


def message_height(message: tendermint_pb2.Header) -> Height:
    """The height of a header message; one without a header is refused (Go would dereference
    nil)."""
    if not (message.HasField("signed_header") and message.signed_header.HasField("header")):
        raise ClientError(errors.INVALID_HEADER, "missing header")
    return header_height(message.signed_header.header)


def validate_header(message: tendermint_pb2.Header) -> ValidatorSet:
    """ibc-go ``Header.ValidateBasic``; returns the header's validator set."""
    if not message.HasField("signed_header"):
        raise ClientError(errors.INVALID_HEADER, "missing signed header")
    if not message.signed_header.HasField("header"):
        raise ClientError(errors.INVALID_HEADER, "missing header")
    header = message.signed_header.header
    validate_signed_header(message.signed_header, header.chain_id)
    if height_of(message.trusted_height) >= header_height(header):
        raise ClientError(errors.INVALID_HEADER, "trusted height is not below the header's")
    validators = validator_set(
        message.validator_set if message.HasField("validator_set") else None,
        errors.INVALID_HEADER,
    )
    if header.validators_hash != validators.hash():
        raise ClientError(errors.INVALID_HEADER, "validator set does not match the header's hash")
    return validators
