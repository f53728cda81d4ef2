"""What a valid scenario will not do as its author may expect, said before it runs.

A fork whose coalition holds too little power for its kind is a scenario worth running (a
correct client must refuse it), but written by mistake it fails without a word: so the power a
coalition holds is compared, at load time, with what its kind needs, and a shortfall is named.
Power is counted at genesis (later ``validator_change`` entries may move it).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Final

from relayer_sim.scenario.actions import Fork
from relayer_sim.scenario.schema import Scenario

#: More than this share of the power must sign a header of the honest validator set.
TWO_THIRDS: Final = Fraction(2, 3)


@dataclass(frozen=True)
class Caution:
    """Something a scenario does that it may not mean: where, and what will happen."""

    path: str
    text: str

    def line(self, source: str) -> str:
        return f"{source}: {self.path}: {self.text}"


def cautions(scenario: Scenario) -> list[Caution]:
    """Each fork whose coalition holds too little power at genesis for its kind."""
    found = []
    for index, entry in enumerate(scenario.timeline):
        if isinstance(entry, Fork) and entry.kind != "impostor":
            caution = _short_of_power(scenario, entry)
            if caution is not None:
                found.append(Caution(f"timeline[{index}].coalition", caution))
    return found


def _power_needed(scenario: Scenario, fork: Fork) -> tuple[Fraction, str]:
    """The share of the power a fork's coalition must exceed, and of what: an equivocation or
    a backdated header re-signs a header of the honest validator set (more than 2/3 of it);
    a lunatic header skips from a trusted state (more than the client's trust level of it)."""
    if fork.kind == "lunatic":
        client = next(r.client for r in scenario.relayers if r.name == fork.relayer)
        level = next(c.trust_level for c in scenario.clients if c.name == client)
        return Fraction(*level), f"the trust level of client {client}"
    return TWO_THIRDS, "the validator set"


def _short_of_power(scenario: Scenario, fork: Fork) -> str | None:
    chain = scenario.entry_counterparty(fork)
    assert chain is not None  # a fork's chain is its relayer's client's
    powers = {validator.name: validator.power for validator in chain.validators}
    total = sum(powers.values())
    signed = sum(powers.get(name, 0) for name in fork.coalition)
    share, of_what = _power_needed(scenario, fork)
    if Fraction(signed, total) > share:
        return None
    article = "an" if fork.kind[0] in "aeiou" else "a"
    return (
        f"the coalition ({', '.join(fork.coalition)}) holds {signed} of {total} power at "
        f"genesis ({100 * signed // total} %); {article} {fork.kind} fork needs more than "
        f"{share} of {of_what}, so a correct client refuses it"
    )
