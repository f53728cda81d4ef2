"""Governance's recovery of a client (every precondition with its own error, then success) and
the planned-upgrade flow (``MsgUpgradeClient``), through the host with the real contracts."""

from __future__ import annotations

from relayer_sim.counterparty import Coalition, CounterpartyChain, UpgradePlan
from relayer_sim.host.clients import Status, UpdateOutcome
from relayer_sim.host.errors import (
    ClientStatusError,
    ContractError,
    HostError,
    InvalidMessage,
    InvalidRecoveryClient,
    NotFound,
    Unauthorized,
)
from relayer_sim.host.governance import GOV_AUTHORITY
from relayer_sim.host.messages import MsgRecoverClient, MsgUpdateClient, MsgUpgradeClient
from relayer_sim.lightclient import decode
from relayer_sim.lightclient.headers import HeaderMessage, Height, Misbehaviour
from relayer_sim.lightclient.paths import upgrade_paths
from relayer_sim.lightclient.states import DEFAULT_UPGRADE_PATH
from relayer_sim.lightclient.wasm_wrappers import WasmClientState, WasmConsensusState
from relayer_sim.vm import WasmVM
from tests.host.test_app import RELAYER, Host, create_client, make_host, stored
from tests.lightclient.chains import advance, make_chain


def updated(host: Host, chain: CounterpartyChain, client_id: str, height: Height) -> None:
    header = chain.header_message(height, Height(1, 1)).to_bytes()
    host.ok(MsgUpdateClient(RELAYER, client_id, header), chain)


def frozen(host: Host, chain: CounterpartyChain, client_id: str) -> None:
    """Freeze a client with real equivocation evidence at 1-3."""
    forged = Coalition.of(["alice", "bob", "carol"]).equivocation(chain, Height(1, 3))
    evidence = Misbehaviour(
        HeaderMessage(forged, Height(1, 1), chain.trusted_validators(Height(1, 1))),
        chain.header_message(Height(1, 3), Height(1, 1)),
    ).to_bytes()
    outcome = host.ok(MsgUpdateClient(RELAYER, client_id, evidence), chain)
    assert outcome == UpdateOutcome((), misbehaviour=True)
    assert host.status(client_id, chain) == Status.FROZEN


def test_recovery_checks_every_precondition(vm: WasmVM) -> None:
    chain = make_chain()
    advance(chain, 4)
    host = make_host(vm)
    v1 = stored(host, chain, "sim-tendermint-v1")
    v2 = stored(host, chain, "sim-tendermint-v2")
    subject = create_client(host, chain, v1)
    frozen(host, chain, subject)
    same_height = create_client(host, chain, v1)
    substitute = create_client(host, chain, v1)
    updated(host, chain, substitute, Height(1, 4))
    other_code = create_client(host, chain, v2, format=2)
    updated(host, chain, other_code, Height(1, 4))
    frozen_substitute = create_client(host, chain, v1)
    updated(host, chain, frozen_substitute, Height(1, 4))
    frozen(host, chain, frozen_substitute)

    def recover(
        subject_id: str, substitute_id: str, signer: str = GOV_AUTHORITY
    ) -> MsgRecoverClient:
        return MsgRecoverClient(signer, subject_id, substitute_id)

    cases: list[tuple[type[HostError], MsgRecoverClient, str]] = [
        (Unauthorized, recover(subject, substitute, RELAYER), "expected"),
        (InvalidMessage, recover(subject, subject), "must not be equal"),
        (NotFound, recover("08-wasm-99", substitute), "subject client state not found"),
        (InvalidRecoveryClient, recover(substitute, other_code), "cannot recover Active subject"),
        (NotFound, recover(subject, "08-wasm-99"), "substitute client state not found"),
        (InvalidMessage, recover(subject, same_height), "greater or equal"),
        (ClientStatusError, recover(subject, frozen_substitute), "substitute client is not Active"),
        (InvalidMessage, recover(subject, other_code), "expected checksums to be equal"),
    ]
    for error, msg, text in cases:
        assert text in host.expect(error, msg, chain)
    host.ok(recover(subject, substitute), chain)
    assert host.status(subject, chain) == Status.ACTIVE
    assert host.app.query().clients.latest_height(subject) == Height(1, 4)


def test_planned_upgrade_through_the_host(vm: WasmVM) -> None:
    chain = make_chain()
    advance(chain, 2)
    chain.schedule_upgrade(UpgradePlan("next", height=5))
    advance(chain, 3)
    host = make_host(vm)
    checksum = stored(host, chain, "sim-tendermint-v1")
    client_id = create_client(host, chain, checksum)
    client_path, consensus_path = upgrade_paths(DEFAULT_UPGRADE_PATH, 5)
    last = Height(1, 5)
    client = chain.value(tuple(client_path), last)
    consensus = chain.value(tuple(consensus_path), last)
    assert client is not None and consensus is not None
    new_height = decode.client_state(client).latest_height

    def upgrade(client_bytes: bytes, height: Height, proof_client: bytes) -> MsgUpgradeClient:
        return MsgUpgradeClient(
            RELAYER,
            client_id,
            WasmClientState(client_bytes, checksum, height).encode(),
            WasmConsensusState(consensus).encode(),
            proof_client,
            chain.prove(tuple(consensus_path), last),
        )

    proof = chain.prove(tuple(client_path), last)
    # The client is still at 1-1: the proofs are against another root.
    assert "upgraded client state: " in host.expect(
        ContractError, upgrade(client, new_height, proof), chain
    )
    updated(host, chain, client_id, last)
    assert "must be greater than" in host.expect(
        InvalidMessage, upgrade(client, Height(1, 5), proof), chain
    )
    host.ok(upgrade(client, new_height, proof), chain)
    clients = host.app.query().clients
    assert clients.latest_height(client_id) == new_height
    assert host.status(client_id, chain) == Status.ACTIVE
    chain.restart_after_upgrade()
    advance(chain, 2)
    header = chain.header_message(Height(2, 2), new_height).to_bytes()
    host.ok(MsgUpdateClient(RELAYER, client_id, header), chain)
    assert clients.latest_height(client_id) == Height(2, 2)


def test_upgrade_needs_an_active_client(vm: WasmVM) -> None:
    chain = make_chain()
    advance(chain, 4)
    host = make_host(vm)
    client_id = create_client(host, chain, stored(host, chain, "sim-tendermint-v1"))
    frozen(host, chain, client_id)
    msg = MsgUpgradeClient(RELAYER, client_id, b"", b"", b"", b"")
    assert "with status Frozen" in host.expect(ClientStatusError, msg, chain)
