"""A contract that answers whatever its client store says: the host's reading of contract
answers, tested with answers no honest contract gives.

Each entry point returns, as its whole result envelope, the value stored under
``answer/<entry point>`` in the client's store (``query``, ``sudo``, ``instantiate``,
``migrate``); with no such value it spins until its gas runs out. A test puts the client in
place as a genesis import does (``place_client``: its state, and the answers as metadata written
into its store), so the contract itself never has to build a client state.
"""

from __future__ import annotations

import base64
import hashlib
import json

import wasmtime

from relayer_sim.host.app import HostApp
from relayer_sim.host.clients import NEXT_CLIENT_SEQUENCE_KEY
from relayer_sim.host.governance import GOV_AUTHORITY
from relayer_sim.host.messages import MsgStoreCode
from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.store import HostEnv
from relayer_sim.lightclient.wasm_wrappers import WasmClientState
from tests.host.test_app import Host

ENTRY_POINTS = ("query", "sudo", "instantiate", "migrate")
_KEYS_AT = 256  # the key bytes; their regions sit at 16, 28, 40, 52


def _entry_point(index: int, name: str) -> str:
    params = " ".join(["i32"] * (3 if name == "instantiate" else 2))
    return (
        f'(func (export "{name}") (param {params}) (result i32) '
        f"(call $answer (i32.const {16 + 12 * index})))"
    )


def _wat() -> str:
    data = []
    for index, name in enumerate(ENTRY_POINTS):
        key = f"answer/{name}"
        offset = _KEYS_AT + 32 * index
        region = b"".join(n.to_bytes(4, "little") for n in (offset, len(key), len(key)))
        escaped = "".join(f"\\{byte:02x}" for byte in region)
        data.append(f'(data (i32.const {16 + 12 * index}) "{escaped}")')
        data.append(f'(data (i32.const {offset}) "{key}")')
    return f"""
(module
  (import "env" "db_read" (func $db_read (param i32) (result i32)))
  (memory (export "memory") 16)
  (global $heap (mut i32) (i32.const 4096))
  {" ".join(data)}
  (func (export "interface_version_8"))
  (func (export "allocate") (param $size i32) (result i32)
    (local $region i32)
    (local.set $region (global.get $heap))
    (i32.store (local.get $region) (i32.add (local.get $region) (i32.const 12)))
    (i32.store offset=4 (local.get $region) (local.get $size))
    (i32.store offset=8 (local.get $region) (i32.const 0))
    (global.set $heap
      (i32.and (i32.add (i32.add (local.get $region) (i32.const 19)) (local.get $size))
               (i32.const -8)))
    (local.get $region))
  (func (export "deallocate") (param i32))
  (func $answer (param $key i32) (result i32)
    (local $found i32)
    (local.set $found (call $db_read (local.get $key)))
    (if (local.get $found) (then (return (local.get $found))))
    (loop $spin (br $spin))
    (unreachable))
  {" ".join(_entry_point(index, name) for index, name in enumerate(ENTRY_POINTS))})
"""


SCRIPTED_CODE = bytes(wasmtime.wat2wasm(_wat()))


def query_answer(data: bytes) -> bytes:
    """A query result envelope carrying ``data``."""
    return json.dumps({"ok": base64.b64encode(data).decode()}).encode()


def sudo_answer(data: bytes | None) -> bytes:
    """A sudo (or instantiate, migrate) result envelope carrying ``data``."""
    encoded = None if data is None else base64.b64encode(data).decode()
    response: dict[str, object] = {"messages": [], "attributes": [], "events": [], "data": encoded}
    return json.dumps({"ok": response}).encode()


def scripted_client(
    host: Host, env: HostEnv, answers: dict[str, bytes], client_id: str = "08-wasm-0"
) -> bytes:
    """Store the scripted code and put a client on it in the host's block, answering as
    ``answers`` (entry point → result envelope) says; its checksum."""
    checksum = hashlib.sha256(SCRIPTED_CODE).digest()
    if not host.app.query().codes.has(checksum):
        assert host.app.deliver(MsgStoreCode(GOV_AUTHORITY, SCRIPTED_CODE), env, None).ok
    state = WasmClientState(b"scripted", checksum, Height(1, 1)).encode()
    entries = [(b"clientState", state)]
    entries += [(f"answer/{name}".encode(), answer) for name, answer in answers.items()]
    place_client(host.app, client_id, entries)
    return checksum


def place_client(app: HostApp, client_id: str, entries: list[tuple[bytes, bytes]]) -> None:
    """Put a client's store entries in place in the host's block, as a genesis import writes
    a client state and its metadata; later clients are numbered after it."""
    clients = app.query().clients
    store = clients.client_store(client_id)
    for key, value in entries:
        store.set(key, value)
    sequence = int(client_id.rpartition("-")[2]) + 1
    raw = clients.store.get(NEXT_CLIENT_SEQUENCE_KEY)
    if raw is None or int.from_bytes(raw, "big") < sequence:
        clients.store.set(NEXT_CLIENT_SEQUENCE_KEY, sequence.to_bytes(8, "big"))
