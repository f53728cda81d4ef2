"""02-client's and 03-connection's params, changed only by the authority (governance) with
``MsgUpdateClientParams`` and ``MsgUpdateConnectionParams``, checked as ibc-go checks them, and
carried by a genesis."""

from __future__ import annotations

import json

import pytest

from relayer_sim.formats.ics04 import Order
from relayer_sim.host import genesis
from relayer_sim.host.app import HostApp, HostConfig
from relayer_sim.host.clients import Status
from relayer_sim.host.errors import ContractError, InvalidMessage, Unauthorized
from relayer_sim.host.governance import GOV_AUTHORITY, GovParams
from relayer_sim.host.messages import (
    MsgRecvPacket,
    MsgSubmitProposal,
    MsgUpdateClientParams,
    MsgUpdateConnectionParams,
    MsgVote,
)
from relayer_sim.host.params import ConnectionParams
from relayer_sim.host.store import GasMeter
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.store import HostEnv
from relayer_sim.vm import WasmVM
from tests.host.ibc_pair import PORT, make_pair
from tests.host.test_app import RELAYER

SECOND = 10**9


@pytest.mark.parametrize(
    ("allowed", "message"),
    [
        (("*", "08-wasm"), "allow list must have only one element because the allow all"),
        (("08-wasm", " "), "client type 1 cannot be blank"),
        (("08-wasm", "08-wasm"), "duplicate client type: 08-wasm"),
    ],
)
def test_bad_client_params_are_refused(vm: WasmVM, allowed: tuple[str, ...], message: str) -> None:
    pair = make_pair(vm)
    assert message in pair.expect(InvalidMessage, MsgUpdateClientParams(GOV_AUTHORITY, allowed))


def test_only_the_authority_changes_params(vm: WasmVM) -> None:
    pair = make_pair(vm)
    assert pair.expect(Unauthorized, MsgUpdateClientParams(RELAYER, ("*",))) == (
        f"expected {GOV_AUTHORITY} as signer, got {RELAYER}"
    )
    pair.expect(Unauthorized, MsgUpdateConnectionParams(RELAYER, 10 * SECOND))
    assert "MaxExpectedTimePerBlock cannot be zero" in pair.expect(
        InvalidMessage, MsgUpdateConnectionParams(GOV_AUTHORITY, 0)
    )


def test_a_client_type_taken_off_the_allow_list_is_unauthorized(vm: WasmVM) -> None:
    pair = make_pair(vm)
    clients = pair.host.app.query().clients
    assert clients.status(pair.client_id, pair.env, GasMeter(None)) == Status.ACTIVE
    pair.ok(MsgUpdateClientParams(GOV_AUTHORITY, ("07-tendermint",)))
    assert clients.status(pair.client_id, pair.env, GasMeter(None)) == Status.UNAUTHORIZED
    pair.ok(MsgUpdateClientParams(GOV_AUTHORITY, ("*",)))
    assert clients.status(pair.client_id, pair.env, GasMeter(None)) == Status.ACTIVE


def test_a_shorter_expected_block_time_lengthens_the_block_delay(vm: WasmVM) -> None:
    """A 45 s delay is two blocks at 03-connection's default 30 s per block, five at 10 s."""
    pair = make_pair(vm)
    _, theirs = pair.open_channel(pair.open_connection(45 * SECOND), Order.UNORDERED)
    pair.ok(MsgUpdateConnectionParams(GOV_AUTHORITY, 10 * SECOND))
    assert pair.host.app.query().params.connection() == ConnectionParams(10 * SECOND)
    timeout = pair.time_ns + 3600 * SECOND
    sent = pair.chain.ibc.send_packet(PORT, theirs, b"x", Height(0, 0), timeout)
    at = pair.commit()  # stored at host block h; the host is at h + 1
    assert pair.updated_at is not None
    recv = MsgRecvPacket(RELAYER, sent, pair.prove(sent.commitment_key(), at), at)
    pair.time_ns = pair.updated_at.time_ns + 45 * SECOND
    pair.tick(1, 0)  # h + 2: enough at 30 s per block, not at 10 s
    assert "delay block period has not passed" in pair.expect(ContractError, recv)
    pair.tick(3, 0)  # h + 5
    pair.ok(recv)


def test_params_go_through_a_proposal_and_a_genesis(vm: WasmVM) -> None:
    config = HostConfig(validators={"val": 1}, gov=GovParams(voting_period_ns=SECOND))
    app = HostApp(vm, config)
    env = HostEnv(1, SECOND, "host-1")
    update = MsgUpdateClientParams(GOV_AUTHORITY, ("08-wasm",))
    assert app.deliver(MsgSubmitProposal("cosmos1me", "wasm only", (update,)), env, None).ok
    assert app.deliver(MsgVote("val", 1, "Yes"), env, None).ok
    [outcome] = app.end_block(HostEnv(2, 3 * SECOND, "host-1"))
    assert outcome.error is None
    app.commit()
    assert app.query().params.allowed_clients() == ("08-wasm",)
    data = genesis.to_json(app.export_genesis(env))
    exported = json.loads(data)["app_state"]["ibc"]
    assert exported["client_genesis"]["params"] == {"allowed_clients": ["08-wasm"]}
    assert exported["connection_genesis"]["params"] == {
        "max_expected_time_per_block": str(30 * SECOND)
    }
    started = HostApp.from_genesis(vm, data, config)
    assert started.query().params.allowed_clients() == ("08-wasm",)
    assert dict(started.committed.scan(None, None, True)) == dict(
        app.committed.scan(None, None, True)
    )
