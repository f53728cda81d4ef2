"""Every import convention, exercised by the real probe contract in the real VM."""

from __future__ import annotations

import base64
import hashlib
import json

import coincurve
import nacl.signing
import pytest

from relayer_sim.vm import (
    CallDepthExceeded,
    CallLimits,
    IteratorError,
    MemoryStorage,
    OutOfGas,
    QueryAnswer,
    WasmVM,
    unsupported_query,
)
from relayer_sim.vm.abi import (
    CRYPTO_ERR_BATCH,
    CRYPTO_ERR_HASH_FORMAT,
    CRYPTO_ERR_PUBKEY_FORMAT,
    CRYPTO_ERR_RECOVERY_PARAM,
    CRYPTO_ERR_SIGNATURE_FORMAT,
    CRYPTO_INVALID,
    CRYPTO_VALID,
)
from relayer_sim.vm.addresses import Bech32Addresses
from tests.conftest import ENV, GAS, INFO, Probe, b64, contract_bytes


def unb64(text: str) -> bytes:
    return base64.b64decode(text)


# -- env and info ---------------------------------------------------------------------------------


def test_env_and_info_reach_the_contract_as_json(contract: Probe) -> None:
    result = contract.instantiate({"env": {}})
    assert result.ok
    assert result.data_json() == {"env": ENV, "info": INFO}
    assert contract.out({"env": {}}) == {"env": ENV, "info": None}


def test_every_entry_point_answers(contract: Probe) -> None:
    payload = {"echo": {"data": b64(b"hello")}}
    for call in (contract.instantiate, contract.sudo, contract.migrate, contract.query):
        result = call(payload)
        assert result.ok and result.data_json() == {"data": b64(b"hello")}
    assert isinstance(contract.query(payload).response, str)  # query's ok is the base64 itself
    assert contract.sudo(payload).response["messages"] == []


def test_contract_error_is_a_result_not_an_exception(contract: Probe) -> None:
    result = contract.sudo({"fail": {"message": "nope"}})
    assert not result.ok
    assert result.error == "nope"
    assert result.data is None and result.gas_used > 0


def test_unknown_command_is_a_contract_error(contract: Probe) -> None:
    result = contract.sudo({"no_such_command": {}})
    assert not result.ok and "unknown command" in (result.error or "")


# -- storage --------------------------------------------------------------------------------------


def test_db_write_read_remove(contract: Probe) -> None:
    assert contract.out({"db_read": {"key": b64(b"a")}}) == {"value": None}
    contract.out({"db_write": {"key": b64(b"a"), "value": b64(b"1")}})
    assert contract.storage.items() == {b"a": b"1"}
    assert contract.out({"db_read": {"key": b64(b"a")}}) == {"value": b64(b"1")}
    contract.out({"db_remove": {"key": b64(b"a")}})
    assert contract.storage.items() == {}


def test_query_can_read(contract: Probe) -> None:
    contract.storage.set(b"k", b"v")
    result = contract.query({"db_read": {"key": b64(b"k")}})
    assert result.data_json() == {"value": b64(b"v")}


@pytest.fixture
def filled(contract: Probe) -> Probe:
    for key in (b"a", b"b", b"c", b"d"):
        contract.storage.set(key, key.upper())
    return contract


def scan(contract: Probe, start: bytes | None, end: bytes | None, order: int, mode: str) -> object:
    return contract.out(
        {
            "db_scan": {
                "start": None if start is None else b64(start),
                "end": None if end is None else b64(end),
                "order": order,
                "mode": mode,
                "limit": 100,
            }
        }
    )


def test_db_scan_ascending_with_bounds(filled: Probe) -> None:
    assert scan(filled, b"b", b"d", 1, "next") == {
        "items": [[b64(b"b"), b64(b"B")], [b64(b"c"), b64(b"C")]]
    }


def test_db_scan_descending_open(filled: Probe) -> None:
    assert scan(filled, None, None, 2, "next_key") == {
        "keys": [b64(k) for k in (b"d", b"c", b"b", b"a")]
    }


def test_db_scan_values_and_empty_range(filled: Probe) -> None:
    assert scan(filled, b"c", None, 1, "next_value") == {"values": [b64(b"C"), b64(b"D")]}
    assert scan(filled, b"x", None, 1, "next") == {"items": []}


def test_db_scan_sees_writes_of_the_same_call(filled: Probe) -> None:
    output = filled.out(
        {
            "seq": [
                {"db_write": {"key": b64(b"bb"), "value": b64(b"BB")}},
                {"db_remove": {"key": b64(b"c")}},
                {
                    "db_scan": {
                        "start": None,
                        "end": None,
                        "order": 1,
                        "mode": "next_key",
                        "limit": 100,
                    }
                },
            ]
        }
    )
    assert output["outputs"][2] == {"keys": [b64(k) for k in (b"a", b"b", b"bb", b"d")]}


def test_db_scan_bad_order_is_a_vm_error(filled: Probe) -> None:
    with pytest.raises(IteratorError, match="order"):
        scan(filled, None, None, 3, "next")


def test_db_next_unknown_iterator_is_a_vm_error(contract: Probe) -> None:
    with pytest.raises(IteratorError, match="iterator 42 does not exist"):
        contract.sudo({"db_next_raw": {"iterator": 42}})


# -- addresses ------------------------------------------------------------------------------------

ADDRESSES = Bech32Addresses()
ALICE = bytes(range(20))
ALICE_HUMAN = ADDRESSES.humanize(ALICE)


def test_addr_validate(contract: Probe) -> None:
    assert contract.out({"addr_validate": {"addr": ALICE_HUMAN}}) == {"ok": True}
    osmo = Bech32Addresses("osmo").humanize(ALICE)
    assert "prefix" in contract.out({"addr_validate": {"addr": osmo}})["error"]
    upper = contract.out({"addr_validate": {"addr": ALICE_HUMAN.upper()}})
    assert "not normalized" in upper["error"]
    assert "error" in contract.out({"addr_validate": {"addr": ""}})


def test_addr_canonicalize_and_humanize(contract: Probe) -> None:
    assert contract.out({"addr_canonicalize": {"addr": ALICE_HUMAN}}) == {"canonical": b64(ALICE)}
    assert contract.out({"addr_humanize": {"canonical": b64(ALICE)}}) == {"human": ALICE_HUMAN}
    assert "error" in contract.out({"addr_canonicalize": {"addr": "not-bech32"}})
    assert "empty" in contract.out({"addr_humanize": {"canonical": ""}})["error"]


def test_address_prefix_is_a_vm_setting() -> None:
    vm = WasmVM(addresses=Bech32Addresses("osmo"), disk_cache=False)
    checksum = vm.store_code(contract_bytes("probe"))
    osmo = Probe(vm, checksum, MemoryStorage())
    human = Bech32Addresses("osmo").humanize(ALICE)
    assert osmo.out({"addr_validate": {"addr": human}}) == {"ok": True}


# -- crypto ---------------------------------------------------------------------------------------

ED_KEY = nacl.signing.SigningKey(b"\x11" * 32)
ED_PUB = ED_KEY.verify_key.encode()


def ed_sign(message: bytes, key: nacl.signing.SigningKey = ED_KEY) -> bytes:
    return key.sign(message).signature


def ed_verify(contract: Probe, message: bytes, signature: bytes, pubkey: bytes) -> int:
    output = contract.out(
        {
            "ed25519_verify": {
                "message": b64(message),
                "signature": b64(signature),
                "pubkey": b64(pubkey),
            }
        }
    )
    return int(output["code"])


def test_ed25519_verify(contract: Probe) -> None:
    signature = ed_sign(b"vote")
    assert ed_verify(contract, b"vote", signature, ED_PUB) == CRYPTO_VALID
    assert ed_verify(contract, b"vote!", signature, ED_PUB) == CRYPTO_INVALID
    assert ed_verify(contract, b"vote", signature[:63], ED_PUB) == CRYPTO_ERR_SIGNATURE_FORMAT
    assert ed_verify(contract, b"vote", signature, ED_PUB[:31]) == CRYPTO_ERR_PUBKEY_FORMAT


def batch(
    contract: Probe, messages: list[bytes], signatures: list[bytes], keys: list[bytes]
) -> int:
    output = contract.out(
        {
            "ed25519_batch_verify": {
                "messages": [b64(m) for m in messages],
                "signatures": [b64(s) for s in signatures],
                "pubkeys": [b64(k) for k in keys],
            }
        }
    )
    return int(output["code"])


def test_ed25519_batch_verify_shapes(contract: Probe) -> None:
    keys = [nacl.signing.SigningKey(bytes([i]) * 32) for i in range(1, 4)]
    pubs = [k.verify_key.encode() for k in keys]
    messages = [b"m1", b"m2", b"m3"]
    signatures = [k.sign(m).signature for k, m in zip(keys, messages, strict=True)]
    assert batch(contract, messages, signatures, pubs) == CRYPTO_VALID
    one_message = [k.sign(b"same").signature for k in keys]
    assert batch(contract, [b"same"], one_message, pubs) == CRYPTO_VALID
    one_key = [keys[0].sign(m).signature for m in messages]
    assert batch(contract, messages, one_key, pubs[:1]) == CRYPTO_VALID
    assert batch(contract, messages, list(reversed(signatures)), pubs) == CRYPTO_INVALID
    assert batch(contract, messages[:2], signatures, pubs) == CRYPTO_ERR_BATCH
    assert batch(contract, [], [], []) == CRYPTO_VALID


SECP_KEY = coincurve.PrivateKey(b"\x22" * 32)
DIGEST = hashlib.sha256(b"header").digest()
RECOVERABLE = SECP_KEY.sign_recoverable(DIGEST, hasher=None)
SECP_SIG, RECOVERY_PARAM = RECOVERABLE[:64], RECOVERABLE[64]


def secp_verify(contract: Probe, digest: bytes, signature: bytes, pubkey: bytes) -> int:
    output = contract.out(
        {
            "secp256k1_verify": {
                "hash": b64(digest),
                "signature": b64(signature),
                "pubkey": b64(pubkey),
            }
        }
    )
    return int(output["code"])


def test_secp256k1_verify(contract: Probe) -> None:
    compressed = SECP_KEY.public_key.format()
    uncompressed = SECP_KEY.public_key.format(compressed=False)
    assert secp_verify(contract, DIGEST, SECP_SIG, compressed) == CRYPTO_VALID
    assert secp_verify(contract, DIGEST, SECP_SIG, uncompressed) == CRYPTO_VALID
    other = hashlib.sha256(b"other").digest()
    assert secp_verify(contract, other, SECP_SIG, compressed) == CRYPTO_INVALID
    assert secp_verify(contract, DIGEST[:31], SECP_SIG, compressed) == CRYPTO_ERR_HASH_FORMAT
    assert secp_verify(contract, DIGEST, SECP_SIG[:63], compressed) == CRYPTO_ERR_SIGNATURE_FORMAT
    assert secp_verify(contract, DIGEST, SECP_SIG, b"\x07" + compressed[1:]) == (
        CRYPTO_ERR_PUBKEY_FORMAT
    )


def recover(contract: Probe, signature: bytes, param: int) -> dict[str, object]:
    command = {"hash": b64(DIGEST), "signature": b64(signature), "recovery_param": param}
    result: dict[str, object] = contract.out({"secp256k1_recover_pubkey": command})
    return result


def test_secp256k1_recover_pubkey(contract: Probe) -> None:
    expected = SECP_KEY.public_key.format(compressed=False)
    assert recover(contract, SECP_SIG, RECOVERY_PARAM) == {"pubkey": b64(expected)}
    assert recover(contract, SECP_SIG, 2) == {"code": CRYPTO_ERR_RECOVERY_PARAM}
    assert recover(contract, SECP_SIG[:10], 0) == {"code": CRYPTO_ERR_SIGNATURE_FORMAT}


# -- environment imports --------------------------------------------------------------------------


def test_debug_goes_to_the_debug_handler() -> None:
    messages: list[str] = []
    vm = WasmVM(debug_handler=messages.append, disk_cache=False)
    checksum = vm.store_code(contract_bytes("probe"))
    storage = MemoryStorage()
    result = vm.sudo(checksum, ENV, b'{"debug":{"message":"hi there"}}', storage, GAS)
    assert result.ok and messages == ["hi there"]


def test_query_chain_default_is_unsupported(contract: Probe) -> None:
    request = json.dumps({"bank": {"balance": {}}}).encode()
    output = contract.out({"query_chain": {"request": b64(request)}})
    assert json.loads(unb64(output["response"])) == {
        "error": {"unsupported_request": {"kind": "bank"}}
    }


def test_query_chain_uses_the_handler_and_charges_its_gas() -> None:
    seen: list[tuple[bytes, int]] = []
    answer = json.dumps({"ok": {"ok": b64(b'{"answer":42}')}}).encode()

    def handler(request: bytes, gas_limit: int) -> QueryAnswer:
        seen.append((request, gas_limit))
        return QueryAnswer(answer, gas_used=7_000_000)

    vm = WasmVM(query_handler=handler, disk_cache=False)
    checksum = vm.store_code(contract_bytes("probe"))
    msg = json.dumps({"query_chain": {"request": b64(b'{"custom":{}}')}}).encode()
    result = vm.sudo(checksum, ENV, msg, MemoryStorage(), GAS)
    ((request, gas_limit),) = seen
    assert request == b'{"custom":{}}' and 0 < gas_limit < GAS  # what the call had left
    assert json.loads(unb64(result.data_json()["response"]))["ok"]["ok"] == b64(b'{"answer":42}')
    # the query's gas counts against the call and is reported apart, as wasmvm's external gas
    assert result.gas_used_externally == 7_000_000 < result.gas_used
    without = vm.sudo(checksum, ENV, msg, MemoryStorage(), GAS, querier=unsupported_query)
    assert without.gas_used_externally == 0


def test_a_query_costing_more_than_the_call_has_left_runs_it_out_of_gas() -> None:
    def greedy(request: bytes, gas_limit: int) -> QueryAnswer:
        return QueryAnswer(b'{"ok":{"ok":""}}', gas_used=gas_limit + 1)

    vm = WasmVM(disk_cache=False)
    checksum = vm.store_code(contract_bytes("probe"))
    msg = json.dumps({"query_chain": {"request": b64(b"{}")}}).encode()
    with pytest.raises(OutOfGas):
        vm.sudo(checksum, ENV, msg, MemoryStorage(), GAS, querier=greedy)


def test_chain_queries_that_call_contracts_nest_only_so_deep() -> None:
    vm = WasmVM(disk_cache=False, limits=CallLimits(max_call_depth=3))
    checksum = vm.store_code(contract_bytes("probe"))
    msg = json.dumps({"query_chain": {"request": b64(b"{}")}}).encode()
    depths: list[int] = []

    def recurse(request: bytes, gas_limit: int) -> QueryAnswer:
        depths.append(len(depths) + 1)
        inner = vm.sudo(checksum, ENV, msg, MemoryStorage(), gas_limit, querier=recurse)
        return QueryAnswer(json.dumps({"ok": {"ok": b64(inner.data or b"")}}).encode())

    with pytest.raises(CallDepthExceeded, match="3 contract calls are running"):
        vm.sudo(checksum, ENV, msg, MemoryStorage(), GAS, querier=recurse)
    assert depths == [1, 2, 3]
    assert vm.sudo(checksum, ENV, b'{"echo":{"data":""}}', MemoryStorage(), GAS).ok  # unharmed
