"""One failure contract at the transaction boundary: whatever a contract answers and whatever a
message carries, ``deliver`` returns a result whose error is a ``HostError``, and a failed
transaction leaves the state as it was. Contract answers are read as Go's ``json.Unmarshal``
reads them into 08-wasm's result structs (a missing field is its zero value, a wrong type is an
error); message fields are checked at the edge (``relayer_sim.host.validation``)."""

from __future__ import annotations

import pytest

from relayer_sim.counterparty import CounterpartyChain
from relayer_sim.counterparty.chain import SECOND
from relayer_sim.host import app as app_module
from relayer_sim.host.app import HostApp, HostConfig
from relayer_sim.host.chain import HostChain, Tx, TxRecord
from relayer_sim.host.clients import Status, UpdateOutcome
from relayer_sim.host.contract_api import ContractClient, UnexpectedResponse
from relayer_sim.host.errors import (
    ChannelNotFound,
    ClientStatusError,
    ContractFailure,
    HostError,
    InvalidMessage,
    InvalidPacket,
)
from relayer_sim.host.governance import GOV_AUTHORITY, GovParams, ProposalStatus
from relayer_sim.host.limits import QUERY_GAS_LIMIT
from relayer_sim.host.messages import (
    MsgMigrateContract,
    MsgRecoverClient,
    MsgRecvPacket,
    MsgRemoveChecksum,
    MsgSoftwareUpgrade,
    MsgStoreCode,
    MsgSubmitProposal,
    MsgUpdateClient,
    MsgVote,
)
from relayer_sim.host.validation import client_identifier, validate_packet
from relayer_sim.host.wasm_proxy import GAS_MULTIPLIER, SETUP_GAS
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.packets import Packet
from relayer_sim.lightclient.store import HostEnv
from relayer_sim.vm import WasmVM
from tests.host.scripted import query_answer, scripted_client, sudo_answer
from tests.host.test_app import GAS, RELAYER, Host, create_client, make_host, stored
from tests.lightclient.chains import advance, make_chain, soon_after

CLIENT = "08-wasm-0"
DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.fixture
def chain() -> CounterpartyChain:
    """Only the host's clock comes from it."""
    chain = make_chain()
    advance(chain, 1)
    return chain


def scripted_host(vm: WasmVM, chain: CounterpartyChain, **answers: bytes) -> Host:
    host = make_host(vm)
    scripted_client(host, soon_after(chain), answers)
    return host


# -- status answers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [b"{}", b"[]", b'"Active"', b'{"status":5}', b'{"status":"active"}', b"not json", DEEP],
    ids=["empty object", "array", "string", "number", "unknown name", "not JSON", "deep"],
)
def test_a_status_08_wasm_cannot_read_is_unknown(
    vm: WasmVM, chain: CounterpartyChain, answer: bytes
) -> None:
    host = scripted_host(vm, chain, query=query_answer(answer))
    assert host.app.query().clients.query_status(CLIENT, soon_after(chain)) == Status.UNKNOWN
    update = MsgUpdateClient(RELAYER, CLIENT, b"header")
    assert "with status Unknown" in host.expect(ClientStatusError, update, chain)


def test_an_off_chain_status_query_stops_at_the_smart_query_gas_cap(
    vm: WasmVM, chain: CounterpartyChain
) -> None:
    """No stored answer: the contract spins. Queried with an unlimited meter it would burn
    10^15 VM gas; the query's cap stops it, and the status is Unknown."""
    host = scripted_host(vm, chain)
    clients = host.app.query().clients
    assert clients.query_status(CLIENT, soon_after(chain)) == Status.UNKNOWN
    assert host.app.proxy.take_contract_gas() == (QUERY_GAS_LIMIT - SETUP_GAS) * GAS_MULTIPLIER


# -- answers of an update ------------------------------------------------------------------------

ACTIVE = b'{"status":"Active"}'


@pytest.mark.parametrize(
    "misbehaviour",
    [b'{"status":"Active","found_misbehaviour":"yes"}', b'{"status":"Active"}'],
    ids=["wrong type: an error, counted as none", "missing: false"],
)
def test_a_misbehaviour_answer_that_is_not_true_lets_the_update_run(
    vm: WasmVM, chain: CounterpartyChain, misbehaviour: bytes
) -> None:
    heights = b'{"heights":[{"revision_number":1,"revision_height":5}]}'
    host = scripted_host(vm, chain, query=query_answer(misbehaviour), sudo=sudo_answer(heights))
    outcome = host.ok(MsgUpdateClient(RELAYER, CLIENT, b"header"), chain)
    assert outcome == UpdateOutcome((Height(1, 5),), misbehaviour=False)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b'{"heights":5}', "heights must be list"),
        (b'{"heights":false}', "heights must be list"),
        (b'{"heights":[{"revision_height":-1}]}', "unsigned 64-bit"),
        (b'{"heights":[{"revision_height":18446744073709551616}]}', "unsigned 64-bit"),
        (b'{"heights":[{"revision_height":true}]}', "revision_height must be int"),
        (b'{"heights":[[1,2]]}', "must be a JSON object"),
        (b"[]", "must be a JSON object"),
        (b"\xff", "not valid JSON"),
        (DEEP, "nested deeper than 128"),
    ],
)
def test_an_update_answer_08_wasm_cannot_read_fails_the_transaction(
    vm: WasmVM, chain: CounterpartyChain, data: bytes, problem: str
) -> None:
    host = scripted_host(vm, chain, query=query_answer(ACTIVE), sudo=sudo_answer(data))
    assert problem in host.expect(ContractFailure, MsgUpdateClient(RELAYER, CLIENT, b"h"), chain)


def test_a_contract_error_that_is_no_utf_8_text_is_a_failure(
    vm: WasmVM, chain: CounterpartyChain
) -> None:
    """JSON's ``\\ud800`` escape is a lone surrogate in Python, which serde_json refuses: the
    envelope is broken, and its text never reaches an error or a trace."""
    lone = b'{"error":"refused \\ud800"}'
    host = scripted_host(vm, chain, query=query_answer(ACTIVE), sudo=lone)
    text = host.expect(ContractFailure, MsgUpdateClient(RELAYER, CLIENT, b"h"), chain)
    assert "not valid UTF-8" in text
    text.encode()


def test_a_malformed_message_has_no_subject_in_its_record(
    vm: WasmVM, chain: CounterpartyChain
) -> None:
    """The record of a refused message names its type and error, and nothing of its fields a
    trace could not hold."""
    host = make_host(vm)
    for msg in (BAD_MESSAGES["a packet that is a dict"], BAD_MESSAGES["sequence of 2^64"]):
        result = host.deliver(msg, chain)  # type: ignore[arg-type]
        event = TxRecord(Tx(msg, GAS), result).event  # type: ignore[arg-type]
        assert set(event.attributes) == {
            "message", "ok", "gas_used", "contract_gas", "error", "reason"
        }  # fmt: skip
    valid = MsgRecvPacket(RELAYER, PACKET, b"p", Height(1, 1))
    event = TxRecord(Tx(valid, GAS), host.deliver(valid, chain)).event
    subject = (event.attributes["port"], event.attributes["channel"], event.attributes["sequence"])
    assert subject == ("transfer", "channel-0", 1)


def test_missing_heights_are_none(vm: WasmVM, chain: CounterpartyChain) -> None:
    host = scripted_host(vm, chain, query=query_answer(ACTIVE), sudo=sudo_answer(b"{}"))
    assert host.ok(MsgUpdateClient(RELAYER, CLIENT, b"h"), chain) == UpdateOutcome((), False)


# -- answers of the other queries ----------------------------------------------------------------


def contract_answering(vm: WasmVM, chain: CounterpartyChain, answer: bytes) -> ContractClient:
    host = scripted_host(vm, chain, query=query_answer(answer))
    clients = host.app.query().clients
    checksum = clients.client_state(CLIENT).checksum
    return ContractClient(vm, checksum, clients.client_store(CLIENT), address=CLIENT)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [(b'{"timestamp":7}', 7), (b"{}", 0)],
)
def test_timestamp_answers(
    vm: WasmVM, chain: CounterpartyChain, answer: bytes, expected: int
) -> None:
    contract = contract_answering(vm, chain, answer)
    assert contract.timestamp_at_height(Height(1, 1), soon_after(chain)) == expected


@pytest.mark.parametrize(
    "answer", [b'{"timestamp":-1}', b'{"timestamp":"7"}', b'{"timestamp":1.5}', b"[]"]
)
def test_unreadable_timestamps(vm: WasmVM, chain: CounterpartyChain, answer: bytes) -> None:
    contract = contract_answering(vm, chain, answer)
    with pytest.raises(UnexpectedResponse):
        contract.timestamp_at_height(Height(1, 1), soon_after(chain))


def test_metadata_answers(vm: WasmVM, chain: CounterpartyChain) -> None:
    """Go reads a missing ``genesis_metadata`` as an empty list."""
    env = soon_after(chain)
    assert contract_answering(vm, chain, b"{}").export_metadata(env) == []
    entries = b'{"genesis_metadata":[{"key":"AQ==","value":"Ag=="}]}'
    assert contract_answering(vm, chain, entries).export_metadata(env) == [(b"\x01", b"\x02")]
    for bad in (b"{}", b"[1]", b'[{"key":"%"}]', '[{"key":"é"}]'.encode()):
        bad = b'{"genesis_metadata":' + bad + b"}"
        with pytest.raises(UnexpectedResponse):
            contract_answering(vm, chain, bad).export_metadata(env)


# -- messages ------------------------------------------------------------------------------------

STORE = MsgStoreCode(GOV_AUTHORITY, b"code")
PACKET = Packet(1, "transfer", "channel-0", "transfer", "channel-0", b"data", Height(0, 0), 5)
CHECKSUM = bytes(32)


def packet(**fields: object) -> MsgRecvPacket:
    values = {**PACKET.__dict__, **fields}
    return MsgRecvPacket(RELAYER, Packet(**values), b"proof", Height(1, 1))


BAD_MESSAGES: dict[str, object] = {
    "lone surrogate in a client id": MsgUpdateClient(RELAYER, "08-wasm-\ud800", b"h"),
    "lone surrogate in a port": packet(destination_port="tr\udc00nsfer"),
    "lone surrogate in a signer": MsgUpdateClient("\ud800", CLIENT, b"h"),
    "timeout of 2^64": packet(timeout_timestamp_ns=2**64),
    "timeout height of 2^64": packet(timeout_height=Height(1, 2**64)),
    "sequence of 2^64": packet(sequence=2**64),
    "sequence of 0": packet(sequence=0),
    "negative sequence": packet(sequence=-1),
    "sequence of 10^5000": packet(sequence=10**5000),
    "sequence as text": packet(sequence="1"),
    "boolean sequence": packet(sequence=True),
    "data as text": packet(data="data"),
    "a packet that is a dict": MsgRecvPacket(RELAYER, {}, b"p", Height(1, 1)),  # type: ignore[arg-type]
    "proof height as a tuple": MsgRecvPacket(RELAYER, PACKET, b"p", (1, 1)),  # type: ignore[arg-type]
    "client id too short": MsgUpdateClient(RELAYER, "08-wasm", b"h"),
    "client id too long": MsgUpdateClient(RELAYER, "c" * 65, b"h"),
    "client id with a slash": MsgUpdateClient(RELAYER, "08-wasm/0", b"h"),
    "client id with a space": MsgUpdateClient(RELAYER, "08-wasm 0", b"h"),
    "client id with a newline": MsgUpdateClient(RELAYER, "08-wasm-0\n", b"h"),
    "client id as bytes": MsgUpdateClient(RELAYER, b"08-wasm-0", b"h"),  # type: ignore[arg-type]
    "port of one character": packet(source_port="t"),
    "channel of seven characters": packet(source_channel="channel"),
    "client message as a list": MsgUpdateClient(RELAYER, CLIENT, [1]),  # type: ignore[arg-type]
    "empty signer": MsgUpdateClient("", CLIENT, b"h"),
    "short checksum": MsgRemoveChecksum(GOV_AUTHORITY, b"\x01"),
    "checksum as text": MsgMigrateContract(GOV_AUTHORITY, CLIENT, "00" * 32, b"{}"),  # type: ignore[arg-type]
    "upgrade height past int64": MsgSoftwareUpgrade(GOV_AUTHORITY, "up", 2**63, "v2"),
    "binary as a list": MsgSoftwareUpgrade(GOV_AUTHORITY, "up", 5, ["v2"]),  # type: ignore[arg-type]
    "proposal id of -1": MsgVote("val", -1, "Yes"),
    "proposal id as text": MsgVote("val", "1", "Yes"),  # type: ignore[arg-type]
    "vote option as a number": MsgVote("val", 1, 1),  # type: ignore[arg-type]
    "recovery of a bad id": MsgRecoverClient(GOV_AUTHORITY, CLIENT, "x"),
    "title with a lone surrogate": MsgSubmitProposal("val", "\ud800", (STORE,)),
    "proposal messages as a list": MsgSubmitProposal("val", "t", [STORE]),  # type: ignore[arg-type]
    "a proposal in a proposal": MsgSubmitProposal("val", "t", (MsgSubmitProposal("v", "t", ()),)),
    "a proposal of a bad message": MsgSubmitProposal("val", "t", (MsgVote("val", -1, "Yes"),)),
    "a proposal of a non-message": MsgSubmitProposal("val", "t", (42,)),  # type: ignore[arg-type]
    "not a message at all": 42,
}


#: The refusals ibc-go gives a kind of their own; the rest are ``InvalidMessage``.
IBC_KINDS: dict[str, type[HostError]] = {"sequence of 0": InvalidPacket}


@pytest.mark.parametrize(("name", "msg"), BAD_MESSAGES.items(), ids=BAD_MESSAGES.keys())
def test_a_message_out_of_its_domain_is_invalid(
    vm: WasmVM, chain: CounterpartyChain, name: str, msg: object
) -> None:
    host = scripted_host(vm, chain, query=query_answer(ACTIVE))
    host.expect(IBC_KINDS.get(name, InvalidMessage), msg, chain)  # type: ignore[arg-type]


def test_governance_checks_a_stored_message_before_it_runs(vm: WasmVM) -> None:
    """A passed proposal's messages are checked as a transaction's are: one that is out of its
    domain fails the proposal and the block goes on."""
    chain = make_chain()
    advance(chain, 1)
    config = HostConfig(validators={"val": 1}, gov=GovParams(voting_period_ns=SECOND))
    app = HostApp(vm, config)
    env = soon_after(chain)
    bad = MsgRemoveChecksum(GOV_AUTHORITY, b"\x01")
    proposal = app.keepers(app.state).gov.submit("val", "skips the edge", (bad,), env.time_ns)
    assert app.deliver(MsgVote("val", proposal, "Yes"), env, None).ok
    later = HostEnv(env.height + 1, env.time_ns + SECOND, env.chain_id)
    [outcome] = app.end_block(later)
    assert outcome.status is ProposalStatus.FAILED
    assert outcome.error is not None and "checksum: expected length of 32 bytes" in outcome.error


@pytest.mark.parametrize(
    ("identifier", "valid"),
    [
        ("08-wasm-0", True),
        ("a" * 9, True),
        ("a" * 64, True),
        ("a.b_c+d-e#f[g]<h>", True),
        ("a" * 8, False),
        ("a" * 65, False),
        ("08-wasm-é", False),
        ("         ", False),
        ("08-wasm-0/", False),
    ],
)
def test_client_identifiers_follow_ics_24(identifier: str, valid: bool) -> None:
    if valid:
        assert client_identifier(identifier) == identifier
    else:
        with pytest.raises(InvalidMessage):
            client_identifier(identifier)


def test_ports_and_channels_follow_ics_24() -> None:
    edge = Packet(1, "ab", "channel-", "p" * 128, "c" * 64, b"x", Height(0, 1))
    assert validate_packet(edge) is edge
    for fields in ({"source_port": "p" * 129}, {"destination_channel": "c" * 65}):
        with pytest.raises(InvalidMessage):
            validate_packet(Packet(**{**PACKET.__dict__, **fields}))


def test_queries_refuse_bad_identifiers_with_a_host_error(
    vm: WasmVM, chain: CounterpartyChain
) -> None:
    host = make_host(vm)
    query = host.app.query()
    with pytest.raises(InvalidMessage):
        query.clients.query_status("08-wasm-\ud800", soon_after(chain))
    with pytest.raises(InvalidMessage):
        query.packets.received(Packet(2**64, "transfer", "channel-0", "transfer", "c", b"x"))


def test_messages_in_their_domain_still_pass(vm: WasmVM, chain: CounterpartyChain) -> None:
    """The edge refuses only what is out of domain: extreme but valid values go on to the
    keepers, which refuse them by their own rules."""
    host = scripted_host(vm, chain, query=query_answer(ACTIVE), sudo=sudo_answer(None))
    edge = packet(sequence=2**64 - 1, timeout_timestamp_ns=2**64 - 1, data=b"\0")
    assert "channel not found" in host.expect(ChannelNotFound, edge, chain)


def test_a_passed_proposal_cannot_run_a_contract_for_ever(
    vm: WasmVM, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each message of a passed proposal runs under ``PROPOSAL_MESSAGE_GAS`` (lowered here, so
    that the spin is short): a ``migrate`` that never returns fails the proposal out of gas,
    and the block is made."""
    monkeypatch.setattr(app_module, "PROPOSAL_MESSAGE_GAS", 100_000)
    chain = make_chain()
    advance(chain, 4)
    config = HostConfig(validators={"val": 1}, gov=GovParams(voting_period_ns=SECOND))
    host = Host(HostApp(vm, config))
    client_id = create_client(host, chain, stored(host, chain, "sim-tendermint-v1"))
    probe = stored(host, chain, "probe")
    spin = MsgMigrateContract(GOV_AUTHORITY, client_id, probe, b'{"loop":{}}')
    proposal = host.ok(MsgSubmitProposal("val", "spin", (spin,)), chain)
    assert isinstance(proposal, int)
    host.ok(MsgVote("val", proposal, "Yes"), chain)
    blocks = HostChain(host.app, "host-1", genesis_time_ns=soon_after(chain).time_ns)
    [outcome] = blocks.produce_block(blocks.next_block_time()).proposals  # voting has ended
    assert outcome.status is ProposalStatus.FAILED
    assert outcome.error is not None and "out of gas" in outcome.error
    assert host.app.query().clients.client_state(client_id).checksum != probe


@pytest.mark.parametrize(
    "limit",
    [-1, -(10**5000), 1.5, "10**6", 2.0**70],
    ids=["negative", "hugely negative", "float", "text", "huge float"],
)
def test_a_gas_limit_that_is_no_amount_of_gas_fails_the_transaction(
    vm: WasmVM, chain: CounterpartyChain, limit: object
) -> None:
    host = make_host(vm)
    result = host.app.deliver(MsgUpdateClient(RELAYER, CLIENT, b"h"), soon_after(chain), limit)  # type: ignore[arg-type]
    assert isinstance(result.error, InvalidMessage) and result.gas_used == 0
