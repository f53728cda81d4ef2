"""What this runtime can carry out. A scenario that asks for more is refused before the run
starts, with a line saying what, rather than run without it."""

from __future__ import annotations

from relayer_sim.scenario import (
    ConsensusSwitch,
    CreateClient,
    ExpectClientHeightAtLeast,
    ExpectClientStatus,
    ExpectMaxClientLag,
    ExpectMisbehaviourDetected,
    ExpectPacketsDelivered,
    ExpectProposalsPassed,
    Fork,
    Garbage,
    Migrate,
    PlannedUpgrade,
    Recover,
    RelayerOffline,
    RemoveChecksum,
    Scenario,
    StoreCode,
)

SUPPORTED_ACTIONS = (
    ConsensusSwitch,
    StoreCode,
    Migrate,
    RemoveChecksum,
    Recover,
    CreateClient,
    Fork,
    Garbage,
    PlannedUpgrade,
    RelayerOffline,
)
SUPPORTED_FORKS = ("equivocation", "lunatic")
SUPPORTED_EXPECTATIONS = (
    ExpectClientStatus,
    ExpectPacketsDelivered,
    ExpectMaxClientLag,
    ExpectClientHeightAtLeast,
    ExpectProposalsPassed,
    ExpectMisbehaviourDetected,
)


class Unsupported(Exception):
    """A valid scenario asks for something the runtime cannot do yet."""


def require_supported(scenario: Scenario) -> None:
    """Refuse relayer faults, and actions and expectations the runtime does not carry out yet."""
    problems: list[str] = []
    for relayer in scenario.relayers:
        if relayer.latency or relayer.drop or relayer.duplicate:
            problems.append(f"faults of relayer {relayer.name!r} (latency, drop, duplicate)")
    for entry in scenario.timeline:
        if not isinstance(entry, SUPPORTED_ACTIONS):
            problems.append(f"timeline action {entry.action!r}")
        elif isinstance(entry, Fork) and entry.kind not in SUPPORTED_FORKS:
            problems.append(f"{entry.kind} forks")
    for expectation in scenario.expect:
        if not isinstance(expectation, SUPPORTED_EXPECTATIONS):
            problems.append(f"expectation {expectation.kind!r}")
    if problems:
        raise Unsupported(f"not supported by this runtime yet: {', '.join(problems)}")
