"""The host chain's governance: the SDK's x/gov v1 without deposits.

A proposal carries messages governance never looks into; the validators vote with their power,
and when the voting period ends a proposal that passes has its messages executed, in order, as
the governance authority. This is how a scenario stores new contract code, migrates a client or
recovers a frozen one.

Every piece of state lives in the ``Storage`` the host hands over (a prefix of its own store), so
proposals and votes survive a restart with the rest of the host. Ids sit in keys as fixed-width
big-endian numbers, so every scan comes back in id order:

| key                                  | value                                             |
|--------------------------------------|---------------------------------------------------|
| ``nextProposalId``                   | u64 big-endian                                    |
| ``proposals/`` ‖ u64be id            | msgpack proposal record (see ``_pack``)           |
| ``active/`` ‖ u64be id               | u64be voting end: the proposals still being voted |
| ``votes/`` ‖ u64be id ‖ ``/`` ‖ voter| the vote option's name                            |
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from fractions import Fraction
from typing import Final, Generic, TypeVar

import msgpack

from relayer_sim.host.errors import (
    HostError,
    InactiveProposal,
    InvalidMessage,
    NotFound,
    Unauthorized,
)
from relayer_sim.vm import Storage
from relayer_sim.vm.storage import prefix_end

#: The gov module account, bech32("cosmos", sha256("gov")[:20]) as the SDK derives it
#: (``authtypes.NewModuleAddress("gov")``): the signer authority-only messages must carry.
GOV_AUTHORITY: Final = "cosmos10d07y265gmmuvt4z0w9aw880jnsr700j6zn9kn"
#: The SDK's default voting period, two days; scenarios shorten it.
DEFAULT_VOTING_PERIOD_NS: Final = 172_800 * 10**9

NEXT_ID_KEY: Final = b"nextProposalId"
PROPOSAL_PREFIX: Final = b"proposals/"
ACTIVE_PREFIX: Final = b"active/"
VOTE_PREFIX: Final = b"votes/"
FIRST_PROPOSAL_ID: Final = 1
_MAX_ID: Final = 2**64 - 1

Msg = TypeVar("Msg")
#: Runs a passed proposal's messages all-or-nothing (see ``Governance.end_block``).
Atomically = Callable[[Callable[[], None]], None]


class ProposalStatus(StrEnum):
    VOTING_PERIOD = "VotingPeriod"
    PASSED = "Passed"
    REJECTED = "Rejected"
    #: Passed the vote, but one of its messages failed and stopped the rest.
    FAILED = "Failed"


class VoteOption(StrEnum):
    YES = "Yes"
    NO = "No"
    ABSTAIN = "Abstain"
    NO_WITH_VETO = "NoWithVeto"


@dataclass(frozen=True)
class Tally:
    """Voting power behind each option, and all the power that could have voted."""

    yes: int = 0
    no: int = 0
    abstain: int = 0
    no_with_veto: int = 0
    total_power: int = 0

    @property
    def cast(self) -> int:
        return self.yes + self.no + self.abstain + self.no_with_veto


@dataclass(frozen=True)
class GovParams:
    """How long proposals are open and which shares of power decide them (the SDK's defaults)."""

    voting_period_ns: int = DEFAULT_VOTING_PERIOD_NS
    #: Share of all power that must vote (abstaining counts).
    quorum: Fraction = Fraction(1, 3)
    #: Share of non-abstaining votes that Yes must exceed.
    threshold: Fraction = Fraction(1, 2)
    #: Share of votes cast that NoWithVeto must exceed to reject the proposal outright.
    veto_threshold: Fraction = Fraction(1, 3)

    def __post_init__(self) -> None:
        period = self.voting_period_ns
        if isinstance(period, bool) or not isinstance(period, int) or period <= 0:
            raise InvalidMessage(f"voting period must be a positive integer (ns), got {period!r}")
        _check_share("quorum", self.quorum, zero_allowed=True)
        _check_share("threshold", self.threshold, zero_allowed=False)
        _check_share("veto threshold", self.veto_threshold, zero_allowed=False)

    def passes(self, tally: Tally) -> bool:
        return self.rejection(tally) is None

    def rejection(self, tally: Tally) -> str | None:
        """Why ``tally`` fails the SDK's rule (quorum of all power, no veto among votes cast,
        Yes over the threshold of the votes that did not abstain), checked in its order; None
        when it passes."""
        if tally.total_power <= 0 or tally.cast == 0:
            return "no votes were cast"
        if Fraction(tally.cast, tally.total_power) < self.quorum:
            return (
                f"no quorum: {tally.cast} of {tally.total_power} power voted, "
                f"{self.quorum} of it needed"
            )
        if Fraction(tally.no_with_veto, tally.cast) > self.veto_threshold:
            return (
                f"vetoed: {tally.no_with_veto} of {tally.cast} power voted NoWithVeto, "
                f"more than {self.veto_threshold}"
            )
        deciding = tally.yes + tally.no + tally.no_with_veto
        if deciding == 0 or Fraction(tally.yes, deciding) <= self.threshold:
            return (
                f"{tally.yes} of {deciding} power voted Yes among those that did not abstain, "
                f"not more than {self.threshold}"
            )
        return None


def _check_share(name: str, value: object, zero_allowed: bool) -> None:
    # Fractions only: a float would make the tally depend on rounding.
    if not isinstance(value, Fraction):
        raise InvalidMessage(f"{name} must be a Fraction, got {value!r}")
    if value > 1 or value < 0 or (value == 0 and not zero_allowed):
        bounds = "[0, 1]" if zero_allowed else "(0, 1]"
        raise InvalidMessage(f"{name} must be in {bounds}, got {value}")


@dataclass(frozen=True)
class Proposal(Generic[Msg]):
    proposal_id: int
    title: str
    proposer: str
    messages: tuple[Msg, ...]
    submit_time_ns: int
    voting_end_ns: int
    status: ProposalStatus
    #: The tally at the end of the voting period; ``None`` while it runs.
    final_tally: Tally | None = None
    #: Why a passed proposal failed to execute: the failing message's error text.
    error: str | None = None


@dataclass(frozen=True)
class Vote:
    voter: str
    option: VoteOption


@dataclass(frozen=True)
class MessageGas:
    """What a message a proposal ran cost: its SDK gas and the contract gas within it."""

    message: str
    gas_used: int
    contract_gas: int


@dataclass(frozen=True)
class ProposalOutcome:
    """What ``end_block`` did with a proposal whose voting period ended."""

    proposal_id: int
    status: ProposalStatus
    tally: Tally
    #: Why it failed (a message's error) or was rejected (the tally against the rule).
    error: str | None = None
    #: What its messages emitted, when they all ran (the host's SDK events).
    events: tuple[object, ...] = ()
    #: What each message it ran cost, the failing one included.
    gas: tuple[MessageGas, ...] = ()


def _in_place(run: Callable[[], None]) -> None:
    """Run a proposal's messages with no rollback (for callers without a cache store)."""
    run()


class Governance(Generic[Msg]):
    """Proposals, votes and their outcomes over a host store.

    ``voting_power`` gives the validators' power as it is now (address → power); it is asked on
    every vote and at every tally, so power that changed during the voting period counts as it
    stands at the end. ``encode``/``decode`` turn a proposal's messages into bytes and back.
    """

    def __init__(
        self,
        store: Storage,
        params: GovParams,
        voting_power: Callable[[], Mapping[str, int]],
        *,
        encode: Callable[[Msg], bytes],
        decode: Callable[[bytes], Msg],
    ) -> None:
        self.params = params
        self._store = store
        self._voting_power = voting_power
        self._encode, self._decode = encode, decode

    def submit(self, proposer: str, title: str, messages: Sequence[Msg], now_ns: int) -> int:
        """Open a proposal for voting until ``now_ns`` plus the voting period; return its id."""
        if not messages:
            raise InvalidMessage("a proposal needs at least one message")
        if not title.strip():
            raise InvalidMessage("a proposal needs a title")
        if not proposer:
            raise InvalidMessage("a proposal needs a proposer")
        proposal_id = self._next_id()
        proposal = Proposal(
            proposal_id=proposal_id,
            title=title,
            proposer=proposer,
            messages=tuple(messages),
            submit_time_ns=now_ns,
            voting_end_ns=now_ns + self.params.voting_period_ns,
            status=ProposalStatus.VOTING_PERIOD,
        )
        self._put(proposal)
        self._store.set(_active_key(proposal_id), _u64(proposal.voting_end_ns))
        self._store.set(NEXT_ID_KEY, _u64(proposal_id + 1))
        return proposal_id

    def vote(self, proposal_id: int, voter: str, option: VoteOption | str, now_ns: int) -> None:
        """Record ``voter``'s vote, replacing an earlier one; votes close at the voting end."""
        try:
            chosen = VoteOption(option)
        except ValueError:
            raise InvalidMessage(f"unknown vote option {option!r}") from None
        proposal = self.proposal(proposal_id)
        if proposal.status is not ProposalStatus.VOTING_PERIOD or now_ns >= proposal.voting_end_ns:
            raise InactiveProposal(f"proposal {proposal_id} is no longer in its voting period")
        if self._voting_power().get(voter, 0) <= 0:
            raise Unauthorized(f"{voter!r} has no voting power")
        self._store.set(_vote_key(proposal_id, voter), chosen.value.encode())

    def end_block(
        self,
        now_ns: int,
        execute: Callable[[Msg], object],
        atomically: Atomically = _in_place,
    ) -> list[ProposalOutcome]:
        """Tally every proposal whose voting ended by ``now_ns``, in id order, and execute those
        that pass. ``execute`` runs one message as the authority; a ``HostError`` from it fails
        the proposal and stops its remaining messages.

        ``atomically(run)`` calls ``run`` (which executes one proposal's messages) so that its
        writes stay only if it returns: the host runs it over a cache store and lets a
        ``HostError`` through. The default runs the messages in place, keeping partial writes.
        """
        due = [
            _id_of(key, ACTIVE_PREFIX)
            for key, end in self._store.scan(ACTIVE_PREFIX, prefix_end(ACTIVE_PREFIX), True)
            if int.from_bytes(end, "big") <= now_ns
        ]
        return [
            self._conclude(self.proposal(proposal_id), execute, atomically) for proposal_id in due
        ]

    def proposal(self, proposal_id: int) -> Proposal[Msg]:
        raw = None
        if FIRST_PROPOSAL_ID <= proposal_id <= _MAX_ID:
            raw = self._store.get(_proposal_key(proposal_id))
        if raw is None:
            raise NotFound(f"unknown proposal {proposal_id}")
        return _unpack(raw, self._decode)

    def proposals(self) -> tuple[Proposal[Msg], ...]:
        """Every proposal ever submitted, by id."""
        pairs = self._store.scan(PROPOSAL_PREFIX, prefix_end(PROPOSAL_PREFIX), True)
        return tuple(_unpack(raw, self._decode) for _key, raw in pairs)

    def votes(self, proposal_id: int) -> tuple[Vote, ...]:
        """The current vote of each voter on a proposal, by voter address."""
        self.proposal(proposal_id)
        return tuple(self._votes(proposal_id))

    def _conclude(
        self, proposal: Proposal[Msg], execute: Callable[[Msg], object], atomically: Atomically
    ) -> ProposalOutcome:
        tally = self._tally(proposal.proposal_id)
        rejection = self.params.rejection(tally)
        status, error = ProposalStatus.REJECTED, None
        if rejection is None:
            status, error = _execute_all(proposal.messages, execute, atomically)
        self._store.delete(_active_key(proposal.proposal_id))
        self._put(replace(proposal, status=status, final_tally=tally, error=error))
        # The SDK keeps no reason for a rejection; the outcome tells it.
        return ProposalOutcome(proposal.proposal_id, status, tally, error or rejection)

    def _tally(self, proposal_id: int) -> Tally:
        power = self._voting_power()
        by_option = dict.fromkeys(VoteOption, 0)
        for vote in self._votes(proposal_id):
            by_option[vote.option] += power.get(vote.voter, 0)
        return Tally(
            yes=by_option[VoteOption.YES],
            no=by_option[VoteOption.NO],
            abstain=by_option[VoteOption.ABSTAIN],
            no_with_veto=by_option[VoteOption.NO_WITH_VETO],
            total_power=sum(power.values()),
        )

    def _votes(self, proposal_id: int) -> Iterator[Vote]:
        prefix = _votes_prefix(proposal_id)
        for key, option in self._store.scan(prefix, prefix_end(prefix), True):
            yield Vote(key[len(prefix) :].decode(), VoteOption(option.decode()))

    def _next_id(self) -> int:
        raw = self._store.get(NEXT_ID_KEY)
        return FIRST_PROPOSAL_ID if raw is None else int.from_bytes(raw, "big")

    def _put(self, proposal: Proposal[Msg]) -> None:
        self._store.set(_proposal_key(proposal.proposal_id), _pack(proposal, self._encode))


def _execute_all(
    messages: Sequence[Msg], execute: Callable[[Msg], object], atomically: Atomically
) -> tuple[ProposalStatus, str | None]:
    def run() -> None:
        for message in messages:
            execute(message)

    try:
        atomically(run)
    except HostError as error:
        return ProposalStatus.FAILED, str(error) or type(error).__name__
    return ProposalStatus.PASSED, None


def _u64(value: int) -> bytes:
    return value.to_bytes(8, "big")


def _proposal_key(proposal_id: int) -> bytes:
    return PROPOSAL_PREFIX + _u64(proposal_id)


def _active_key(proposal_id: int) -> bytes:
    return ACTIVE_PREFIX + _u64(proposal_id)


def _votes_prefix(proposal_id: int) -> bytes:
    # The "/" makes it a prefix that never ends in 0xff, as ``prefix_end`` needs.
    return VOTE_PREFIX + _u64(proposal_id) + b"/"


def _vote_key(proposal_id: int, voter: str) -> bytes:
    return _votes_prefix(proposal_id) + voter.encode()


def _id_of(key: bytes, prefix: bytes) -> int:
    return int.from_bytes(key[len(prefix) :], "big")


def _pack(proposal: Proposal[Msg], encode: Callable[[Msg], bytes]) -> bytes:
    """msgpack ``[id, title, proposer, [message…], submit, end, status, tally|nil, error|nil]``,
    tally = ``[yes, no, abstain, no_with_veto, total_power]``."""
    tally = proposal.final_tally
    return msgpack.packb(  # type: ignore[no-any-return]
        [
            proposal.proposal_id,
            proposal.title,
            proposal.proposer,
            [encode(message) for message in proposal.messages],
            proposal.submit_time_ns,
            proposal.voting_end_ns,
            proposal.status.value,
            None
            if tally is None
            else [tally.yes, tally.no, tally.abstain, tally.no_with_veto, tally.total_power],
            proposal.error,
        ]
    )


def _unpack(raw: bytes, decode: Callable[[bytes], Msg]) -> Proposal[Msg]:
    fields = msgpack.unpackb(raw)
    proposal_id, title, proposer, messages, submit, end, status, tally, error = fields
    return Proposal(
        proposal_id=proposal_id,
        title=title,
        proposer=proposer,
        messages=tuple(decode(message) for message in messages),
        submit_time_ns=submit,
        voting_end_ns=end,
        status=ProposalStatus(status),
        final_tally=None if tally is None else Tally(*tally),
        error=error,
    )
