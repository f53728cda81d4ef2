"""A client update through the whole host against the signatures it verifies, and block
production against its signing; JSON out.

Update (``updates``): for 4 and 150 equal-power validators, for each consensus (``tm-ed25519``
through the v1 contract, ``tm-secp256k1`` through the v2 one) and each wire format
(``sim-tendermint``: ``sim-tendermint-v1/v2``; ``tendermint``: ``tendermint-v1/v2``), an
adjacent and a skipping ``MsgUpdateClient`` delivered to ``HostApp`` (``deliver``: the
transaction's cache and gas meter, 02-client's status check, ``verify_client_message``,
``check_for_misbehaviour`` and ``update_state`` through the 08-wasm proxy, the VM and the real
built contract, the proxy's checks of the stored client state), against the floor measured in
the same process: exactly the signatures that update verifies, verified directly with libsodium
(PyNaCl) or libsecp256k1 (coincurve, over sha256 of the sign bytes), as the contracts' hosts do
(``benchmarks/lightclient.py`` says which signatures those are). Figures: the median host-path
time, the median floor, their ratio, and the fixed cost (host path minus floor); the
transaction's SDK gas and contract gas. The issue's targets (#13): ratio ≤ 1.3 at 150
validators, fixed cost < 0.5 ms at 4.

What no host can take off: one more delivery through a VM whose calls are timed
(``contract_time``) gives the wasmtime lifecycle of its contract calls (a fresh store and
instance each, as wasmvm gives them) and the contracts' own wasm, in ms, and the ratio the
update would have if that and its signatures were all it cost.

Each figure is a median of ``--repeat`` runs, taken in turn with its floor's runs (one of each,
then again), so that both see the same load on a shared machine; the figures are wall time, and
again (``cpu``) the CPU time of the measuring thread, which leaves out the time other processes
held the core (on an idle machine the two agree).

Every timed update is a real, successful one on the same state: the host stored the contract
and created the client (trusting height 1-1) in a committed block, and each run delivers the
update to a fresh ``HostApp`` over that committed state (``deliver`` writes only to the new
block's cache, so the committed state is never changed; checked at the end). Building that
``HostApp`` is not timed; its status cache starts empty, as after a commit, so the status check
is a contract call, as for the first update of a block. The result of every run is checked:
``ok``, no misbehaviour, the target height added.

Block production (``blocks``): the counterparty (``CounterpartyChain.produce_block``) making
blocks with 150 equal-power validators, all online, for each consensus and format, against the
floor measured in the same process: signing, with the scheme's keys (libsodium; libsecp256k1
over sha256, compact form), the sign bytes of every signature of such a block (sim-tendermint:
one vote for all; tendermint: one ``CanonicalVote`` each). Target: ratio ≤ 1.3.

``--profile`` measures nothing and prints (stderr) a cProfile of ``--repeat`` adjacent updates
(``deliver`` only) at the largest size, for the first consensus and format selected: the
functions that took the most time.

Usage: ``python benchmarks/host_path.py [--repeat N] [--sizes 4,150] [--formats
sim-tendermint,tendermint] [--block-validators 150] [--profile] [--out FILE]`` (default:
``benchmarks/results/host_path.json``).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from contract_time import ContractTime
from host_gas import RELAYER
from lightclient import (
    CASES,
    UPDATES,
    Case,
    build_chain,
    case_figures,
    client_states,
    signature_floor,
    updates,
    votes,
)
from measure import RESULTS, Medians, interleaved_medians, write_results

from relayer_sim.contracts import load_contract
from relayer_sim.counterparty import CounterpartyChain
from relayer_sim.counterparty.chain import SECOND, Block
from relayer_sim.counterparty.wire import WIRE_FORMATS
from relayer_sim.host.app import HostApp, TxResult
from relayer_sim.host.clients import UpdateOutcome
from relayer_sim.host.governance import GOV_AUTHORITY
from relayer_sim.host.messages import Msg, MsgCreateClient, MsgStoreCode, MsgUpdateClient
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.schemes import SCHEMES
from relayer_sim.lightclient.store import HostEnv
from relayer_sim.lightclient.wasm_wrappers import WasmClientState, WasmConsensusState
from relayer_sim.vm import WasmVM

SIZES = (4, 150)
BLOCK_VALIDATORS = 150
HOST_CHAIN_ID = "host-1"


@dataclass(frozen=True)
class Host:
    """A host whose committed state holds the case's contract and a client of the chain."""

    app: HostApp
    client_id: str
    #: The env of the next block, where updates are delivered.
    env: HostEnv


def deliver_ok(app: HostApp, msg: Msg, env: HostEnv) -> TxResult:
    result = app.deliver(msg, env, None)
    if not result.ok:
        raise SystemExit(f"{type(msg).__name__} failed: {result.error}")
    return result


def host_with_client(vm: WasmVM, chain: CounterpartyChain, case: Case) -> Host:
    """Store the case's contract and create a client of ``chain`` (trusting 1-1); commit."""
    app = HostApp(vm)
    time_ns = chain.latest_time_ns + SECOND
    env = HostEnv(app.height + 1, time_ns, HOST_CHAIN_ID)
    checksum = deliver_ok(app, MsgStoreCode(GOV_AUTHORITY, load_contract(case.contract)), env)
    assert isinstance(checksum.result, bytes)
    client_state, consensus_state = client_states(chain, case)
    created = deliver_ok(
        app,
        MsgCreateClient(
            RELAYER,
            WasmClientState(client_state, checksum.result, Height(1, 1)).encode(),
            WasmConsensusState(consensus_state).encode(),
        ),
        env,
    )
    assert isinstance(created.result, str)
    app.commit()
    return Host(app, created.result, HostEnv(app.height + 1, time_ns + SECOND, HOST_CHAIN_ID))


class FreshDelivery:
    """``setup`` makes a fresh ``HostApp`` over the host's committed state; ``deliver`` delivers
    the update to it (the timed part); ``check`` asserts every delivery updated the client."""

    def __init__(self, host: Host, data: bytes, target: Height) -> None:
        self.host, self.target = host, target
        self.msg = MsgUpdateClient(RELAYER, host.client_id, data)
        self.committed = dict(host.app.committed.scan(None, None, True))
        self.app = host.app
        self.results: list[TxResult] = []

    def setup(self) -> None:
        base = self.host.app
        self.app = HostApp(base.vm, base.config, base.committed, height=base.height)

    def deliver(self) -> None:
        self.results.append(self.app.deliver(self.msg, self.host.env, None))

    def check(self) -> TxResult:
        for result in self.results:
            assert result.ok, result.error
            assert result.result == UpdateOutcome((self.target,), misbehaviour=False)
        assert len({(r.gas_used, r.contract_gas) for r in self.results}) == 1, "same gas each run"
        committed = dict(self.host.app.committed.scan(None, None, True))
        assert committed == self.committed, "the committed state changed"
        return self.results[-1]


def contract_seconds(timed: ContractTime, delivery: FreshDelivery) -> float:
    """The lifecycle and wasm seconds of one more delivery, through ``timed``'s VM (its first
    delivery warms its caches)."""
    for _ in range(2):
        delivery.setup()
        with timed.measuring():
            delivery.deliver()
    return timed.lifecycle + timed.wasm


def measure_updates(vm: WasmVM, size: int, case: Case, repeat: int) -> dict[str, object]:
    chain = build_chain(size, case)
    host = host_with_client(vm, chain, case)
    timed = ContractTime()
    timed_host = host_with_client(timed.vm(disk_cache=False), chain, case)
    figures = case_figures(case, size)
    for label, height, message, needed in updates(chain):
        data = chain.wire.header_message(message)
        delivery = FreshDelivery(host, data, height)
        path, floor = interleaved_medians(
            [(delivery.deliver, delivery.setup), (signature_floor(needed), None)], repeat
        )
        result = delivery.check()
        timed_delivery = FreshDelivery(timed_host, data, height)
        contracts = contract_seconds(timed, timed_delivery)
        timed_delivery.check()
        figures[label] = {
            "signatures_verified": len(needed),
            **against_floor(
                path,
                floor,
                (
                    "host_path_ms",
                    "signature_floor_ms",
                    "host_over_signatures_ratio",
                    "fixed_cost_ms",
                ),
            ),
            "contract_calls": timed.calls,
            "contract_lifecycle_and_wasm_ms": round(contracts * 1e3, 3),
            "signatures_lifecycle_and_wasm_ratio": round((floor.wall + contracts) / floor.wall, 2),
            "sdk_gas": result.gas_used,
            "contract_gas": result.contract_gas,
            "message_bytes": len(delivery.msg.client_message),
        }
        print(
            f"update {case.format:<14} {case.consensus:<12} {size:>3} {label:<8}"
            f" host {path.wall * 1e3:7.3f} ms  sigs {floor.wall * 1e3:7.3f} ms"
            f"  ratio {path.wall / floor.wall:5.2f}  (CPU {path.cpu / floor.cpu:5.2f},"
            f" fixed {(path.cpu - floor.cpu) * 1e3:.3f} ms)",
            file=sys.stderr,
            flush=True,
        )
    return figures


def signing_floor(chain: CounterpartyChain) -> tuple[int, Callable[[], None]]:
    """How many signatures the chain's latest block carries, and signing their sign bytes with
    as many keys of the chain's scheme."""
    latest = chain.latest_height
    assert latest is not None
    previous = Height(latest.revision_number, latest.revision_height - 1)
    signed = [vote for vote in votes(chain.header_message(latest, previous)) if vote.signature]
    signers = [
        (SCHEMES[vote.scheme].key_from_seed(b"signer-%d" % index).sign, vote.sign_bytes)
        for index, vote in enumerate(signed)
    ]

    def sign_all() -> None:
        for sign, sign_bytes in signers:
            sign(sign_bytes)

    return len(signed), sign_all


def measure_blocks(size: int, case: Case, repeat: int) -> dict[str, object]:
    chain = build_chain(size, case)

    def produce() -> None:
        assert isinstance(chain.produce_block(chain.next_block_time()), Block)

    signatures, sign_all = signing_floor(chain)
    assert signatures == size, "every validator signs"
    block, signing = interleaved_medians([(produce, None), (sign_all, None)], repeat)
    print(
        f"blocks {case.format:<14} {case.consensus:<12} {size:>3}"
        f" produce {block.wall * 1e3:7.3f} ms  signing {signing.wall * 1e3:7.3f} ms"
        f"  ratio {block.wall / signing.wall:5.2f}  (CPU {block.cpu / signing.cpu:5.2f})",
        file=sys.stderr,
        flush=True,
    )
    return {
        "format": case.format,
        "validators": size,
        "consensus": case.consensus,
        "signatures": signatures,
        **against_floor(
            block,
            signing,
            ("produce_block_ms", "signing_ms", "block_over_signing_ratio", "overhead_ms"),
        ),
    }


def against_floor(
    measured: Medians, floor: Medians, names: tuple[str, str, str, str]
) -> dict[str, object]:
    """``measured`` and its ``floor`` in ms, their ratio and the difference in ms, under
    ``names`` in that order: from wall times, and again under ``cpu`` from thread CPU times."""
    measured_name, floor_name, ratio_name, difference_name = names

    def figures(of_measured: float, of_floor: float) -> dict[str, float]:
        return {
            measured_name: round(of_measured * 1e3, 3),
            floor_name: round(of_floor * 1e3, 3),
            ratio_name: round(of_measured / of_floor, 2),
            difference_name: round((of_measured - of_floor) * 1e3, 3),
        }

    return {**figures(measured.wall, floor.wall), "cpu": figures(measured.cpu, floor.cpu)}


def profile(vm: WasmVM, size: int, case: Case, repeat: int) -> None:
    """Print where the time of ``repeat`` adjacent updates goes (deliver only)."""
    chain = build_chain(size, case)
    host = host_with_client(vm, chain, case)
    _, target, _ = UPDATES[0]
    message = chain.header_message(Height(1, target), Height(1, 1))
    delivery = FreshDelivery(host, chain.wire.header_message(message), Height(1, target))
    profiler = cProfile.Profile()
    for _ in range(repeat):
        delivery.setup()
        profiler.runcall(delivery.deliver)
    delivery.check()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("tottime")
    print(f"profile: {repeat} adjacent updates, {case.consensus}, {case.format}, {size}", file=out)
    stats.print_stats(25)
    print(out.getvalue(), file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=41, help="timed runs per measurement")
    parser.add_argument(
        "--sizes", default=",".join(map(str, SIZES)), help="validator set sizes, comma-separated"
    )
    parser.add_argument(
        "--formats", default=",".join(WIRE_FORMATS), help="wire formats, comma-separated"
    )
    parser.add_argument("--block-validators", type=int, default=BLOCK_VALIDATORS)
    parser.add_argument("--profile", action="store_true", help="profile updates instead")
    parser.add_argument("--out", type=Path, default=RESULTS / "host_path.json")
    args = parser.parse_args()
    formats = args.formats.split(",")
    unknown = set(formats) - set(WIRE_FORMATS)
    if unknown:
        parser.error(f"unknown formats {sorted(unknown)} (known: {', '.join(WIRE_FORMATS)})")
    cases = [case for case in CASES if case.format in formats]
    sizes = [int(size) for size in args.sizes.split(",")]
    vm = WasmVM(disk_cache=False)
    if args.profile:
        profile(vm, max(sizes), cases[0], args.repeat)
        return 0
    updates = [measure_updates(vm, size, case, args.repeat) for case in cases for size in sizes]
    blocks = [measure_blocks(args.block_validators, case, args.repeat) for case in cases]
    figures = {
        "repeat": args.repeat,
        "formats": formats,
        "updates": updates,
        "blocks": blocks,
    }
    write_results(figures, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
