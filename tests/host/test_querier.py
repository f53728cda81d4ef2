"""What a contract's ``query_chain`` reaches on the host: 08-wasm's accept list, 02-client's
VerifyMembership through a real client and proof, ibc-go's refusals and redaction, the gas."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from relayer_sim.contracts import load_contract
from relayer_sim.formats.proto.ibc.core.client.v1 import client_pb2, query_pb2
from relayer_sim.formats.proto.ibc.core.commitment.v2 import commitment_pb2
from relayer_sim.host.app import HostApp, HostConfig
from relayer_sim.host.contract_api import Dialect
from relayer_sim.host.messages import MsgUpdateClient
from relayer_sim.host.querier import VERIFY_MEMBERSHIP_PATH, ChainQuerier
from relayer_sim.host.store import GasMeter
from relayer_sim.host.wasm_proxy import GAS_MULTIPLIER
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.packets import Packet
from relayer_sim.vm import MemoryStorage, OutOfGas, QueryAnswer, WasmVM
from tests.conftest import ENV, GAS
from tests.host.test_app import RELAYER, Host, create_client, stored
from tests.lightclient.chains import advance, make_chain, soon_after

PACKET = Packet(1, "transfer", "channel-0", "transfer", "channel-7", b'{"amount":"10"}')
PROVEN_AT = Height(1, 3)
REDACTED = {"ok": {"error": "codespace: undefined, code: 1"}}


class Proven:
    """A host with a sim-tendermint client at 1-3 of a chain that committed ``PACKET``."""

    def __init__(self, vm: WasmVM, config: HostConfig | None = None) -> None:
        self.chain = make_chain()
        advance(self.chain, 1)
        self.path = [b"ibc", PACKET.commitment_key()]
        self.chain.state.write(tuple(self.path), PACKET.commitment())
        advance(self.chain, 2)
        self.host = Host(HostApp(vm, config or HostConfig()))
        checksum = stored(self.host, self.chain, "sim-tendermint-v1")
        self.client_id = create_client(self.host, self.chain, checksum)
        header = self.chain.header_message(PROVEN_AT, Height(1, 1)).to_bytes()
        self.host.ok(MsgUpdateClient(RELAYER, self.client_id, header), self.chain)
        self.proof = self.chain.prove(tuple(self.path), PROVEN_AT)

    def request(self, **fields: object) -> bytes:
        """A VerifyMembership request of the packet's commitment, ``fields`` changed."""
        values: dict[str, object] = {
            "client_id": self.client_id,
            "proof": self.proof,
            "proof_height": client_pb2.Height(revision_number=1, revision_height=3),
            "merkle_path": commitment_pb2.MerklePath(key_path=self.path),
            "value": PACKET.commitment(),
            **fields,
        }
        return query_pb2.QueryVerifyMembershipRequest(**values).SerializeToString()

    def querier(self, gas: GasMeter) -> ChainQuerier:
        return self.host.app.querier(soon_after(self.chain), gas)


def stargate(data: bytes, path: str = VERIFY_MEMBERSHIP_PATH) -> bytes:
    return json.dumps(
        {"stargate": {"path": path, "data": base64.b64encode(data).decode()}}
    ).encode()


def answered(answer: QueryAnswer) -> Any:
    return json.loads(answer.result)


def success(answer: QueryAnswer) -> bool:
    encoded = base64.b64decode(answered(answer)["ok"]["ok"])
    return query_pb2.QueryVerifyMembershipResponse.FromString(encoded).success


@pytest.fixture(scope="module")
def proven(vm: WasmVM) -> Proven:
    return Proven(vm)


def test_a_proof_verifies_through_the_client_and_the_query_is_paid_twice(proven: Proven) -> None:
    before = proven.host.items()
    gas = GasMeter(GAS)
    answer = proven.querier(gas)(stargate(proven.request()), GAS * GAS_MULTIPLIER)
    assert success(answer)
    # the transaction paid what the query used, and the contract is charged the same
    assert answer.gas_used == gas.consumed * GAS_MULTIPLIER
    # ibc-go's cached context shares the query's meter: all after the field checks, twice
    assert gas.consumed % 2 == 0 and gas.consumed >= 2 * 3 * 3 * len(proven.proof)
    assert proven.host.items() == before  # a query writes nothing


def test_a_proof_that_does_not_verify_is_success_false(proven: Proven) -> None:
    querier = proven.querier(GasMeter(GAS))
    for request in (
        proven.request(value=b"another value"),
        proven.request(proof_height=client_pb2.Height(revision_number=1, revision_height=9)),
    ):
        answer = querier(stargate(request), GAS * GAS_MULTIPLIER)
        assert answered(answer) == {"ok": {"ok": ""}} and not success(answer)


@pytest.mark.parametrize(
    "fields",
    [
        {"client_id": "08-wasm-9"},  # no such client: its status is Unknown
        {"client_id": "09-localhost-0"},
        {"client_id": "06-solomachine-1"},
        {"client_id": "no-type"},
        {"client_id": "08-wasm"},
        {"proof": b""},
        {"proof_height": client_pb2.Height()},
        {"merkle_path": commitment_pb2.MerklePath()},
        {"value": b""},
    ],
)
def test_a_refused_request_reaches_the_contract_redacted(
    proven: Proven, fields: dict[str, object]
) -> None:
    gas = GasMeter(GAS)
    answer = proven.querier(gas)(stargate(proven.request(**fields)), GAS * GAS_MULTIPLIER)
    assert answered(answer) == REDACTED
    assert answer.gas_used == gas.consumed * GAS_MULTIPLIER


def test_bytes_that_are_no_request_are_refused_redacted(proven: Proven) -> None:
    answer = proven.querier(GasMeter(GAS))(stargate(b"\xff\xff"), GAS * GAS_MULTIPLIER)
    assert answered(answer) == REDACTED


@pytest.mark.parametrize(
    ("request_", "kind"),
    [
        (stargate(b"", "/cosmos.bank.v1beta1.Query/Balance"), "unsupported_request"),
        (b'{"custom":{"anything":1}}', "unsupported_request"),
        (b'{"bank":{"balance":{}}}', "unsupported_request"),
        (b'{"grpc":{"path":"/x","data":""}}', "unsupported_request"),
        (b"[1, 2]", "invalid_request"),
        (b'{"stargate":{"path":"/x","data":"not base64!"}}', "invalid_request"),
        ('{"stargate":{"path":"/x","data":"\u00e9AA="}}'.encode(), "invalid_request"),
        (b'{"stargate":{"path":7}}', "invalid_request"),
        (b"not json", "invalid_request"),
    ],
)
def test_what_08_wasm_does_not_route_is_a_system_error(
    proven: Proven, request_: bytes, kind: str
) -> None:
    gas = GasMeter(GAS)
    answer = proven.querier(gas)(request_, GAS * GAS_MULTIPLIER)
    (error,) = answered(answer)["error"]
    assert error == kind and answer.gas_used == gas.consumed == 0


def test_the_refusals_say_what_ibc_go_says(proven: Proven) -> None:
    querier = proven.querier(GasMeter(GAS))
    bank = "/cosmos.bank.v1beta1.Query/Balance"

    def kind(request: bytes) -> str:
        return answered(querier(request, GAS))["error"]["unsupported_request"]["kind"]

    assert kind(stargate(b"", bank)) == f"'{bank}' path is not allowed from the contract"
    assert kind(b'{"custom":{}}') == "Custom queries are not allowed"
    assert kind(b'{"bank":{}}') == "Unsupported query request"


def test_an_added_path_without_a_route_has_none(vm: WasmVM) -> None:
    bank = "/cosmos.bank.v1beta1.Query/Balance"
    app = HostApp(vm, HostConfig(stargate_accept_list=(bank,)))
    env = soon_after(make_chain())
    answer = app.querier(env, GasMeter(GAS))(stargate(b"", bank), GAS)
    assert answered(answer) == {
        "error": {"unsupported_request": {"kind": f"No route to query '{bank}'"}}
    }


def test_08_wasm_v0_1_accepts_no_query_by_default(vm: WasmVM) -> None:
    app = HostApp(vm, HostConfig(dialect=Dialect.V0_1))
    answer = app.querier(soon_after(make_chain()), GasMeter(GAS))(stargate(b""), GAS)
    kind = f"'{VERIFY_MEMBERSHIP_PATH}' path is not allowed from the contract"
    assert answered(answer) == {"error": {"unsupported_request": {"kind": kind}}}


def test_a_query_that_runs_its_own_meter_out_ends_the_call_out_of_gas(proven: Proven) -> None:
    gas = GasMeter(GAS)
    with pytest.raises(OutOfGas, match="chain query"):
        proven.querier(gas)(stargate(proven.request()), 100 * GAS_MULTIPLIER)
    assert gas.consumed == 100  # the transaction paid what the query's meter allowed


def test_a_contract_asks_through_the_vm_and_the_client_contract_answers(
    proven: Proven, vm: WasmVM
) -> None:
    probe = vm.store_code(load_contract("probe"))
    gas = GasMeter(GAS)
    querier = proven.querier(gas)
    asked = stargate(proven.request())
    msg = json.dumps({"query_chain": {"request": base64.b64encode(asked).decode()}}).encode()
    result = vm.sudo(probe, ENV, msg, MemoryStorage(), GAS * GAS_MULTIPLIER, querier=querier)
    response = base64.b64decode(result.data_json()["response"])
    assert success(QueryAnswer(response)) and querier.asked == 1
    assert result.gas_used_externally == gas.consumed * GAS_MULTIPLIER > 0
    wrong = stargate(proven.request(value=b"forged"))
    msg = json.dumps({"query_chain": {"request": base64.b64encode(wrong).decode()}}).encode()
    result = vm.sudo(probe, ENV, msg, MemoryStorage(), GAS * GAS_MULTIPLIER, querier=querier)
    assert not success(QueryAnswer(base64.b64decode(result.data_json()["response"])))
