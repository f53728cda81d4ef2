"""SDK gas and contract (CosmWasm) gas per host message type; JSON out.

One scripted run through ``HostApp`` with the real contracts: store both sim-tendermint codes,
create a client, update it (adjacent and skipping), migrate it v1 → v2, update it across the
consensus switch, recover a frozen client, and remove a checksum. Gas is deterministic, so one
run gives exact figures; the counterparty has 4 validators.

Usage: ``python benchmarks/host_gas.py [--out FILE]`` (default
``benchmarks/results/host_gas.json``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from measure import RESULTS, write_results

from relayer_sim.contracts import load_contract
from relayer_sim.counterparty import ChainConfig, Coalition, CounterpartyChain, ValidatorSpec
from relayer_sim.counterparty.chain import SECOND, Block
from relayer_sim.counterparty.wire import ClientParams
from relayer_sim.host.app import HostApp, TxResult
from relayer_sim.host.governance import GOV_AUTHORITY
from relayer_sim.host.messages import (
    Msg,
    MsgCreateClient,
    MsgMigrateContract,
    MsgRecoverClient,
    MsgRemoveChecksum,
    MsgStoreCode,
    MsgUpdateClient,
)
from relayer_sim.lightclient.headers import HeaderMessage, Height, Misbehaviour
from relayer_sim.lightclient.states import DEFAULT_TRUST_LEVEL
from relayer_sim.lightclient.store import HostEnv
from relayer_sim.lightclient.wasm_wrappers import WasmClientState, WasmConsensusState
from relayer_sim.vm import WasmVM

RELAYER = "cosmos1relayer"
PARAMS = ClientParams(48 * 3600 * SECOND, 10 * SECOND, DEFAULT_TRUST_LEVEL)
VALIDATORS = tuple(
    ValidatorSpec(name, power)
    for name, power in (("alice", 40), ("bob", 30), ("carol", 20), ("dave", 10))
)


def produce(chain: CounterpartyChain, blocks: int) -> None:
    for _ in range(blocks):
        assert isinstance(chain.produce_block(chain.next_block_time()), Block)


def client_states(chain: CounterpartyChain, checksum: bytes) -> MsgCreateClient:
    client, consensus = chain.client_states(Height(1, 1), PARAMS)
    return MsgCreateClient(
        RELAYER,
        WasmClientState(client, checksum, Height(1, 1)).encode(),
        WasmConsensusState(consensus).encode(),
    )


def measure() -> dict[str, dict[str, int]]:
    chain = CounterpartyChain(ChainConfig(name="bench", validators=VALIDATORS, seed=b"gas"))
    produce(chain, 2)
    chain.schedule_consensus_switch(Height(1, 6), "tm-secp256k1")
    produce(chain, 6)
    app = HostApp(WasmVM())
    env = HostEnv(100, chain.latest_time_ns + SECOND, "host-1")
    figures: dict[str, dict[str, int]] = {}

    def run(label: str, msg: Msg) -> TxResult:
        result = app.deliver(msg, env, None)
        if not result.ok:
            raise SystemExit(f"{label} failed: {result.error}")
        figures[label] = {"sdk_gas": result.gas_used, "contract_gas": result.contract_gas}
        return result

    v1_code = load_contract("sim-tendermint-v1")
    v1 = run(f"MsgStoreCode (v1, {len(v1_code) // 1000} kB)", MsgStoreCode(GOV_AUTHORITY, v1_code))
    v2 = run("MsgStoreCode (v2)", MsgStoreCode(GOV_AUTHORITY, load_contract("sim-tendermint-v2")))
    assert isinstance(v1.result, bytes) and isinstance(v2.result, bytes)
    client_id = run("MsgCreateClient", client_states(chain, v1.result)).result
    subject = run("MsgCreateClient (second)", client_states(chain, v1.result)).result
    assert isinstance(client_id, str) and isinstance(subject, str)
    adjacent = chain.header_message(Height(1, 2), Height(1, 1)).to_bytes()
    run("MsgUpdateClient (adjacent, ed25519)", MsgUpdateClient(RELAYER, client_id, adjacent))
    skipping = chain.header_message(Height(1, 5), Height(1, 2)).to_bytes()
    run("MsgUpdateClient (skipping, ed25519)", MsgUpdateClient(RELAYER, client_id, skipping))
    run(
        "MsgMigrateContract (v1 -> v2)",
        MsgMigrateContract(GOV_AUTHORITY, client_id, v2.result, b"{}"),
    )
    switch = chain.header_message(Height(1, 6), Height(1, 5)).to_bytes()
    run("MsgUpdateClient (adjacent, secp256k1)", MsgUpdateClient(RELAYER, client_id, switch))
    forged = Coalition.of(["alice", "bob", "carol"]).equivocation(chain, Height(1, 3))
    evidence = Misbehaviour(
        HeaderMessage(forged, Height(1, 1), chain.trusted_validators(Height(1, 1))),
        chain.header_message(Height(1, 3), Height(1, 1)),
    ).to_bytes()
    run("MsgUpdateClient (misbehaviour: freeze)", MsgUpdateClient(RELAYER, subject, evidence))
    substitute = run("MsgCreateClient (substitute)", client_states(chain, v1.result)).result
    assert isinstance(substitute, str)
    update = chain.header_message(Height(1, 5), Height(1, 1)).to_bytes()
    run("MsgUpdateClient (substitute)", MsgUpdateClient(RELAYER, substitute, update))
    run("MsgRecoverClient", MsgRecoverClient(GOV_AUTHORITY, subject, substitute))
    run("MsgRemoveChecksum", MsgRemoveChecksum(GOV_AUTHORITY, v1.result))
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=RESULTS / "host_gas.json")
    args = parser.parse_args()
    figures = measure()
    write_results({"messages": figures}, args.out)
    for label, gas in figures.items():
        print(f"{label:<42} {gas['sdk_gas']:>10,} SDK gas  {gas['contract_gas']:>16,} CosmWasm gas")
    return 0


if __name__ == "__main__":
    sys.exit(main())
