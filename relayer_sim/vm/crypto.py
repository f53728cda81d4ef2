"""The crypto imports' semantics: inputs in, CosmWasm result code (or key) out.

These follow cosmwasm-crypto: malformed inputs give the documented error code instead of a
verdict, so a contract can tell "bad signature" from "not a signature at all".
"""

from __future__ import annotations

from typing import Any, Final

import coincurve
import nacl.bindings
import nacl.exceptions
from coincurve import ecdsa
from coincurve._libsecp256k1 import ffi as secp256k1_ffi
from coincurve._libsecp256k1 import lib as secp256k1_lib
from coincurve.context import GLOBAL_CONTEXT

from relayer_sim.vm.abi import (
    CRYPTO_ERR_BATCH,
    CRYPTO_ERR_GENERIC,
    CRYPTO_ERR_HASH_FORMAT,
    CRYPTO_ERR_PUBKEY_FORMAT,
    CRYPTO_ERR_RECOVERY_PARAM,
    CRYPTO_ERR_SIGNATURE_FORMAT,
    CRYPTO_INVALID,
    CRYPTO_VALID,
)

ED25519_PUBKEY_LENGTH = 32
ED25519_SIGNATURE_LENGTH = 64
SECP256K1_HASH_LENGTH = 32
SECP256K1_SIGNATURE_LENGTH = 64
#: Parsed secp256k1 public keys kept (a validator set's keys sign every block; parsing a
#: compressed key costs a square root, a third of a verification).
MAX_PARSED_SECP256K1_KEYS: Final = 4096

_parsed_secp256k1_keys: dict[bytes, Any] = {}


class CryptoFailure(Exception):
    """A crypto input was malformed; ``code`` is the CosmWasm error code for it."""

    def __init__(self, code: int, message: str) -> None:
        self.code = code
        super().__init__(message)


def ed25519_verify(message: bytes, signature: bytes, pubkey: bytes) -> int:
    """0 if ``signature`` over ``message`` is valid for ``pubkey``, 1 if not, else an error code."""
    if len(signature) != ED25519_SIGNATURE_LENGTH:
        return CRYPTO_ERR_SIGNATURE_FORMAT
    if len(pubkey) != ED25519_PUBKEY_LENGTH:
        return CRYPTO_ERR_PUBKEY_FORMAT
    try:
        nacl.bindings.crypto_sign_open(signature + message, pubkey)
    except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError):
        return CRYPTO_INVALID
    return CRYPTO_VALID


def ed25519_batch_shape(messages: int, signatures: int, pubkeys: int) -> bool:
    """Whether the three list lengths form a batch cosmwasm accepts.

    Either all three match, or one message is signed by many keys, or one key signed many
    messages; the signature count always matches the other list's length.
    """
    if messages == signatures == pubkeys:
        return True
    if messages == 1 and signatures == pubkeys:
        return True
    return pubkeys == 1 and messages == signatures


def ed25519_batch_verify(
    messages: list[bytes], signatures: list[bytes], pubkeys: list[bytes]
) -> int:
    """Verify every triple of the batch; one bad signature makes the whole batch invalid."""
    if not ed25519_batch_shape(len(messages), len(signatures), len(pubkeys)):
        return CRYPTO_ERR_BATCH
    count = len(signatures)
    for index in range(count):
        message = messages[0] if len(messages) == 1 else messages[index]
        pubkey = pubkeys[0] if len(pubkeys) == 1 else pubkeys[index]
        code = ed25519_verify(message, signatures[index], pubkey)
        if code != CRYPTO_VALID:
            return code
    return CRYPTO_VALID


def _secp256k1_signature(signature: bytes) -> object:
    """Parse a compact (r ‖ s) signature into libsecp256k1's form, normalised to low s."""
    if len(signature) != SECP256K1_SIGNATURE_LENGTH:
        raise CryptoFailure(CRYPTO_ERR_SIGNATURE_FORMAT, "signature must be 64 bytes")
    try:
        parsed = ecdsa.deserialize_compact(signature)
    except ValueError as error:
        raise CryptoFailure(CRYPTO_ERR_GENERIC, "signature scalars out of range") from error
    _was_high, normalised = ecdsa.signature_normalize(parsed)
    return normalised


def secp256k1_verify(message_hash: bytes, signature: bytes, pubkey: bytes) -> int:
    """Verify a compact ECDSA signature over a 32-byte hash; high s is accepted, as in cosmwasm."""
    if len(message_hash) != SECP256K1_HASH_LENGTH:
        return CRYPTO_ERR_HASH_FORMAT
    try:
        parsed = _secp256k1_signature(signature)
    except CryptoFailure as failure:
        return failure.code
    if len(pubkey) not in (33, 65) or pubkey[0] not in ((2, 3) if len(pubkey) == 33 else (4,)):
        return CRYPTO_ERR_PUBKEY_FORMAT
    key = _parsed_secp256k1_key(pubkey)
    if key is None:
        return CRYPTO_ERR_GENERIC
    valid = secp256k1_lib.secp256k1_ecdsa_verify(GLOBAL_CONTEXT.ctx, parsed, message_hash, key)
    return CRYPTO_VALID if valid else CRYPTO_INVALID


def _parsed_secp256k1_key(pubkey: bytes) -> Any:
    """libsecp256k1's parsed form of ``pubkey`` (None if it is not a point on the curve), from
    a bounded cache (the oldest entry goes first)."""
    key = _parsed_secp256k1_keys.get(pubkey)
    if key is not None:
        return key
    key = secp256k1_ffi.new("secp256k1_pubkey *")
    if not secp256k1_lib.secp256k1_ec_pubkey_parse(GLOBAL_CONTEXT.ctx, key, pubkey, len(pubkey)):
        return None
    if len(_parsed_secp256k1_keys) >= MAX_PARSED_SECP256K1_KEYS:
        del _parsed_secp256k1_keys[next(iter(_parsed_secp256k1_keys))]
    _parsed_secp256k1_keys[pubkey] = key
    return key


def secp256k1_recover_pubkey(message_hash: bytes, signature: bytes, recovery_param: int) -> bytes:
    """The 65-byte uncompressed key that produced ``signature``; raises ``CryptoFailure``."""
    if len(message_hash) != SECP256K1_HASH_LENGTH:
        raise CryptoFailure(CRYPTO_ERR_HASH_FORMAT, "hash must be 32 bytes")
    _secp256k1_signature(signature)
    if recovery_param not in (0, 1):
        raise CryptoFailure(CRYPTO_ERR_RECOVERY_PARAM, "recovery param must be 0 or 1")
    try:
        key = coincurve.PublicKey.from_signature_and_message(
            signature + bytes([recovery_param]), message_hash, hasher=None
        )
    except ValueError as error:
        raise CryptoFailure(CRYPTO_ERR_GENERIC, str(error)) from error
    return key.format(compressed=False)
