"""08-wasm's ``Query/Checksums`` and ``Query/Code`` through a contract's ``query_chain``: only
where the host accept-lists them, paginated as the SDK paginates, and refused (redacted) for a
bad or unknown checksum."""

from __future__ import annotations

import base64
import hashlib
import json

from relayer_sim.contracts import load_contract
from relayer_sim.formats.proto.cosmos.base.query.v1beta1 import pagination_pb2
from relayer_sim.formats.proto.ibc.lightclients.wasm.v1 import query_pb2
from relayer_sim.host.app import HostApp, HostConfig
from relayer_sim.host.governance import GOV_AUTHORITY
from relayer_sim.host.messages import MsgStoreCode
from relayer_sim.host.store import GasMeter
from relayer_sim.host.wasm_queries import CHECKSUMS_PATH, CODE_PATH
from relayer_sim.lightclient.store import HostEnv
from relayer_sim.vm import WasmVM

ENV = HostEnv(1, 10**9, "host-1")
CONTRACTS = ("sim-tendermint-v1", "sim-tendermint-v2", "tendermint-v1")
GAS = 10**12


def _host(vm: WasmVM, accept: tuple[str, ...] = (CHECKSUMS_PATH, CODE_PATH)) -> HostApp:
    app = HostApp(vm, HostConfig(stargate_accept_list=accept))
    for name in CONTRACTS:
        assert app.deliver(MsgStoreCode(GOV_AUTHORITY, load_contract(name)), ENV, None).ok
    return app


def _ask(app: HostApp, path: str, request: bytes) -> dict[str, object]:
    body = {"stargate": {"path": path, "data": base64.b64encode(request).decode()}}
    answer = app.querier(ENV, GasMeter(None))(json.dumps(body).encode(), GAS)
    result: dict[str, object] = json.loads(answer.result)
    return result


def _page(app: HostApp, **page: object) -> query_pb2.QueryChecksumsResponse:
    request = query_pb2.QueryChecksumsRequest(pagination=pagination_pb2.PageRequest(**page))
    answer = _ask(app, CHECKSUMS_PATH, request.SerializeToString())
    ok = answer["ok"]
    assert isinstance(ok, dict), answer
    return query_pb2.QueryChecksumsResponse.FromString(base64.b64decode(ok["ok"]))


def test_checksums_are_listed_a_page_at_a_time(vm: WasmVM) -> None:
    app = _host(vm)
    stored = sorted(hashlib.sha256(load_contract(name)).digest() for name in CONTRACTS)
    everything = _page(app)
    assert list(everything.checksums) == [c.hex() for c in stored]
    assert everything.pagination.total == 3 and everything.pagination.next_key == b""
    first = _page(app, limit=2)
    assert list(first.checksums) == [c.hex() for c in stored[:2]]
    assert first.pagination.next_key == stored[2] and first.pagination.total == 0
    rest = _page(app, limit=2, key=first.pagination.next_key)
    assert list(rest.checksums) == [stored[2].hex()]
    assert list(_page(app, offset=1, limit=1, count_total=True).checksums) == [stored[1].hex()]
    assert list(_page(app, reverse=True, limit=1).checksums) == [stored[2].hex()]


def test_code_is_the_stored_code(vm: WasmVM) -> None:
    app = _host(vm)
    code = load_contract("sim-tendermint-v2")
    request = query_pb2.QueryCodeRequest(checksum=hashlib.sha256(code).hexdigest())
    ok = _ask(app, CODE_PATH, request.SerializeToString())["ok"]
    assert isinstance(ok, dict)
    assert query_pb2.QueryCodeResponse.FromString(base64.b64decode(ok["ok"])).data == code
    for checksum in ("zz", "00" * 32):
        bad = query_pb2.QueryCodeRequest(checksum=checksum).SerializeToString()
        assert _ask(app, CODE_PATH, bad) == {"ok": {"error": "codespace: undefined, code: 1"}}
    both = query_pb2.QueryChecksumsRequest(
        pagination=pagination_pb2.PageRequest(key=b"k", offset=1)
    )
    refused = _ask(app, CHECKSUMS_PATH, both.SerializeToString())
    assert refused == {"ok": {"error": "codespace: undefined, code: 1"}}


def test_without_the_accept_list_they_are_refused(vm: WasmVM) -> None:
    app = _host(vm, accept=())
    answer = _ask(app, CHECKSUMS_PATH, b"")
    assert answer == {
        "error": {
            "unsupported_request": {
                "kind": f"'{CHECKSUMS_PATH}' path is not allowed from the contract"
            }
        }
    }
