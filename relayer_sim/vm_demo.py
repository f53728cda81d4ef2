"""A short guided tour of the VM with the probe contract: what ``relayer-sim demo`` shows.

Each step is a real call into the real probe contract; the point is to see gas, contract errors
and contained failures side by side.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import coincurve
import nacl.signing

from relayer_sim.contracts import load_contract
from relayer_sim.vm import MemoryStorage, VMError, WasmVM

DEMO_GAS_LIMIT = 5_000_000_000
DEMO_ENV = {
    "block": {"height": 1, "time": "1700000000000000000", "chain_id": "demo-host-1"},
    "transaction": None,
    "contract": {"address": "08-wasm-0"},
}


@dataclass(frozen=True)
class DemoStep:
    """One call of the tour and how it ended."""

    entry: str
    what: str
    outcome: str
    detail: str
    gas_used: int


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _tour() -> list[tuple[str, str, dict[str, Any]]]:
    signer = nacl.signing.SigningKey(hashlib.sha256(b"demo validator").digest())
    vote = b"canonical vote sign bytes"
    secp = coincurve.PrivateKey(hashlib.sha256(b"demo secp key").digest())
    digest = hashlib.sha256(vote).digest()
    return [
        ("instantiate", "receive env and info", {"env": {}}),
        ("sudo", "write a key", {"db_write": {"key": _b64(b"clientState"), "value": _b64(b"v1")}}),
        ("query", "read it back", {"db_read": {"key": _b64(b"clientState")}}),
        (
            "query",
            "verify an ed25519 vote signature",
            {
                "ed25519_verify": {
                    "message": _b64(vote),
                    "signature": _b64(signer.sign(vote).signature),
                    "pubkey": _b64(signer.verify_key.encode()),
                }
            },
        ),
        (
            "query",
            "verify a secp256k1 signature",
            {
                "secp256k1_verify": {
                    "hash": _b64(digest),
                    "signature": _b64(secp.sign_recoverable(digest, hasher=None)[:64]),
                    "pubkey": _b64(secp.public_key.format()),
                }
            },
        ),
        ("sudo", "answer a contract error", {"fail": {"message": "header too old"}}),
        (
            "sudo",
            "write, then trap (the write is dropped)",
            {"write_then_trap": {"key": _b64(b"clientState"), "value": _b64(b"corrupt")}},
        ),
        ("query", "try to write inside a query", {"db_remove": {"key": _b64(b"clientState")}}),
        ("sudo", "loop forever", {"loop": {}}),
        ("sudo", "grow memory without bound", {"memory_bomb": {}}),
        ("sudo", "recurse without bound", {"recurse": {"depth": 0}}),
    ]


def run_vm_demo() -> tuple[bytes, list[DemoStep], dict[bytes, bytes]]:
    """Run the tour; return the probe's checksum, the steps and the final storage."""
    vm = WasmVM(disk_cache=False)
    checksum = vm.store_code(load_contract("probe"))
    storage = MemoryStorage()
    steps = []
    for entry, what, command in _tour():
        msg = json.dumps(command).encode()
        call = getattr(vm, entry)
        try:
            if entry == "instantiate":
                info = {"sender": "", "funds": []}
                result = call(checksum, DEMO_ENV, info, msg, storage, DEMO_GAS_LIMIT)
            else:
                result = call(checksum, DEMO_ENV, msg, storage, DEMO_GAS_LIMIT)
        except VMError as error:
            steps.append(
                DemoStep(entry, what, type(error).__name__, str(error), error.gas_used or 0)
            )
            continue
        if result.ok:
            detail = (result.data or b"").decode("utf-8", errors="replace")
            steps.append(DemoStep(entry, what, "ok", detail, result.gas_used))
        else:
            steps.append(
                DemoStep(entry, what, "contract error", result.error or "", result.gas_used)
            )
    return checksum, steps, storage.items()
