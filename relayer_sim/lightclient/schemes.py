"""Signature schemes of the simulated consensus versions.

``tm-ed25519`` (v1) signs vote bytes with ed25519; ``tm-secp256k1`` (v2) signs the sha256 of the
vote bytes with low-S secp256k1 ECDSA in the 64-byte compact form, the shape the CosmWasm
``secp256k1_verify`` import takes (which also accepts the high-S twin of a signature). Keys are
derived from 32-byte seeds so that a scenario seed fixes every key.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Final, Protocol

import coincurve
import nacl.exceptions
import nacl.signing
from coincurve import ecdsa


class SigningKey(Protocol):
    """A validator's private key: what block production needs from it."""

    @property
    def public_key(self) -> bytes: ...

    def sign(self, message: bytes) -> bytes: ...


class SignatureScheme(Protocol):
    """A consensus version's signature algorithm, as validators and verifiers use it."""

    @property
    def name(self) -> str: ...

    def key_from_seed(self, seed: bytes) -> SigningKey: ...

    def verify(self, public_key: bytes, message: bytes, signature: bytes) -> bool: ...


@dataclass(frozen=True)
class _Ed25519Key:
    _key: nacl.signing.SigningKey

    @property
    def public_key(self) -> bytes:
        return bytes(self._key.verify_key)

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message).signature


class Ed25519:
    name: Final = "ed25519"

    def key_from_seed(self, seed: bytes) -> SigningKey:
        return _Ed25519Key(nacl.signing.SigningKey(hashlib.sha256(seed).digest()))

    def verify(self, public_key: bytes, message: bytes, signature: bytes) -> bool:
        if len(public_key) != 32 or len(signature) != 64:
            return False
        try:
            nacl.signing.VerifyKey(public_key).verify(message, signature)
        except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError):
            return False
        return True


@dataclass(frozen=True)
class _Secp256k1Key:
    _key: coincurve.PrivateKey

    @property
    def public_key(self) -> bytes:
        return self._key.public_key.format(compressed=True)

    def sign(self, message: bytes) -> bytes:
        der = self._key.sign(hashlib.sha256(message).digest(), hasher=None)
        return bytes(ecdsa.serialize_compact(ecdsa.der_to_cdata(der)))


class Secp256k1:
    name: Final = "secp256k1"

    def key_from_seed(self, seed: bytes) -> SigningKey:
        # Re-hash until the scalar is valid (below the group order); one round almost always is.
        secret = hashlib.sha256(seed).digest()
        while True:
            try:
                return _Secp256k1Key(coincurve.PrivateKey(secret))
            except ValueError:
                secret = hashlib.sha256(secret).digest()

    def verify(self, public_key: bytes, message: bytes, signature: bytes) -> bool:
        if len(signature) != 64:
            return False
        try:
            key = coincurve.PublicKey(public_key)
            compact = ecdsa.deserialize_compact(signature)
        except ValueError:
            return False
        # High s is normalised, not refused: cosmwasm's secp256k1_verify (which the contracts
        # call) accepts both forms of a signature.
        _was_high, normalised = ecdsa.signature_normalize(compact)
        return key.verify(
            ecdsa.cdata_to_der(normalised), hashlib.sha256(message).digest(), hasher=None
        )


SCHEMES: Final[dict[str, SignatureScheme]] = {"ed25519": Ed25519(), "secp256k1": Secp256k1()}
