"""Blocks, governance and durability: code stored by a passed proposal, a failed proposal
leaving nothing behind, and a host stopped between blocks and restarted from its log with the
same app hash and working clients."""

from __future__ import annotations

import hashlib
from pathlib import Path

from relayer_sim.contracts import load_contract
from relayer_sim.counterparty import CounterpartyChain
from relayer_sim.host.app import HostApp, HostConfig
from relayer_sim.host.clients import Status
from relayer_sim.host.durability import BlockLog
from relayer_sim.host.errors import Unauthorized
from relayer_sim.host.governance import GOV_AUTHORITY, GovParams, ProposalStatus
from relayer_sim.host.messages import MsgStoreCode, MsgSubmitProposal, MsgUpdateClient, MsgVote
from relayer_sim.host.store import GasMeter
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.store import HostEnv
from relayer_sim.vm import WasmVM
from tests.host.test_app import RELAYER, Host, create_client, stored
from tests.lightclient.chains import HOST_CHAIN_ID, SECOND, advance, make_chain

VALIDATORS = {"val-a": 60, "val-b": 30, "val-c": 10}
CONFIG = HostConfig(gov=GovParams(voting_period_ns=60 * SECOND), validators=VALIDATORS)


def at(chain: CounterpartyChain, seconds_later: int, height: int = 100) -> HostEnv:
    return HostEnv(height, chain.latest_time_ns + seconds_later * SECOND, HOST_CHAIN_ID)


def test_code_is_stored_by_a_passed_proposal(vm: WasmVM) -> None:
    chain = make_chain()
    advance(chain, 2)
    host = Host(HostApp(vm, CONFIG))
    code = load_contract("sim-tendermint-v2")
    signed_by_relayer = MsgSubmitProposal(RELAYER, "v2", (MsgStoreCode(RELAYER, code),))
    refused = host.app.deliver(signed_by_relayer, at(chain, 1), None)
    assert isinstance(refused.error, Unauthorized)
    proposal = MsgSubmitProposal(RELAYER, "store v2", (MsgStoreCode(GOV_AUTHORITY, code),))
    submitted = host.app.deliver(proposal, at(chain, 1), None)
    assert submitted.ok and submitted.result == 1
    for voter, option in (("val-a", "Yes"), ("val-b", "No"), ("val-c", "Yes")):
        assert host.app.deliver(MsgVote(voter, 1, option), at(chain, 2), None).ok
    assert host.app.end_block(at(chain, 30)) == []  # still voting
    [outcome] = host.app.end_block(at(chain, 61))
    assert outcome.status is ProposalStatus.PASSED, outcome
    codes = host.app.query().codes
    assert list(codes.checksums()) == [hashlib.sha256(code).digest()]
    # The same code again: the proposal passes the vote but fails to execute, changing nothing.
    before = host.items()
    assert host.app.deliver(proposal, at(chain, 62), None).result == 2
    assert host.app.deliver(MsgVote("val-a", 2, "Yes"), at(chain, 63), None).ok
    [failed] = host.app.end_block(at(chain, 130))
    assert failed.status is ProposalStatus.FAILED and "already exists" in (failed.error or "")
    assert {k: v for k, v in host.items().items() if not k.startswith(b"gov/")} == {
        k: v for k, v in before.items() if not k.startswith(b"gov/")
    }


def test_a_restarted_host_loses_no_committed_block(
    vm: WasmVM, tmp_path: Path, cache_dir: Path
) -> None:
    chain = make_chain()
    advance(chain, 6)
    host = Host(HostApp(vm, CONFIG, log=BlockLog(tmp_path)))
    client_id = create_client(host, chain, stored(host, chain, "sim-tendermint-v1"))
    hashes = [host.app.commit()]
    host.app.compact()  # a snapshot, then the log goes on from it
    header = chain.header_message(Height(1, 4), Height(1, 1)).to_bytes()
    assert host.app.deliver(MsgUpdateClient(RELAYER, client_id, header), at(chain, 1), None).ok
    hashes.append(host.app.commit())
    # A transaction in a block that is never committed: lost with the stop, as it should be.
    later = chain.header_message(Height(1, 6), Height(1, 4)).to_bytes()
    assert host.app.deliver(MsgUpdateClient(RELAYER, client_id, later), at(chain, 2), None).ok

    fresh_vm = WasmVM(cache_directory=cache_dir)  # the restarted process has no code loaded
    restarted = Host(HostApp.restore(fresh_vm, tmp_path, CONFIG))
    assert restarted.app.height == 2
    assert restarted.app.commit() == hashes[-1]  # an empty block changes nothing
    clients = restarted.app.query().clients
    assert clients.latest_height(client_id) == Height(1, 4)
    assert clients.status(client_id, at(chain, 3), GasMeter(None)) == Status.ACTIVE
    result = restarted.app.deliver(MsgUpdateClient(RELAYER, client_id, later), at(chain, 3), None)
    assert result.ok, result.error
    assert clients.latest_height(client_id) == Height(1, 6)
