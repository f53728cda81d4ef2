"""The host's defences against a light-client contract that breaks 08-wasm's rules.

The rogue contract (contracts/rogue) carries out the client message of ``MsgUpdateClient`` as an
instruction. After the contract's ``update_state`` the host must find the client state still
there, readable and on the same checksum (else ``InvalidContractModification``), and must refuse
a response that carries events; either way the transaction fails and leaves nothing behind.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from relayer_sim.counterparty import CounterpartyChain
from relayer_sim.host.clients import UpdateOutcome
from relayer_sim.host.errors import ContractFailure, HostError, InvalidContractModification
from relayer_sim.host.messages import MsgCreateClient, MsgUpdateClient
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.wasm_wrappers import WasmClientState, WasmConsensusState
from relayer_sim.vm import WasmVM
from tests.host.test_app import RELAYER, Host, make_host, stored
from tests.lightclient.chains import advance, make_chain


@pytest.fixture
def chain() -> CounterpartyChain:
    """Only the host's clock comes from it: the rogue client follows no chain."""
    chain = make_chain()
    advance(chain, 1)
    return chain


def rogue_client(vm: WasmVM, chain: CounterpartyChain) -> tuple[Host, str]:
    host = make_host(vm)
    checksum = stored(host, chain, "rogue")
    msg = MsgCreateClient(
        RELAYER,
        WasmClientState(b"rogue", checksum, Height(0, 1)).encode(),
        WasmConsensusState(b"consensus").encode(),
    )
    client_id = host.ok(msg, chain)
    assert isinstance(client_id, str)
    return host, client_id


def update(client_id: str, instruction: dict[str, Any]) -> MsgUpdateClient:
    return MsgUpdateClient(RELAYER, client_id, json.dumps(instruction).encode())


@pytest.mark.parametrize(
    ("instruction", "error", "problem"),
    [
        ({"delete_client_state": {}}, InvalidContractModification, "the client state is missing"),
        (
            {"corrupt_client_state": {}},
            InvalidContractModification,
            "the client state is unreadable",
        ),
        (
            {"change_checksum": {"checksum": base64.b64encode(bytes(32)).decode()}},
            InvalidContractModification,
            "changed the client state's checksum",
        ),
        ({"emit_event": {}}, ContractFailure, "may not return events"),
    ],
    ids=["deletes the client state", "corrupts it", "changes its checksum", "emits an event"],
)
def test_a_misbehaving_update_fails_and_changes_nothing(
    vm: WasmVM,
    chain: CounterpartyChain,
    instruction: dict[str, Any],
    error: type[HostError],
    problem: str,
) -> None:
    host, client_id = rogue_client(vm, chain)
    assert problem in host.expect(error, update(client_id, instruction), chain)
    # The client survives its contract's misdeed untouched and still updates.
    host.ok(update(client_id, {"nothing": {}}), chain)


def test_a_well_behaved_update_succeeds(vm: WasmVM, chain: CounterpartyChain) -> None:
    host, client_id = rogue_client(vm, chain)
    outcome = host.ok(update(client_id, {"nothing": {}}), chain)
    assert outcome == UpdateOutcome((), misbehaviour=False)
    state = host.app.query().clients.client_state(client_id)
    assert (state.data, state.latest_height) == (b"rogue", Height(0, 1))
