"""Scenario files: the TOML that says what a simulation run does, read into frozen models.

``load_scenario`` and ``parse_scenario`` either return a ``Scenario`` that is valid as a whole
(every field well-formed, every name it uses defined, no trigger waiting on itself) or raise one
``ScenarioError`` holding every fault found, each a ``Fault`` shown as one line naming the file,
the field and what belongs there.
Durations are integer nanoseconds.
"""

from relayer_sim.scenario.actions import (
    Action,
    ConsensusSwitch,
    CreateClient,
    Fork,
    Garbage,
    Migrate,
    PlannedUpgrade,
    Recover,
    RelayerOffline,
    RemoveChecksum,
    SoftwareUpgrade,
    StoreCode,
    UpdateParams,
    ValidatorChange,
    ValidatorsOffline,
)
from relayer_sim.scenario.chains import CounterpartySpec, HostSpec, ValidatorPower
from relayer_sim.scenario.channels import ChannelSpec, TrafficSpec
from relayer_sim.scenario.clients import ClientSpec
from relayer_sim.scenario.durations import DurationError, format_duration, parse_duration
from relayer_sim.scenario.errors import Fault, ScenarioError
from relayer_sim.scenario.expectations import (
    Expectation,
    ExpectClientHeightAtLeast,
    ExpectClientStatus,
    ExpectForgedPacketsReceived,
    ExpectMaxClientLag,
    ExpectMisbehaviourDetected,
    ExpectPacketLatency,
    ExpectPacketsDelivered,
    ExpectProposalsPassed,
)
from relayer_sim.scenario.fields import scenario_contracts
from relayer_sim.scenario.limits import Limits
from relayer_sim.scenario.loading import load_scenario, parse_scenario
from relayer_sim.scenario.relayers import (
    MonitorSpec,
    RelayerSpec,
    UpdateBeforeExpiry,
    UpdateEveryBlock,
    UpdateOnInterval,
    UpdateOnLag,
    UpdatePolicy,
)
from relayer_sim.scenario.schema import Scenario
from relayer_sim.scenario.timeline import After, AtHeight, AtTime, TimelineEntry, Trigger

__all__ = [
    "Action",
    "After",
    "AtHeight",
    "AtTime",
    "ChannelSpec",
    "ClientSpec",
    "ConsensusSwitch",
    "CounterpartySpec",
    "CreateClient",
    "DurationError",
    "ExpectClientHeightAtLeast",
    "ExpectClientStatus",
    "ExpectForgedPacketsReceived",
    "ExpectMaxClientLag",
    "ExpectMisbehaviourDetected",
    "ExpectPacketLatency",
    "ExpectPacketsDelivered",
    "ExpectProposalsPassed",
    "Expectation",
    "Fault",
    "Fork",
    "Garbage",
    "HostSpec",
    "Limits",
    "Migrate",
    "MonitorSpec",
    "PlannedUpgrade",
    "Recover",
    "RelayerOffline",
    "RelayerSpec",
    "RemoveChecksum",
    "Scenario",
    "ScenarioError",
    "SoftwareUpgrade",
    "StoreCode",
    "TimelineEntry",
    "TrafficSpec",
    "Trigger",
    "UpdateBeforeExpiry",
    "UpdateEveryBlock",
    "UpdateOnInterval",
    "UpdateOnLag",
    "UpdateParams",
    "UpdatePolicy",
    "ValidatorChange",
    "ValidatorPower",
    "ValidatorsOffline",
    "format_duration",
    "load_scenario",
    "parse_duration",
    "parse_scenario",
    "scenario_contracts",
]
