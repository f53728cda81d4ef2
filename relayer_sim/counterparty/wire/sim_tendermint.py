"""The ``sim-tendermint`` wire: our own msgpack encodings (``relayer_sim.lightclient``), read by
the sim-tendermint contracts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from relayer_sim.counterparty.state import AppState
from relayer_sim.counterparty.wire.base import ChainState, ClientParams, ClientView
from relayer_sim.lightclient import decode
from relayer_sim.lightclient.headers import (
    Commit,
    ConsensusVersion,
    Header,
    HeaderMessage,
    Height,
    Misbehaviour,
    SignedHeader,
)
from relayer_sim.lightclient.schemes import SigningKey
from relayer_sim.lightclient.states import SENTINEL_ROOT, ClientState, ConsensusState, TrustLevel
from relayer_sim.lightclient.validators import ValidatorSet
from relayer_sim.lightclient.verify import trusted_enough


class SimTendermintWire:
    name: Final = "sim-tendermint"

    def new_state(self, ibc_store: str) -> ChainState:
        return AppState()  # one tree keyed by the whole path: any store name

    def validators_hash(self, validators: ValidatorSet) -> bytes:
        return validators.hash()

    def seal(
        self,
        header: Header,
        validators: ValidatorSet,
        signers: Mapping[bytes, SigningKey],
        parent: SignedHeader | None,
    ) -> SignedHeader:
        vote = header.vote_bytes()
        signatures = tuple(
            signers[v.public_key].sign(vote) if v.public_key in signers else None
            for v in validators
        )
        return SignedHeader(header, Commit(header.height, header.hash(), signatures), validators)

    def header_message(self, message: HeaderMessage) -> bytes:
        return message.to_bytes()

    def misbehaviour(self, first: HeaderMessage, second: HeaderMessage) -> bytes:
        return Misbehaviour(first, second).to_bytes()

    def accepted_header(self, client_message: bytes) -> HeaderMessage | None:
        message = decode.client_message(client_message)
        return message if isinstance(message, HeaderMessage) else None

    def trusted_enough(self, message: HeaderMessage, level: TrustLevel) -> bool:
        return trusted_enough(message, level)

    def client_states(
        self, chain_id: str, block: SignedHeader, params: ClientParams
    ) -> tuple[bytes, bytes]:
        header = block.header
        client = ClientState(
            chain_id=chain_id,
            trust_level=params.trust_level,
            trusting_period_ns=params.trusting_period_ns,
            max_clock_drift_ns=params.max_clock_drift_ns,
            latest_height=header.ibc_height,
            format=params.state_format,
        )
        consensus = ConsensusState(
            header.time_ns,
            header.app_hash,
            header.next_validators_hash,
            header_version=header.version.header_version,
            format=params.state_format,
        )
        return client.encode(), consensus.encode()

    def read_client_state(self, data: bytes) -> ClientView:
        state = decode.client_state(data)
        return ClientView(
            chain_id=state.chain_id,
            latest_height=state.latest_height,
            trust_level=state.trust_level,
            trusting_period_ns=state.trusting_period_ns,
            max_clock_drift_ns=state.max_clock_drift_ns,
        )

    def consensus_timestamp(self, data: bytes) -> int:
        return decode.consensus_state(data).timestamp_ns

    def upgrade_height(self, revision: int) -> Height:
        # Height 0 of the new revision: its first block is then an adjacent update.
        return Height(revision, 0)

    def upgraded_client_state(self, chain_id: str, at: Height, version: ConsensusVersion) -> bytes:
        return ClientState(
            chain_id=chain_id,
            trust_level=TrustLevel(0, 0),
            trusting_period_ns=0,
            max_clock_drift_ns=0,
            latest_height=at,
            format=version.header_version,
        ).encode()

    def upgraded_consensus_state(
        self, time_ns: int, next_validators: ValidatorSet, version: ConsensusVersion
    ) -> bytes:
        return ConsensusState(
            timestamp_ns=time_ns,
            root=SENTINEL_ROOT,
            next_validators_hash=next_validators.hash(),
            header_version=version.header_version,
            format=version.header_version,
        ).encode()
