"""Gas and wall time of a client update through the built light-client contracts; JSON out.

For validator sets of 4, 16, 64 and 150 equal-power validators, in each wire format the
counterparty can speak (``sim-tendermint``: our msgpack, read by ``sim-tendermint-v1/v2``;
``tendermint``: CometBFT / ibc-go protobuf, read by ``tendermint-v1/v2``), and for each consensus
(``tm-ed25519`` through the v1 contract, ``tm-secp256k1`` through the v2 one), one run measures:

- an adjacent and a skipping update (``verify_client_message`` + ``check_for_misbehaviour`` +
  ``update_state``, what 02-client runs for ``MsgUpdateClient``) through ``WasmVM`` and the
  built contract: CosmWasm gas, SDK gas (140_000 CosmWasm gas per SDK gas, plus 2_000 setup per
  call) and the median wall time;
- the floor: verifying, directly with libsodium (PyNaCl) for ed25519 and libsecp256k1
  (coincurve, over sha256 of the sign bytes) for secp256k1, exactly the signatures the contract
  verifies, and its time ratio to the contract's;
- the Python reference doing the same update (``LightClient`` / ``TendermintClient``);
- in the tendermint format, the ratio of its CosmWasm gas to sim-tendermint's for the same size,
  consensus and update.

Which signatures the floor verifies: both formats follow CometBFT v0.38's light rules
(``relayer_sim.lightclient.verify`` and ``relayer_sim.ics07.verify`` / ``contracts/tendermint/
light.zig``): walk the commit in its order (sim-tendermint: the set's order; tendermint:
CometBFT's order of the set, by power then address), count the signed votes and stop as soon as
their power exceeds the power needed (2/3 of the set for the commit; the trust level, 1/3 here,
of the trusted set for a skipping update, which verifies that prefix first, so a skipping update
verifies the overlap twice). In the tendermint format an ed25519 commit is batch-verified, but
as ``VerifyCommitLight`` batch-verifies (``countAllSignatures`` false): only the signatures
gathered up to the threshold, not every signature of the set (that is ``VerifyCommit``, which
light clients do not run); the contract hands that batch to the host's ``ed25519_batch_verify``,
which checks its signatures one by one, as the floor does. The tendermint format signs one
``CanonicalVote`` per validator (its own timestamp), so each signature has its own sign bytes;
those are built before timing, the floor times only the verification. The sets never change
here, so the trusted set of a skipping update is the set that signed.

Usage: ``python benchmarks/lightclient.py [--repeat N] [--sizes 4,16] [--formats tendermint]
[--out FILE]`` (default: every size and format, out ``benchmarks/results/lightclient.json``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from measure import RESULTS, median_seconds, write_results

from relayer_sim.contracts import load_contract
from relayer_sim.counterparty import ChainConfig, CounterpartyChain, ValidatorSpec
from relayer_sim.counterparty.chain import SECOND, Block
from relayer_sim.counterparty.wire import WIRE_FORMATS, ClientParams
from relayer_sim.counterparty.wire.tendermint import NativeBlock
from relayer_sim.formats.cometbft import commit_vote_sign_bytes, key_bytes
from relayer_sim.formats.proto.tendermint.types import validator_pb2
from relayer_sim.host.contract_api import ContractClient
from relayer_sim.ics07.client import TENDERMINT_V1, TENDERMINT_V2, TendermintClient
from relayer_sim.lightclient.client import V1, V2, LightClient
from relayer_sim.lightclient.headers import HeaderMessage, Height
from relayer_sim.lightclient.schemes import SCHEMES
from relayer_sim.lightclient.states import DEFAULT_TRUST_LEVEL, TrustLevel
from relayer_sim.lightclient.store import ClientStore, HostEnv
from relayer_sim.vm import MemoryStorage, WasmVM

SIZES = (4, 16, 64, 150)
SDK_GAS_MULTIPLIER = 140_000
SDK_SETUP_GAS = 2_000
CALLS_PER_UPDATE = 3
PARAMS = ClientParams(48 * 3600 * SECOND, 10 * SECOND, DEFAULT_TRUST_LEVEL)
#: The format whose gas the others are compared with.
BASELINE_FORMAT = "sim-tendermint"
#: The updates measured: label, target height (revision 1), and whether it skips (all trust 1-1).
UPDATES = (("adjacent", 2, False), ("skipping", 3, True))


class Reference(Protocol):
    """What the Python references share with the contracts for an update."""

    def verify_client_message(self, client_message: bytes, env: HostEnv) -> None: ...

    def check_for_misbehaviour(self, client_message: bytes, env: HostEnv) -> bool: ...

    def update_state(self, client_message: bytes, env: HostEnv) -> list[Height]: ...


@dataclass(frozen=True)
class Case:
    """A wire format and consensus, the contract that reads them and its Python reference."""

    format: str
    consensus: str
    contract: str
    reference: Callable[[ClientStore], Reference]
    #: The sim-tendermint state format the client is created with (tendermint has one).
    state_format: int = 1


CASES = (
    Case("sim-tendermint", "tm-ed25519", V1.name, lambda s: LightClient(s, V1), V1.format),
    Case("sim-tendermint", "tm-secp256k1", V2.name, lambda s: LightClient(s, V2), V2.format),
    Case(
        "tendermint", "tm-ed25519", TENDERMINT_V1.name, lambda s: TendermintClient(s, TENDERMINT_V1)
    ),
    Case(
        "tendermint",
        "tm-secp256k1",
        TENDERMINT_V2.name,
        lambda s: TendermintClient(s, TENDERMINT_V2),
    ),
)


@dataclass(frozen=True)
class Vote:
    """One entry of a commit, as the light rules walk it."""

    scheme: str
    public_key: bytes
    power: int
    sign_bytes: bytes
    #: None when the validator did not sign (commit).
    signature: bytes | None


def build_chain(size: int, case: Case) -> CounterpartyChain:
    validators = tuple(ValidatorSpec(f"val{i:03}", 10) for i in range(size))
    config = ChainConfig(
        name="bench",
        validators=validators,
        consensus=case.consensus,
        seed=b"bench",
        format=case.format,
    )
    chain = CounterpartyChain(config)
    for _ in range(3):
        assert isinstance(chain.produce_block(chain.next_block_time()), Block)
    return chain


def client_states(chain: CounterpartyChain, case: Case) -> tuple[bytes, bytes]:
    """The client and consensus state ``data`` of a client of ``chain`` trusting height 1-1."""
    return chain.client_states(Height(1, 1), replace(PARAMS, state_format=case.state_format))


def votes(message: HeaderMessage) -> list[Vote]:
    """The commit of ``message`` in the order the light rules walk it, whatever its format."""
    signed = message.signed
    assert message.trusted_validators == signed.validator_set, "trusted set is the signing set"
    if isinstance(signed.native, NativeBlock):  # tendermint: CometBFT's order, one vote each
        commit, chain_id = signed.native.signed.commit, signed.native.signed.header.chain_id
        found = []
        for index, (validator, sig) in enumerate(
            zip(signed.native.validators.validators, commit.signatures, strict=True)
        ):
            scheme, key = key_bytes(validator.pub_key)
            committed = sig.block_id_flag == validator_pb2.BLOCK_ID_FLAG_COMMIT
            sign_bytes = commit_vote_sign_bytes(chain_id, commit, index)
            signature = bytes(sig.signature) if committed else None
            found.append(Vote(scheme, key, validator.voting_power, sign_bytes, signature))
        return found
    validators, vote = signed.validator_set, signed.header.vote_bytes()
    return [
        Vote(validators.scheme, v.public_key, v.power, vote, s)
        for v, s in zip(validators, signed.commit.signatures, strict=True)
    ]


def needed_signatures(commit: list[Vote], skipping: bool, trust: TrustLevel) -> list[Vote]:
    """The votes the rules verify: the trust-level prefix when skipping, then the prefix whose
    power first exceeds 2/3 (each prefix: signed votes in order until the tally passes)."""
    total = sum(vote.power for vote in commit)

    def prefix(needed: int) -> list[Vote]:
        taken, tallied = [], 0
        for vote in commit:
            if vote.signature is not None:
                taken.append(vote)
                tallied += vote.power
                if tallied > needed:
                    return taken
        raise AssertionError(f"{tallied} signed power does not exceed {needed}")

    trusted = prefix(total * trust.numerator // trust.denominator) if skipping else []
    return trusted + prefix(total * 2 // 3)


def signature_floor(needed: list[Vote]) -> Callable[[], None]:
    checks = [
        (SCHEMES[v.scheme].verify, v.public_key, v.sign_bytes, v.signature or b"") for v in needed
    ]

    def verify_all() -> None:
        for verify, key, sign_bytes, signature in checks:
            assert verify(key, sign_bytes, signature)

    return verify_all


def copy_of(storage: MemoryStorage) -> MemoryStorage:
    return MemoryStorage(dict(storage.scan(None, None, True)))


def measure_update(
    vm: WasmVM,
    checksum: bytes,
    case: Case,
    created: MemoryStorage,
    data: bytes,
    needed: list[Vote],
    env: HostEnv,
    repeat: int,
) -> dict[str, object]:
    """One update (verify, check for misbehaviour, update) from the freshly created client."""

    def contract_update() -> int:
        client = ContractClient(vm, checksum, copy_of(created))
        client.verify_client_message(data, env)
        gas = client.last_gas
        assert not client.check_for_misbehaviour(data, env)
        gas += client.last_gas
        client.update_state(data, env)
        return gas + client.last_gas

    def reference_update() -> None:
        client = case.reference(copy_of(created))
        client.verify_client_message(data, env)
        assert not client.check_for_misbehaviour(data, env)
        client.update_state(data, env)

    gas = contract_update()
    contract_time = median_seconds(contract_update, repeat)
    floor_time = median_seconds(signature_floor(needed), repeat)
    reference_time = median_seconds(reference_update, repeat)
    return {
        "cosmwasm_gas": gas,
        "sdk_gas": gas // SDK_GAS_MULTIPLIER + CALLS_PER_UPDATE * SDK_SETUP_GAS,
        "signatures_verified": len(needed),
        "contract_ms": round(contract_time * 1e3, 3),
        "signatures_only_ms": round(floor_time * 1e3, 3),
        "contract_over_signatures_ratio": round(contract_time / floor_time, 2),
        "python_reference_ms": round(reference_time * 1e3, 3),
        "message_bytes": len(data),
    }


def measure_case(
    vm: WasmVM, checksum: bytes, size: int, case: Case, repeat: int
) -> dict[str, object]:
    chain = build_chain(size, case)
    env = HostEnv(height=100, time_ns=chain.latest_time_ns + SECOND, chain_id="host-1")
    client_state, consensus_state = client_states(chain, case)
    created = MemoryStorage()
    ContractClient(vm, checksum, created).instantiate(client_state, consensus_state, checksum, env)
    figures = case_figures(case, size)
    for label, _height, message, needed in updates(chain):
        data = chain.wire.header_message(message)
        figures[label] = measure_update(vm, checksum, case, created, data, needed, env, repeat)
    return figures


def case_figures(case: Case, size: int) -> dict[str, object]:
    """What names a case's figures: its format, size, consensus and contract."""
    return {
        "format": case.format,
        "validators": size,
        "consensus": case.consensus,
        "contract": case.contract,
    }


def updates(
    chain: CounterpartyChain,
) -> Iterator[tuple[str, Height, HeaderMessage, list[Vote]]]:
    """Each update of ``UPDATES`` (trusting height 1-1): its label, target height, header message
    and the signatures the light rules verify for it."""
    for label, target, skipping in UPDATES:
        height = Height(1, target)
        message = chain.header_message(height, Height(1, 1))
        yield (
            label,
            height,
            message,
            needed_signatures(votes(message), skipping, PARAMS.trust_level),
        )


def add_gas_ratios(results: list[dict[str, object]]) -> None:
    """Each row of another format gets its CosmWasm gas over the baseline format's, per update."""
    baseline = {
        (row["validators"], row["consensus"]): row
        for row in results
        if row["format"] == BASELINE_FORMAT
    }
    for row in results:
        base = baseline.get((row["validators"], row["consensus"]))
        if row["format"] == BASELINE_FORMAT or base is None:
            continue
        for label in ("adjacent", "skipping"):
            update, base_update = row[label], base[label]
            assert isinstance(update, dict) and isinstance(base_update, dict)
            ratio = update["cosmwasm_gas"] / base_update["cosmwasm_gas"]
            update[f"gas_over_{BASELINE_FORMAT.replace('-', '_')}_ratio"] = round(ratio, 2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="timed runs per measurement")
    parser.add_argument(
        "--sizes", default=",".join(map(str, SIZES)), help="validator set sizes, comma-separated"
    )
    parser.add_argument(
        "--formats", default=",".join(WIRE_FORMATS), help="wire formats, comma-separated"
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "lightclient.json")
    args = parser.parse_args()
    formats = args.formats.split(",")
    unknown = set(formats) - set(WIRE_FORMATS)
    if unknown:
        parser.error(f"unknown formats {sorted(unknown)} (known: {', '.join(WIRE_FORMATS)})")
    cases = [case for case in CASES if case.format in formats]
    vm = WasmVM(disk_cache=False)
    checksums = {case.contract: vm.store_code(load_contract(case.contract)) for case in cases}
    results = [
        measure_case(vm, checksums[case.contract], size, case, args.repeat)
        for case in cases
        for size in (int(s) for s in args.sizes.split(","))
    ]
    add_gas_ratios(results)
    write_results({"repeat": args.repeat, "formats": formats, "updates": results}, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
