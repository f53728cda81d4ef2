"""Why the host refuses a transaction. Every refusal is one of these: the transaction fails, all
of its writes are discarded, and the error's text is what the trace and the user see.

The classes follow ibc-go's and the SDK's error kinds, so that a test or a scenario can expect a
kind (``Unauthorized``, ``ClientNotFound``…) rather than match a message.
"""

from __future__ import annotations


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


class ClientStatusError(HostError):
    """The client's status forbids the operation (not Active, or Active where it must not be)."""


class ContractError(HostError):
    """The light-client contract refused the call; the text is the contract's."""


class ContractFailure(HostError):
    """The VM could not complete the contract call (trap, abort, out of VM gas, bad result)."""


class InvalidContractModification(HostError):
    """A contract left the client state deleted, unreadable, or on another checksum."""


class InactiveProposal(HostError):
    """The proposal's voting period is over and it takes no more votes (``ErrInactiveProposal``)."""
