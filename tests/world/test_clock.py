"""The shared simulated clock: actors take turns in a fixed order, whatever trio's scheduler
does, and time jumps straight to the next wake-up."""

from __future__ import annotations

import trio
import trio.testing

from relayer_sim.world import SimClock


async def _run(actors: dict[str, list[int]], until_ns: int) -> list[tuple[int, str]]:
    clock = SimClock()
    seen: list[tuple[int, str]] = []
    for name in actors:
        clock.rank_of(name)

    async def actor(name: str, times: list[int]) -> None:
        try:
            for time_ns in times:
                await clock.sleep_until(name, time_ns)
                seen.append((clock.now_ns, name))
        finally:
            clock.end_turn()

    async with trio.open_nursery() as nursery:
        for name, times in actors.items():
            nursery.start_soon(actor, name, times)
        await trio.testing.wait_all_tasks_blocked()
        await clock.run(until_ns)
        nursery.cancel_scope.cancel()
    return seen


def _simulate(actors: dict[str, list[int]], until_ns: int = 10**18) -> list[tuple[int, str]]:
    return trio.run(_run, actors, until_ns, clock=trio.testing.MockClock(autojump_threshold=0))


def test_turns_follow_time_then_rank_every_run() -> None:
    actors = {"counterparty": [5, 10, 10, 20], "host": [10, 15], "relayer": [0, 10, 30]}
    expected = [
        (0, "relayer"),
        (5, "counterparty"),
        (10, "counterparty"),
        (10, "counterparty"),
        (10, "host"),
        (10, "relayer"),
        (15, "host"),
        (20, "counterparty"),
        (30, "relayer"),
    ]
    for _ in range(20):  # trio shuffles simultaneous tasks; the clock must not care
        assert _simulate(actors) == expected


def test_days_pass_at_once_and_the_run_stops_at_its_end() -> None:
    day = 86_400 * 10**9
    seen = _simulate({"a": [day, 2 * day, 3 * day]}, until_ns=2 * day)
    assert seen == [(day, "a"), (2 * day, "a")]


def test_a_sleeper_can_be_woken_sooner() -> None:
    async def main() -> list[tuple[int, str]]:
        clock = SimClock()
        seen: list[tuple[int, str]] = []
        clock.rank_of("timeline")
        clock.rank_of("chain")

        async def timeline() -> None:
            try:
                await clock.sleep_until("timeline", 100)
                seen.append((clock.now_ns, "timeline"))
            finally:
                clock.end_turn()

        async def chain() -> None:
            try:
                await clock.sleep_until("chain", 10)
                clock.wake_by("timeline", 30)  # something the timeline waits for happened
                clock.wake_by("timeline", 50)  # later than already asked: no change
                await clock.sleep_until("chain", 200)
            finally:
                clock.end_turn()

        async with trio.open_nursery() as nursery:
            nursery.start_soon(timeline)
            nursery.start_soon(chain)
            await trio.testing.wait_all_tasks_blocked()
            await clock.run(1_000)
            nursery.cancel_scope.cancel()
        return seen

    seen = trio.run(main, clock=trio.testing.MockClock(autojump_threshold=0))
    assert seen == [(30, "timeline")]
