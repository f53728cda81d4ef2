"""The contracts' own side of the 08-wasm API: malformed JSON, unknown messages, missing or
ill-typed fields and garbage of every kind end in a contract error that names the problem —
never a trap, never a write."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relayer_sim.host.contract_api import b64, env_json
from relayer_sim.lightclient.client import V1, V2, Profile
from relayer_sim.lightclient.headers import Height
from relayer_sim.vm import MemoryStorage, WasmVM
from tests.lightclient.chains import advance, genesis, make_chain, soon_after
from tests.lightclient.conftest import TwinFactory

PROFILES = pytest.mark.parametrize("profile", [V1, V2], ids=lambda p: p.name)
GAS = 10**12


def created(
    twin: TwinFactory, profile: Profile
) -> tuple[WasmVM, bytes, MemoryStorage, dict[str, Any]]:
    """A contract with one client on a fresh chain: (vm, checksum, storage, env)."""
    chain = make_chain()
    advance(chain, 2)
    pair = twin(profile)
    client, consensus = genesis(chain, Height(1, 1), format=profile.format)
    env = soon_after(chain)
    pair.instantiate(client, consensus, pair.checksum, env)
    contract = pair.contract
    assert isinstance(contract.storage, MemoryStorage)
    return contract.vm, contract.checksum, contract.storage, env_json(env)


@PROFILES
@pytest.mark.parametrize(
    ("kind", "message", "error"),
    [
        ("query", b"not json", "malformed message: not JSON"),
        ("query", b"[]", "malformed message: not an object"),
        ("query", b'{"status":{},"export_metadata":{}}', "malformed message: it must have"),
        ("query", b'{"nonsense":{}}', "unknown query nonsense"),
        ("query", b'{"status":[]}', "malformed status message: not an object"),
        ("query", b'{"timestamp_at_height":{}}', "malformed timestamp_at_height message: missing"),
        (
            "query",
            b'{"timestamp_at_height":{"height":{"revision_height":-1}}}',
            "malformed timestamp_at_height message: revision_height must be an unsigned",
        ),
        (
            "query",
            b'{"verify_client_message":{"client_message":"***"}}',
            "malformed verify_client_message message: client_message is not base64",
        ),
        (
            "query",
            b'{"verify_client_message":{"client_message":7}}',
            "malformed verify_client_message message: client_message must be a base64 string",
        ),
        ("sudo", b'{"nonsense":{}}', "unknown sudo message nonsense"),
        (
            "sudo",
            b'{"verify_membership":{"height":{},"proof":"","value":""}}',
            "malformed verify_membership message: missing merkle_path",
        ),
        (
            "sudo",
            b'{"verify_membership":{"height":{},"proof":"","value":"","merkle_path":{}}}',
            "malformed verify_membership message: key_path must be a list",
        ),
        (
            "sudo",
            b'{"update_state":{"client_message":"AA=="}}',
            "malformed client message: ",
        ),
    ],
)
def test_bad_messages_are_named(
    twin: TwinFactory, profile: Profile, kind: str, message: bytes, error: str
) -> None:
    vm, checksum, storage, env = created(twin, profile)
    before = storage.items()
    call = vm.query if kind == "query" else vm.sudo
    result = call(checksum, env, message, storage, GAS)
    assert not result.ok
    assert result.error is not None and result.error.startswith(error), result.error
    assert storage.items() == before


@PROFILES
def test_a_bad_env_is_named(twin: TwinFactory, profile: Profile) -> None:
    vm, checksum, storage, env = created(twin, profile)
    for broken, error in [
        ({**env, "block": {**env["block"], "time": "soon"}}, "block time must be nanoseconds"),
        (
            {**env, "block": {**env["block"], "height": "7"}},
            "block height must be an unsigned integer",
        ),
        ({**env, "block": {"height": 1, "time": "1"}}, "block chain_id must be a string"),
        ({"contract": {}}, "no block"),
    ]:
        result = vm.query(checksum, broken, b'{"status":{}}', storage, GAS)
        assert result.error == f"malformed env: {error}", result.error


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(garbage=st.binary(max_size=300), command=st.sampled_from(["query", "sudo"]))
def test_garbage_never_traps_and_never_writes(
    twin: TwinFactory, garbage: bytes, command: str
) -> None:
    vm, checksum, storage, env = created(twin, V2)
    before = storage.items()
    name = "verify_client_message" if command == "query" else "update_state"
    encoded = json.dumps({name: {"client_message": b64(garbage)}}).encode()
    call = vm.query if command == "query" else vm.sudo
    for message in (garbage, encoded):
        result = call(checksum, env, message, storage, GAS)  # a trap would raise VMError
        assert not result.ok and result.error
    assert storage.items() == before
