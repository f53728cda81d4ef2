"""The light-client rules (CometBFT's, DESIGN.md §5) in Python: the reference the Wasm
contracts are tested against, and the native light client of the hard-fork baseline.

Checks run in a fixed order, and each failure names its ``Rejection`` kind, so that the Zig
contracts and this module can be compared not just on "accepted or not" but on why.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from relayer_sim.lightclient.headers import HeaderMessage, Misbehaviour
from relayer_sim.lightclient.schemes import SCHEMES
from relayer_sim.lightclient.states import ClientState, ConsensusState, TrustLevel
from relayer_sim.lightclient.validators import ValidatorSet

#: The new validator set must sign with more than this share (numerator, denominator).
COMMIT_QUORUM = TrustLevel(2, 3)


class Rejection(StrEnum):
    FROZEN = "client is frozen"
    UNSUPPORTED_VERSION = "unsupported header version"
    WRONG_CHAIN = "wrong chain id"
    WRONG_REVISION = "wrong revision"
    NOT_ABOVE_TRUSTED = "header height not above the trusted height"
    COMMIT_MISMATCH = "commit is not for this header"
    VALIDATORS_MISMATCH = "validator set does not match the header"
    TRUSTED_VALIDATORS_MISMATCH = "trusted validator set does not match the trusted state"
    SCHEME_MISMATCH = "validator set scheme does not match the header version"
    EXPIRED = "trusted state is outside the trusting period"
    FUTURE = "header time is beyond the max clock drift"
    TIME_NOT_AFTER_TRUSTED = "header time is not after the trusted state's time"
    ADJACENT_VALIDATORS = "adjacent header's validators are not the trusted next validators"
    SIGNATURE_COUNT = "commit signature count differs from the validator set size"
    BAD_SIGNATURE = "invalid signature"
    INSUFFICIENT_TRUST = "not enough trusted voting power signed"
    INSUFFICIENT_POWER = "not enough voting power signed"


class VerificationError(ValueError):
    def __init__(self, rejection: Rejection, detail: str = "") -> None:
        self.rejection = rejection
        super().__init__(f"{rejection.value}: {detail}" if detail else rejection.value)


@dataclass(frozen=True)
class Trusted:
    """The consensus state a header message claims to build on (looked up by the caller)."""

    state: ConsensusState
    height: int


def _exceeds(power: int, total: int, level: TrustLevel) -> bool:
    """CometBFT's rule: tallied power strictly above floor(total * numerator / denominator)."""
    return power > total * level.numerator // level.denominator


def _tally(
    message: HeaderMessage, counted: ValidatorSet, level: TrustLevel, rejection: Rejection
) -> None:
    """Verify signatures of ``counted`` members, in set order, until their power exceeds
    ``level``; stop there, as CometBFT does (signatures past that point are not checked)."""
    header = message.signed.header
    signers = message.signed.validator_set
    scheme = SCHEMES[signers.scheme]
    vote = header.vote_bytes()
    signatures = message.signed.commit.signatures
    total, tallied = counted.total_power, 0
    for validator in counted:
        position = signers.index_of(validator.public_key)
        if position is None or signatures[position] is None:
            continue
        signature = signatures[position]
        assert signature is not None
        if not scheme.verify(validator.public_key, vote, signature):
            raise VerificationError(Rejection.BAD_SIGNATURE, f"validator #{position}")
        tallied += validator.power
        if _exceeds(tallied, total, level):
            return
    raise VerificationError(rejection, f"{tallied} of {total}")


def verify_header(
    client: ClientState,
    trusted: Trusted,
    message: HeaderMessage,
    now_ns: int,
    versions: Collection[int],
    *,
    checks_trusted_validators: bool = True,
) -> None:
    """Raise ``VerificationError`` unless ``message`` may update ``client`` at ``now_ns``.

    ``checks_trusted_validators=False`` is a deliberate flaw (``sim-tendermint-v1-flawed``):
    the message's trusted validators are believed without comparing them with the trusted
    state, so keys anyone invented can vouch for a header they signed themselves."""
    signed = message.signed
    header = signed.header
    if client.frozen:
        raise VerificationError(Rejection.FROZEN)
    if header.version.header_version not in versions:
        raise VerificationError(Rejection.UNSUPPORTED_VERSION, str(header.version.header_version))
    if header.chain_id != client.chain_id:
        raise VerificationError(Rejection.WRONG_CHAIN, header.chain_id)
    if header.revision != client.latest_height.revision_number or (
        message.trusted_height.revision_number != header.revision
    ):
        raise VerificationError(Rejection.WRONG_REVISION, str(header.revision))
    if header.height <= trusted.height:
        raise VerificationError(Rejection.NOT_ABOVE_TRUSTED, str(header.height))
    if signed.commit.height != header.height or signed.commit.block_hash != header.hash():
        raise VerificationError(Rejection.COMMIT_MISMATCH)
    if signed.validator_set.hash() != header.validators_hash:
        raise VerificationError(Rejection.VALIDATORS_MISMATCH)
    if signed.validator_set.scheme != header.version.scheme:
        raise VerificationError(Rejection.SCHEME_MISMATCH, signed.validator_set.scheme)
    if (
        checks_trusted_validators
        and message.trusted_validators.hash() != trusted.state.next_validators_hash
    ):
        raise VerificationError(Rejection.TRUSTED_VALIDATORS_MISMATCH)
    if trusted.state.timestamp_ns + client.trusting_period_ns <= now_ns:
        raise VerificationError(Rejection.EXPIRED)
    if header.time_ns >= now_ns + client.max_clock_drift_ns:
        raise VerificationError(Rejection.FUTURE)
    if header.time_ns <= trusted.state.timestamp_ns:
        raise VerificationError(Rejection.TIME_NOT_AFTER_TRUSTED)
    if len(signed.commit.signatures) != len(signed.validator_set):
        raise VerificationError(Rejection.SIGNATURE_COUNT)
    if header.height == trusted.height + 1:
        if header.validators_hash != trusted.state.next_validators_hash:
            raise VerificationError(Rejection.ADJACENT_VALIDATORS)
    else:
        _tally(
            message, message.trusted_validators, client.trust_level, Rejection.INSUFFICIENT_TRUST
        )
    _tally(message, signed.validator_set, COMMIT_QUORUM, Rejection.INSUFFICIENT_POWER)


def trusted_enough(message: HeaderMessage, level: TrustLevel) -> bool:
    """Whether the trusted validators who signed ``message`` carry more than ``level`` of the
    trusted power: the skipping check alone, for a relayer choosing how far it can skip."""
    try:
        _tally(message, message.trusted_validators, level, Rejection.INSUFFICIENT_TRUST)
    except VerificationError as error:
        if error.rejection is Rejection.INSUFFICIENT_TRUST:
            return False
        raise
    return True


def is_fork(evidence: Misbehaviour) -> bool:
    """Whether two (separately verified) headers conflict: one height, two blocks, or a
    later header that is not later in time (a BFT-time violation)."""
    first, second = evidence.first.signed.header, evidence.second.signed.header
    if first.ibc_height == second.ibc_height:
        return first.hash() != second.hash()
    later, earlier = (first, second) if first.ibc_height > second.ibc_height else (second, first)
    return later.time_ns <= earlier.time_ns


def conflicts_with_stored(
    header_state: ConsensusState,
    existing: ConsensusState | None,
    previous: ConsensusState | None,
    following: ConsensusState | None,
) -> bool:
    """Whether a verified header betrays a fork against what the client already stored: a
    different consensus state at its height, or a time out of order with its neighbours."""
    if existing is not None:
        return (existing.timestamp_ns, existing.root, existing.next_validators_hash) != (
            header_state.timestamp_ns,
            header_state.root,
            header_state.next_validators_hash,
        )
    if previous is not None and header_state.timestamp_ns <= previous.timestamp_ns:
        return True
    return following is not None and header_state.timestamp_ns >= following.timestamp_ns
