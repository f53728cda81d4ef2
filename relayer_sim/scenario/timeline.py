"""When a timeline entry fires: at a time, at a counterparty's height, or after another entry.

The file writes the trigger as flat fields beside the action's (``at = "2h"``); ``trigger`` gives
the one that is set as a value to match on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from pydantic import model_validator

from relayer_sim.scenario.base import Model, mismatch
from relayer_sim.scenario.fields import DurationOrZero, Name, PositiveInt

TRIGGER_FIELDS: Final = ("at", "at_height", "after")


@dataclass(frozen=True)
class AtTime:
    """Fire at ``time`` nanoseconds of simulated time since the start."""

    time: int


@dataclass(frozen=True)
class AtHeight:
    """Fire when the counterparty reaches ``height`` (the entry's, with several)."""

    height: int


@dataclass(frozen=True)
class After:
    """Fire ``delay`` nanoseconds after the timeline entry named ``entry`` fired."""

    entry: str
    delay: int


Trigger = AtTime | AtHeight | After


class TimelineEntry(Model):
    """What every timeline entry has besides its action: an optional name and one trigger."""

    name: Name | None = None
    """A name, unique in the timeline; needed only when an ``after`` refers to the entry."""
    at: DurationOrZero | None = None
    """Trigger: fire at this simulated time since the start."""
    at_height: PositiveInt | None = None
    """Trigger: fire when the counterparty reaches this height."""
    after: str | None = None
    """Trigger: fire after the timeline entry of this name fired."""
    delay: DurationOrZero = 0
    """With ``after``: how long after that entry to fire."""
    counterparty: Name | None = None
    """The counterparty whose height ``at_height`` waits for, or that a chain action
    (``consensus_switch``, ``planned_upgrade``, ``validator_change``, ``validators_offline``)
    acts on; needed only when there are several. A fork's is its relayer's client's."""

    @model_validator(mode="after")
    def _one_trigger(self) -> TimelineEntry:
        given = [field for field in TRIGGER_FIELDS if getattr(self, field) is not None]
        if len(given) != 1:
            expected = "exactly one trigger: at, at_height or after"
            raise mismatch(expected, got=" and ".join(given) or "none")
        if self.after is None and "delay" in self.model_fields_set:
            raise mismatch("no delay without an after trigger", field="delay")
        return self

    @property
    def trigger(self) -> Trigger:
        """The trigger that is set."""
        if self.at is not None:
            return AtTime(self.at)
        if self.at_height is not None:
            return AtHeight(self.at_height)
        assert self.after is not None  # _one_trigger made sure
        return After(self.after, self.delay)
