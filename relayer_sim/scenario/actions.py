"""What a timeline entry does, one model per ``action``.

``store_code``, ``migrate``, ``remove_checksum``, ``recover``, ``update_params`` and
``software_upgrade`` are governance actions: each becomes a proposal that the host's validators
vote on, ``Yes`` unless its ``votes`` say otherwise.
"""

from __future__ import annotations

from typing import Annotated, Final, Literal

from pydantic import Field, model_validator

from relayer_sim.host.errors import InvalidMessage
from relayer_sim.host.params import validate_allowed_clients
from relayer_sim.scenario.base import TaggedBy, mismatch
from relayer_sim.scenario.durations import MINUTE
from relayer_sim.scenario.fields import (
    Contract,
    Duration,
    Entries,
    Name,
    NonNegativeInt,
    OneLine,
    Payload,
    PositiveInt,
)
from relayer_sim.scenario.timeline import TimelineEntry

#: A governance vote, as the SDK spells its options.
VoteOption = Literal["Yes", "No", "Abstain", "NoWithVeto"]


class GovernanceEntry(TimelineEntry):
    """A timeline entry that governance carries out as a proposal."""

    votes: dict[Name, VoteOption] = Field(default_factory=dict)
    """How host validators vote on it, ``{ val-a = "No" }``; a validator not named votes
    ``Yes``."""


class ConsensusSwitch(TimelineEntry):
    """The counterparty changes consensus version, which breaks clients that do not know it."""

    action: Literal["consensus_switch"] = "consensus_switch"
    """The action's kind."""
    version: Literal["tm-ed25519", "tm-secp256k1"]
    """The consensus version from the next block on."""


class StoreCode(GovernanceEntry):
    """Governance stores a contract's code on the host."""

    action: Literal["store_code"] = "store_code"
    """The action's kind."""
    contract: Contract
    """The contract to store: a shipped one's name, or a ``.wasm`` or ``.wasm.gz`` file
    (relative to the scenario file)."""


class Migrate(GovernanceEntry):
    """Governance moves a client to another contract's code (``MsgMigrateContract``)."""

    action: Literal["migrate"] = "migrate"
    """The action's kind."""
    client: str
    """The client to migrate."""
    contract: Contract
    """The contract to migrate it to (a shipped one's name or a contract file); its code must
    be stored by then."""


class RemoveChecksum(GovernanceEntry):
    """Governance removes a contract's checksum; clients on it become ``Unauthorized``."""

    action: Literal["remove_checksum"] = "remove_checksum"
    """The action's kind."""
    contract: Contract
    """The contract whose checksum is removed."""


class Recover(GovernanceEntry):
    """Governance replaces a frozen or expired client's state by an active substitute's."""

    action: Literal["recover"] = "recover"
    """The action's kind."""
    subject: str
    """The client to recover."""
    substitute: str
    """The client whose state replaces the subject's; another client."""


class UpdateParams(GovernanceEntry):
    """Governance changes IBC params: the client types 02-client allows and 03-connection's
    longest expected block time (which turns a connection's delay period into blocks)."""

    action: Literal["update_params"] = "update_params"
    """The action's kind."""
    allowed_clients: Entries[OneLine] | None = None
    """The client types allowed from then on (``["08-wasm"]``; ``["*"]``: every type); a
    client of another type becomes ``Unauthorized``."""
    max_expected_time_per_block: Duration | None = None
    """The longest block time the host expects."""

    @model_validator(mode="after")
    def _changes_something(self) -> UpdateParams:
        if self.allowed_clients is None and self.max_expected_time_per_block is None:
            raise mismatch(
                "allowed_clients or max_expected_time_per_block", field="allowed_clients"
            )
        if self.allowed_clients is not None:
            try:
                validate_allowed_clients(self.allowed_clients)
            except InvalidMessage as error:
                expected = f"an allow list ibc-go takes ({error})"
                raise mismatch(expected, field="allowed_clients") from None
        return self


class CreateClient(TimelineEntry):
    """A client is created now rather than at the start."""

    action: Literal["create_client"] = "create_client"
    """The action's kind."""
    client: str
    """The client to create: one with ``create_at = "never"``."""


class PlannedUpgrade(TimelineEntry):
    """The counterparty schedules an upgrade: it halts at ``height`` and publishes the new client
    state under the upgrade key for relayers to carry over."""

    action: Literal["planned_upgrade"] = "planned_upgrade"
    """The action's kind."""
    upgrade_name: OneLine
    """The upgrade plan's name."""
    height: PositiveInt
    """The counterparty height the chain halts at."""


class SoftwareUpgrade(GovernanceEntry):
    """Governance upgrades the host's binary (the hard-fork path): once the proposal passes,
    the host halts at the planned height, stays down for its ``upgrade_delay`` while the
    validators install the binary, and resumes under it. While halted it makes no blocks and
    serves no client and no packet."""

    action: Literal["software_upgrade"] = "software_upgrade"
    """The action's kind."""
    upgrade_name: OneLine
    """The upgrade plan's name."""
    binary: Literal["v1", "v2"]
    """The binary the host runs after it (``v2``: a native light client that also verifies
    tm-secp256k1 headers)."""
    halt_after: Duration = 10 * MINUTE
    """How long after the voting period ends the planned height comes (the notice validators
    get)."""


class Fork(TimelineEntry):
    """A coalition of counterparty validators (or, for an impostor, keys nobody holds but the
    attacker) signs a conflicting header, which a byzantine relayer submits to the host."""

    action: Literal["fork"] = "fork"
    """The action's kind."""
    kind: Literal["equivocation", "lunatic", "backdated", "impostor"]
    """``equivocation``: a second header at a height; ``lunatic``: a header from the coalition's
    own invented validator set; ``backdated``: a header whose time is not after an earlier one;
    ``impostor``: a header signed by keys the relayer invented, passed off as the trusted
    validators (only a client that skips that check accepts it)."""
    coalition: Entries[str] = ()
    """The counterparty validators that sign the fork; at least one, except for an impostor,
    which has none. What they must hold for a correct client to accept it: more than 2/3 of
    the validator set's power for an equivocation or a backdated header (they re-sign the
    honest set's header), more than the client's trust level (1/3 by default) of the trusted
    set for a lunatic one. ``relayer-sim run`` warns of a coalition short of it."""
    relayer: str
    """The byzantine relayer that submits it."""
    height: PositiveInt | None = None
    """The counterparty height of the forged header; by default the latest (a lunatic or
    impostor header: two past it, past what the client holds too)."""
    base: PositiveInt | None = None
    """The height of the consensus state the forged header is verified from (its trusted
    height, in the chain's current revision): one the client holds when the fork fires. By
    default the client's latest height, whatever the chain has reached, so a client a slow
    relayer leaves behind is still attacked where it stands. Not for a backdated fork, which
    builds on the state below the client's latest."""
    forge_packet: bool = False
    """The forged header's state also commits to a packet the counterparty never sent, on the
    channel of ``[traffic]``, and the byzantine relayer delivers it with a proof against that
    state (lunatic, equivocation and impostor forks, which choose their app hash)."""

    @model_validator(mode="after")
    def _coalition_fits_the_kind(self) -> Fork:
        if self.kind == "impostor" and self.coalition:
            raise mismatch(
                "no coalition on an impostor fork (invented keys sign it)", field="coalition"
            )
        if self.kind != "impostor" and not self.coalition:
            raise mismatch(
                f"at least one validator to sign the {self.kind} fork", field="coalition"
            )
        return self

    @model_validator(mode="after")
    def _base_below_the_header(self) -> Fork:
        if self.base is not None and self.kind == "backdated":
            raise mismatch(
                "no base on a backdated fork (it builds below the client's latest)", field="base"
            )
        if self.base is not None and self.height is not None and self.base >= self.height:
            raise mismatch(f"a base below the forged header's height ({self.height})", field="base")
        return self

    @model_validator(mode="after")
    def _forged_packet_needs_a_forged_state(self) -> Fork:
        if self.forge_packet and self.kind == "backdated":
            raise mismatch(
                "no forged packet on a backdated fork (it keeps the honest state)",
                field="forge_packet",
            )
        return self


class Garbage(TimelineEntry):
    """A byzantine relayer submits random bytes as a client message."""

    action: Literal["garbage"] = "garbage"
    """The action's kind."""
    relayer: str
    """The byzantine relayer that submits them."""
    bytes: Payload = 200
    """How many bytes, at most 1 MiB."""


class RelayerOffline(TimelineEntry):
    """A relayer stops for a while, then resumes."""

    action: Literal["relayer_offline"] = "relayer_offline"
    """The action's kind."""
    relayer: str
    """The relayer that stops."""
    duration: Duration = Field(alias="for")
    """How long it stays offline (written ``for``)."""


class ValidatorChange(TimelineEntry):
    """A counterparty validator's power changes: 0 removes it, a new name joins the set."""

    action: Literal["validator_change"] = "validator_change"
    """The action's kind."""
    validator: Name
    """The validator."""
    power: NonNegativeInt
    """Its new voting power; 0 makes it leave."""


class ValidatorsOffline(TimelineEntry):
    """Counterparty validators stop signing for a while; without more than 2/3 of the power
    online, the chain stalls."""

    action: Literal["validators_offline"] = "validators_offline"
    """The action's kind."""
    validators: Entries[str] = Field(min_length=1)
    """The validators that stop."""
    duration: Duration = Field(alias="for")
    """How long they stay offline (written ``for``)."""


#: The actions that change a counterparty chain (rather than the host or an agent).
CHAIN_ACTIONS: Final = (ConsensusSwitch, PlannedUpgrade, ValidatorChange, ValidatorsOffline)

#: A timeline entry, chosen by its ``action``.
Action = Annotated[
    ConsensusSwitch
    | StoreCode
    | Migrate
    | RemoveChecksum
    | Recover
    | UpdateParams
    | CreateClient
    | PlannedUpgrade
    | SoftwareUpgrade
    | Fork
    | Garbage
    | RelayerOffline
    | ValidatorChange
    | ValidatorsOffline,
    TaggedBy("action"),
]
