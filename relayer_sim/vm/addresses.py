"""The address API behind ``addr_validate``/``addr_canonicalize``/``addr_humanize``.

08-wasm hands wasmvm the SDK's account-address codec: bech32 with the chain's prefix, canonical
addresses of 1 to 255 bytes. Failures are *contract-visible* errors (the import returns an error
message), not VM errors, so they are raised as ``AddressError`` and turned into a region.
"""

from __future__ import annotations

from dataclasses import dataclass

import bech32

MAX_CANONICAL_LENGTH = 255


class AddressError(ValueError):
    """An address is not valid for this chain; the message is what the contract receives."""


@dataclass(frozen=True)
class Bech32Addresses:
    """Bech32 account addresses with one human-readable prefix."""

    prefix: str = "cosmos"

    def canonicalize(self, human: str) -> bytes:
        """The raw bytes of a bech32 address with this chain's prefix."""
        if not human:
            raise AddressError("empty address string is not allowed")
        if human.lower() != human and human.upper() != human:
            raise AddressError(f"decoding bech32 failed: mixed case in {human!r}")
        hrp, words = bech32.bech32_decode(human)
        if hrp is None or words is None:
            raise AddressError(f"decoding bech32 failed: invalid address {human!r}")
        if hrp != self.prefix:
            raise AddressError(f"invalid Bech32 prefix; expected {self.prefix}, got {hrp}")
        data = bech32.convertbits(words, 5, 8, False)
        if data is None:
            raise AddressError(f"decoding bech32 failed: invalid padding in {human!r}")
        return self._checked(bytes(data))

    def humanize(self, canonical: bytes) -> str:
        """The bech32 string of raw address bytes."""
        words = bech32.convertbits(self._checked(canonical), 8, 5, True)
        text: str | None = None if words is None else bech32.bech32_encode(self.prefix, words)
        if text is None:
            raise AddressError("address cannot be encoded as bech32")
        return text

    def validate(self, human: str) -> None:
        """Accept only addresses in their normal (lower-case) form, as the SDK does."""
        if self.humanize(self.canonicalize(human)) != human:
            raise AddressError(f"address {human!r} is not normalized")

    @staticmethod
    def _checked(canonical: bytes) -> bytes:
        if not canonical:
            raise AddressError("addresses cannot be empty")
        if len(canonical) > MAX_CANONICAL_LENGTH:
            raise AddressError(
                f"address max length is {MAX_CANONICAL_LENGTH}, got {len(canonical)}"
            )
        return canonical
