"""The refusals of the 07-tendermint client: one reason from a fixed list, then a free detail.

Two implementations of ``contracts/tendermint.md`` (this reference and the Zig contract) must
agree on the reason of every refusal; the detail after ``": "`` is each one's own wording.
"""

from __future__ import annotations

from typing import Final

from relayer_sim.lightclient.client import ClientError as _LightClientError

MALFORMED_CLIENT_STATE: Final = "malformed client state"
MALFORMED_CONSENSUS_STATE: Final = "malformed consensus state"
MALFORMED_CLIENT_MESSAGE: Final = "malformed client message"
MALFORMED_PROOF: Final = "malformed proof"
MALFORMED_UPGRADED_CLIENT_STATE: Final = "malformed upgraded client state"
MALFORMED_UPGRADED_CONSENSUS_STATE: Final = "malformed upgraded consensus state"
MALFORMED_MESSAGE: Final = "malformed message"
INVALID_CLIENT_STATE: Final = "invalid client state"
INVALID_CONSENSUS_STATE: Final = "invalid consensus state"
INVALID_HEADER: Final = "invalid header"
INVALID_MISBEHAVIOUR: Final = "invalid misbehaviour"
INVALID_COMMIT: Final = "invalid commit"
INVALID_SIGNATURE: Final = "invalid signature"
UNSUPPORTED_PUBLIC_KEY: Final = "unsupported public key"
NOT_ENOUGH_VOTING_POWER: Final = "not enough voting power signed"
INVALID_VALIDATOR_SET: Final = "invalid validator set"
CONSENSUS_STATE_NOT_FOUND: Final = "consensus state not found"
TRUSTING_PERIOD_EXPIRED: Final = "trusting period expired"
HEADER_FROM_THE_FUTURE: Final = "header from the future"
CLIENT_IS_FROZEN: Final = "client is frozen"
INVALID_HEIGHT: Final = "invalid height"
DELAY_PERIOD_NOT_PASSED: Final = "delay period not passed"
INVALID_PROOF: Final = "invalid proof"
INVALID_UPGRADE: Final = "invalid upgrade"
INVALID_SUBSTITUTE: Final = "invalid substitute"
UNEXPECTED_CLIENT_MESSAGE: Final = "unexpected client message"

#: Every reason, in the order of the spec's table.
REASONS: Final = (
    MALFORMED_CLIENT_STATE,
    MALFORMED_CONSENSUS_STATE,
    MALFORMED_CLIENT_MESSAGE,
    MALFORMED_PROOF,
    MALFORMED_UPGRADED_CLIENT_STATE,
    MALFORMED_UPGRADED_CONSENSUS_STATE,
    MALFORMED_MESSAGE,
    INVALID_CLIENT_STATE,
    INVALID_CONSENSUS_STATE,
    INVALID_HEADER,
    INVALID_MISBEHAVIOUR,
    INVALID_COMMIT,
    INVALID_SIGNATURE,
    UNSUPPORTED_PUBLIC_KEY,
    NOT_ENOUGH_VOTING_POWER,
    INVALID_VALIDATOR_SET,
    CONSENSUS_STATE_NOT_FOUND,
    TRUSTING_PERIOD_EXPIRED,
    HEADER_FROM_THE_FUTURE,
    CLIENT_IS_FROZEN,
    INVALID_HEIGHT,
    DELAY_PERIOD_NOT_PASSED,
    INVALID_PROOF,
    INVALID_UPGRADE,
    INVALID_SUBSTITUTE,
    UNEXPECTED_CLIENT_MESSAGE,
)


class ClientError(_LightClientError):
    """A refused call: ``reason`` is one of ``REASONS``; the text is ``reason[: detail]``.

    A subclass of the sim-tendermint reference's error, so that whatever drives either client
    (the 08-wasm proxy side, the test harnesses) catches both alike."""

    def __init__(self, reason: str, detail: str = "") -> None:
        if reason not in REASONS:
            raise ValueError(f"{reason!r} is not a reason of contracts/tendermint.md")
        self.reason, self.detail = reason, detail
        super().__init__(f"{reason}: {detail}" if detail else reason)


def reason_of(text: str) -> str:
    """The reason of an error text (what two implementations are compared on)."""
    for reason in REASONS:
        if text == reason or text.startswith(reason + ": "):
            return reason
    return text
