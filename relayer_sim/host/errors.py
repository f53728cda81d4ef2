"""Why the host refuses a transaction. Every refusal is one of these: the transaction fails, all
of its writes are discarded, and the error's text is what the trace and the user see.

The classes follow ibc-go's and the SDK's error kinds, so that a test or a scenario can expect a
kind (``Unauthorized``, ``ClientNotFound``…) rather than match a message.
"""

from __future__ import annotations

from typing import ClassVar


class HostError(Exception):
    """A transaction or query the host refuses."""


class OutOfGas(HostError):
    """The transaction used more gas than its limit."""

    def __init__(self, limit: int, wanted: int, descriptor: str) -> None:
        self.limit, self.wanted, self.descriptor = limit, wanted, descriptor
        super().__init__(f"out of gas in {descriptor}: limit {limit}, wanted {wanted}")


class Unauthorized(HostError):
    """The signer may not send this message (only the governance authority may)."""


def require_authority(signer: str, authority: str) -> None:
    """Refuse a governance-only message that ``authority`` did not sign."""
    if signer != authority:
        raise Unauthorized(f"expected {authority} as signer, got {signer}")


class InvalidMessage(HostError):
    """A message that is malformed or breaks a rule before any state is read."""


class NotFound(HostError):
    """Something the message names does not exist (a client, a checksum, a proposal)."""


class AlreadyExists(HostError):
    """Something the message would create exists already (stored code, a receipt)."""


class IbcError(HostError):
    """An error ibc-go registers: its ``codespace``, ``code`` and ``description``. The text is
    Go's ``errorsmod.Wrapf(err, detail)``: the detail, then the description."""

    codespace: ClassVar[str]
    code: ClassVar[int]
    description: ClassVar[str]

    def __init__(self, detail: str = "") -> None:
        super().__init__(f"{detail}: {self.description}" if detail else self.description)


def wrap(error: HostError, context: str) -> HostError:
    """``error`` with ``context`` before its text, of the same kind (Go's ``errorsmod.Wrap``).
    Running out of gas is not wrapped: the SDK stops the transaction as it is."""
    if isinstance(error, OutOfGas):
        return error
    wrapped = type(error).__new__(type(error))
    wrapped.__dict__.update(error.__dict__)
    wrapped.args = (f"{context}: {error}",)
    return wrapped


class ClientStatusError(IbcError):
    """The client's status forbids the operation (not Active, or Active where it must not be):
    02-client's ``ErrClientNotActive``."""

    codespace, code, description = "client", 29, "client state is not active"


class InvalidRecoveryClient(IbcError):
    codespace, code, description = "client", 24, "invalid recovery client"


# -- core (``modules/core/errors``) and 23-commitment --------------------------------------------


class InvalidHeight(IbcError):
    codespace, code, description = "ibc", 9, "invalid height"


class InvalidSequence(IbcError):
    codespace, code, description = "ibc", 1, "invalid sequence"


class InvalidVersion(IbcError):
    codespace, code, description = "ibc", 10, "invalid version"


class InvalidProof(IbcError):
    codespace, code, description = "commitment", 2, "invalid proof"


class InvalidClientHeight(IbcError):
    codespace, code, description = "client", 26, "invalid height"


# -- 03-connection --------------------------------------------------------------------------------


class ConnectionNotFound(IbcError):
    codespace, code, description = "connection", 3, "connection not found"


class InvalidConnectionState(IbcError):
    codespace, code, description = "connection", 6, "invalid connection state"


class InvalidConnectionCounterparty(IbcError):
    codespace, code, description = "connection", 7, "invalid counterparty connection"


class InvalidConnectionVersion(IbcError):
    codespace, code, description = "connection", 9, "invalid connection version"


class VersionNegotiationFailed(IbcError):
    codespace, code, description = "connection", 10, "connection version negotiation failed"


class InvalidConnectionIdentifier(IbcError):
    codespace, code, description = "connection", 11, "invalid connection identifier"


# -- 04-channel -----------------------------------------------------------------------------------


class ChannelNotFound(IbcError):
    codespace, code, description = "channel", 3, "channel not found"


class InvalidChannelState(IbcError):
    codespace, code, description = "channel", 5, "invalid channel state"


class InvalidChannelOrdering(IbcError):
    codespace, code, description = "channel", 6, "invalid channel ordering"


class InvalidChannelCounterparty(IbcError):
    codespace, code, description = "channel", 7, "invalid counterparty channel"


class SequenceSendNotFound(IbcError):
    codespace, code, description = "channel", 10, "sequence send not found"


class SequenceReceiveNotFound(IbcError):
    codespace, code, description = "channel", 11, "sequence receive not found"


class SequenceAckNotFound(IbcError):
    codespace, code, description = "channel", 12, "sequence acknowledgement not found"


class InvalidPacket(IbcError):
    codespace, code, description = "channel", 13, "invalid packet"


class TooManyConnectionHops(IbcError):
    codespace, code, description = "channel", 15, "too many connection hops"


class InvalidAcknowledgement(IbcError):
    codespace, code, description = "channel", 16, "invalid acknowledgement"


class AcknowledgementExists(IbcError):
    codespace, code, description = "channel", 17, "acknowledgement for packet already exists"


class InvalidChannelIdentifier(IbcError):
    codespace, code, description = "channel", 18, "invalid channel identifier"


class PacketReceived(IbcError):
    codespace, code, description = "channel", 19, "packet already received"


class PacketSequenceOutOfOrder(IbcError):
    codespace, code, description = "channel", 21, "packet sequence is out of order"


class InvalidChannelVersion(IbcError):
    codespace, code, description = "channel", 24, "invalid channel version"


class TimeoutNotReached(IbcError):
    codespace, code, description = "channel", 39, "timeout not reached"


class TimeoutElapsed(IbcError):
    codespace, code, description = "channel", 40, "timeout elapsed"


class ContractError(HostError):
    """The light-client contract refused the call; the text is the contract's."""


class ContractFailure(HostError):
    """The VM could not complete the contract call (trap, abort, out of VM gas, bad result)."""


class InvalidContractModification(HostError):
    """A contract left the client state deleted, unreadable, or on another checksum."""


class InactiveProposal(HostError):
    """The proposal's voting period is over and it takes no more votes (``ErrInactiveProposal``)."""
