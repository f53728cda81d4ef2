"""Gas and wall time of a client update through the sim-tendermint contracts; JSON out.

For validator sets of 4, 16, 64 and 150 equal-power validators, one run measures:
- an adjacent and a skipping update (``verify_client_message`` + ``check_for_misbehaviour`` +
  ``update_state``, what 02-client runs for ``MsgUpdateClient``) through ``WasmVM`` and the
  built contract: CosmWasm gas, SDK gas (140_000 CosmWasm gas per SDK gas, plus 2_000 setup per
  call) and the median wall time;
- the floor: verifying the same signatures the contract needs (more than 2/3 of the set, in set
  order; a skipping update also checks its trust level) directly with libsodium (PyNaCl) for
  ``tm-ed25519`` and libsecp256k1 (coincurve) for ``tm-secp256k1``;
- the Python reference doing the same update (the native client of the hard-fork baseline).

Usage: ``python benchmarks/lightclient.py [--repeat N] [--sizes 4,16] [--out FILE]`` (default
out: ``benchmarks/results/lightclient.json``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from measure import RESULTS, median_seconds, write_results

from relayer_sim.contracts import load_contract
from relayer_sim.counterparty import ChainConfig, CounterpartyChain, ValidatorSpec
from relayer_sim.counterparty.chain import SECOND, Block
from relayer_sim.host.contract_api import ContractClient
from relayer_sim.lightclient.client import V1, V2, LightClient, Profile
from relayer_sim.lightclient.headers import HeaderMessage, Height
from relayer_sim.lightclient.schemes import SCHEMES
from relayer_sim.lightclient.store import HostEnv
from relayer_sim.vm import MemoryStorage, WasmVM

SIZES = (4, 16, 64, 150)
CASES = (("tm-ed25519", V1), ("tm-secp256k1", V2))
SDK_GAS_MULTIPLIER = 140_000
SDK_SETUP_GAS = 2_000
CALLS_PER_UPDATE = 3


def build_chain(size: int, consensus: str) -> CounterpartyChain:
    validators = tuple(ValidatorSpec(f"val{i:03}", 10) for i in range(size))
    chain = CounterpartyChain(
        ChainConfig(name="bench", validators=validators, consensus=consensus, seed=b"bench")
    )
    for _ in range(3):
        block = chain.produce_block(chain.next_block_time())
        assert isinstance(block, Block)
    return chain


def genesis(chain: CounterpartyChain, profile: Profile) -> tuple[bytes, bytes]:
    client, consensus = chain.client_states(
        Height(1, 1), 48 * 3600 * SECOND, 10 * SECOND, format=profile.format
    )
    return client.encode(), consensus.encode()


def needed_signatures(message: HeaderMessage, skipping: bool) -> list[tuple[bytes, bytes]]:
    """(public key, signature) pairs the rules verify: the prefix of the set whose power first
    exceeds 2/3 (all validators have equal power), plus the trust-level prefix when skipping."""
    signed = message.signed
    validators = signed.validator_set.validators
    pairs = list(zip(validators, signed.commit.signatures, strict=True))
    total = len(validators)
    quorum = [(v.public_key, s) for v, s in pairs[: total * 2 // 3 + 1] if s is not None]
    trust = [(v.public_key, s) for v, s in pairs[: total // 3 + 1] if s is not None]
    return quorum + (trust if skipping else [])


def signature_floor(message: HeaderMessage, skipping: bool) -> Callable[[], None]:
    scheme = SCHEMES[message.signed.validator_set.scheme]
    vote = message.signed.header.vote_bytes()
    pairs = needed_signatures(message, skipping)

    def verify_all() -> None:
        for key, signature in pairs:
            assert scheme.verify(key, vote, signature)

    return verify_all


def copy_of(storage: MemoryStorage) -> MemoryStorage:
    return MemoryStorage(dict(storage.scan(None, None, True)))


def measure_update(
    vm: WasmVM,
    checksum: bytes,
    profile: Profile,
    created: MemoryStorage,
    message: HeaderMessage,
    skipping: bool,
    env: HostEnv,
    repeat: int,
) -> dict[str, object]:
    """One update (verify, check for misbehaviour, update) from the freshly created client."""
    data = message.to_bytes()

    def contract_update() -> int:
        client = ContractClient(vm, checksum, copy_of(created))
        client.verify_client_message(data, env)
        gas = client.last_gas
        assert not client.check_for_misbehaviour(data, env)
        gas += client.last_gas
        client.update_state(data, env)
        return gas + client.last_gas

    def reference_update() -> None:
        client = LightClient(copy_of(created), profile)
        client.verify_client_message(data, env)
        client.check_for_misbehaviour(data, env)
        client.update_state(data, env)

    gas = contract_update()
    contract_time = median_seconds(contract_update, repeat)
    floor_time = median_seconds(signature_floor(message, skipping), repeat)
    reference_time = median_seconds(reference_update, repeat)
    return {
        "cosmwasm_gas": gas,
        "sdk_gas": gas // SDK_GAS_MULTIPLIER + CALLS_PER_UPDATE * SDK_SETUP_GAS,
        "signatures_verified": len(needed_signatures(message, skipping)),
        "contract_ms": round(contract_time * 1e3, 3),
        "signatures_only_ms": round(floor_time * 1e3, 3),
        "contract_over_signatures_ratio": round(contract_time / floor_time, 2),
        "python_reference_ms": round(reference_time * 1e3, 3),
        "message_bytes": len(data),
    }


def measure_case(
    vm: WasmVM, checksum: bytes, size: int, consensus: str, profile: Profile, repeat: int
) -> dict[str, object]:
    chain = build_chain(size, consensus)
    env = HostEnv(height=100, time_ns=chain.latest_time_ns + SECOND, chain_id="host-1")
    client_state, consensus_state = genesis(chain, profile)
    created = MemoryStorage()
    ContractClient(vm, checksum, created).instantiate(client_state, consensus_state, checksum, env)
    figures: dict[str, object] = {
        "validators": size,
        "consensus": consensus,
        "contract": profile.name,
    }
    for label, target, skipping in (("adjacent", 2, False), ("skipping", 3, True)):
        message = chain.header_message(Height(1, target), Height(1, 1))
        figures[label] = measure_update(
            vm, checksum, profile, created, message, skipping, env, repeat
        )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="timed runs per measurement")
    parser.add_argument(
        "--sizes", default=",".join(map(str, SIZES)), help="validator set sizes, comma-separated"
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "lightclient.json")
    args = parser.parse_args()
    vm = WasmVM(disk_cache=False)
    checksums = {profile.name: vm.store_code(load_contract(profile.name)) for _, profile in CASES}
    results = [
        measure_case(vm, checksums[profile.name], size, consensus, profile, args.repeat)
        for consensus, profile in CASES
        for size in (int(s) for s in args.sizes.split(","))
    ]
    write_results({"repeat": args.repeat, "updates": results}, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
