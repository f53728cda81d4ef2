"""ibc-go 07-tendermint misbehaviour: ``Misbehaviour.ValidateBasic`` (both headers valid and each
committed by its own validator set), ``checkMisbehaviourHeader`` (each header would have been
trusted from its trusted consensus state) and the two kinds ``CheckForMisbehaviour`` finds: a
fork (one height, two block hashes) and a time violation (the higher header not later).

The refusals keep the reason of the check that fails (a bad signature in either header is
``invalid signature``, as in an update); ``invalid misbehaviour`` is for the rules of the
misbehaviour itself.
"""

from __future__ import annotations

from relayer_sim.formats.proto.ibc.lightclients.tendermint.v1 import tendermint_pb2
from relayer_sim.ics07 import errors
from relayer_sim.ics07.decode import duration_ns, time_ns
from relayer_sim.ics07.errors import ClientError
from relayer_sim.ics07.gosem import set_revision_number, time_sub
from relayer_sim.ics07.validate import (
    block_id_problem,
    header_height,
    message_height,
    validate_header,
)
from relayer_sim.ics07.valset import validator_set
from relayer_sim.ics07.verify import Profile, verify_commit_light, verify_commit_light_trusting
from relayer_sim.lightclient.store import is_revision_format

Header = tendermint_pb2.Header
Misbehaviour = tendermint_pb2.Misbehaviour


def _parts(misbehaviour: Misbehaviour) -> tuple[Header, Header]:
    for name in ("header_1", "header_2"):
        if not misbehaviour.HasField(name):
            raise ClientError(errors.INVALID_MISBEHAVIOUR, f"{name} is missing")
    return misbehaviour.header_1, misbehaviour.header_2


def validate_misbehaviour(profile: Profile, misbehaviour: Misbehaviour) -> None:
    """``Misbehaviour.ValidateBasic``, in ibc-go's order."""
    parts = _parts(misbehaviour)
    for number, part in enumerate(parts, 1):
        if part.trusted_height.revision_height == 0:
            raise ClientError(errors.INVALID_MISBEHAVIOUR, f"header {number} trusts height zero")
    for number, part in enumerate(parts, 1):
        if not part.HasField("trusted_validators"):
            raise ClientError(errors.INVALID_MISBEHAVIOUR, f"header {number} trusts no validators")
    for part in parts:
        message_height(part)
    first, second = (part.signed_header.header for part in parts)
    if first.chain_id != second.chain_id:
        raise ClientError(errors.INVALID_MISBEHAVIOUR, "headers of different chains")
    validators = [validate_header(part) for part in parts]
    if header_height(first) < header_height(second):
        raise ClientError(errors.INVALID_MISBEHAVIOUR, "header 1 is below header 2")
    for part, own in zip(parts, validators, strict=True):
        commit = part.signed_header.commit
        verify_commit_light(
            profile, part.signed_header.header.chain_id, own, commit.block_id, commit.height, commit
        )


def check_misbehaviour_header(
    profile: Profile,
    client: tendermint_pb2.ClientState,
    trusted: tendermint_pb2.ConsensusState,
    part: Header,
    now_ns: int,
) -> None:
    """``checkMisbehaviourHeader``: the trusted validators are the trusted state's next ones,
    the trusted state is within the trusting period, and they signed the header's commit at the
    trust level (the sign bytes naming the client's chain id at the header's revision)."""
    trusted_validators = validator_set(part.trusted_validators, errors.INVALID_VALIDATOR_SET)
    if trusted_validators.hash() != trusted.next_validators_hash:
        raise ClientError(errors.INVALID_VALIDATOR_SET, "trusted validators do not match")
    if time_sub(now_ns, time_ns(trusted.timestamp)) >= duration_ns(client.trusting_period):
        raise ClientError(errors.TRUSTING_PERIOD_EXPIRED, "the trusted state is too old")
    chain_id = client.chain_id
    if is_revision_format(chain_id):
        chain_id = set_revision_number(chain_id, message_height(part).revision_number)
    level = client.trust_level
    verify_commit_light_trusting(
        profile,
        chain_id,
        trusted_validators,
        part.signed_header.commit,
        (int(level.numerator), int(level.denominator)),
    )


def is_misbehaviour(misbehaviour: Misbehaviour) -> bool:
    """``CheckForMisbehaviour`` of a ``Misbehaviour``: same height and different block hashes
    (an invalid block id is no evidence), or header 1's time not after header 2's."""
    first, second = _parts(misbehaviour)
    if message_height(first) == message_height(second):
        block_ids = []
        for part in (first, second):
            if not part.signed_header.HasField("commit"):
                raise ClientError(errors.INVALID_COMMIT, "missing commit")
            block_ids.append(part.signed_header.commit.block_id)
        if any(block_id_problem(block_id) is not None for block_id in block_ids):
            return False
        return block_ids[0].hash != block_ids[1].hash
    return time_ns(first.signed_header.header.time) <= time_ns(second.signed_header.header.time)
