"""Host blocks: the mempool runs in order, each transaction on its own, with its gas limit;
results and events are recorded; heights and times move forward."""

from __future__ import annotations

import pytest

from relayer_sim.contracts import load_contract
from relayer_sim.host.app import HostApp
from relayer_sim.host.chain import MAX_TX_GAS, HostChain, Tx
from relayer_sim.host.errors import InvalidMessage
from relayer_sim.host.governance import GOV_AUTHORITY
from relayer_sim.host.messages import MsgStoreCode
from relayer_sim.vm import WasmVM

SECOND = 10**9


def test_a_block_runs_its_transactions_each_on_its_own(vm: WasmVM) -> None:
    chain = HostChain(HostApp(vm), "host-1")
    code = load_contract("sim-tendermint-v1")
    chain.submit(Tx(MsgStoreCode("cosmos1someone", code), 10_000_000))
    chain.submit(Tx(MsgStoreCode(GOV_AUTHORITY, code), 1_000))  # too little gas
    chain.submit(Tx(MsgStoreCode(GOV_AUTHORITY, code), 10_000_000))
    chain.submit(Tx(MsgStoreCode(GOV_AUTHORITY, code), 10_000_000))  # a duplicate
    block = chain.produce_block(5 * SECOND)
    assert (block.height, block.time_ns) == (1, 5 * SECOND)
    assert [record.event.attributes.get("error") for record in block.txs] == [
        "Unauthorized",
        "OutOfGas",
        None,
        "AlreadyExists",
    ]
    assert block.txs[1].result.gas_used == 1_000
    assert chain.mempool == []
    assert chain.next_block_time() == 10 * SECOND
    empty = chain.produce_block(6 * SECOND)
    assert empty.app_hash == block.app_hash and empty.height == 2
    assert chain.env().self_height.revision_number == 1
    with pytest.raises(InvalidMessage, match="not after"):
        chain.produce_block(6 * SECOND)
    with pytest.raises(InvalidMessage, match="gas limit"):
        chain.submit(Tx(MsgStoreCode(GOV_AUTHORITY, code), MAX_TX_GAS + 1))
