"""The crypto imports' verdicts against coincurve's own, with the parsed-key cache warm and cold."""

from __future__ import annotations

import hashlib

import coincurve
from hypothesis import given, settings
from hypothesis import strategies as st

from relayer_sim.vm import crypto
from relayer_sim.vm.abi import CRYPTO_ERR_GENERIC, CRYPTO_INVALID, CRYPTO_VALID

KEYS = [coincurve.PrivateKey(bytes([index]) * 32) for index in range(1, 4)]


def _compact(key: coincurve.PrivateKey, message_hash: bytes) -> bytes:
    return key.sign_recoverable(message_hash, hasher=None)[:64]


@settings(max_examples=60)
@given(st.binary(max_size=40), st.sampled_from(KEYS), st.sampled_from(KEYS), st.booleans())
def test_a_verdict_does_not_depend_on_the_key_cache(
    message: bytes, signer: coincurve.PrivateKey, key: coincurve.PrivateKey, compressed: bool
) -> None:
    message_hash = hashlib.sha256(message).digest()
    signature = _compact(signer, message_hash)
    pubkey = key.public_key.format(compressed=compressed)
    expected = CRYPTO_VALID if signer == key else CRYPTO_INVALID
    crypto._parsed_secp256k1_keys.clear()
    assert crypto.secp256k1_verify(message_hash, signature, pubkey) == expected  # cold
    assert crypto.secp256k1_verify(message_hash, signature, pubkey) == expected  # warm


def test_a_point_off_the_curve_is_a_generic_error_and_is_not_kept() -> None:
    message_hash = hashlib.sha256(b"m").digest()
    off_curve = b"\x02" + b"\xff" * 32
    assert crypto.secp256k1_verify(message_hash, _compact(KEYS[0], message_hash), off_curve) == (
        CRYPTO_ERR_GENERIC
    )
    assert off_curve not in crypto._parsed_secp256k1_keys


def test_the_key_cache_is_bounded() -> None:
    message_hash = hashlib.sha256(b"m").digest()
    signature = _compact(KEYS[0], message_hash)
    for index in range(crypto.MAX_PARSED_SECP256K1_KEYS + 10):
        pubkey = coincurve.PrivateKey((index + 1).to_bytes(32, "big")).public_key.format()
        crypto.secp256k1_verify(message_hash, signature, pubkey)
    assert len(crypto._parsed_secp256k1_keys) == crypto.MAX_PARSED_SECP256K1_KEYS
