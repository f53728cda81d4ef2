"""The chains as actors: each counterparty and the host produce blocks on their block times.
Each actor is a trio task that acts only during its turn of the ``SimClock``."""

from __future__ import annotations

from collections.abc import Callable

from relayer_sim.counterparty.chain import Stalled
from relayer_sim.host.events import SdkEvent
from relayer_sim.world import World


async def counterparty_blocks(
    world: World, name: str, on_height: Callable[[str, int], None]
) -> None:
    """The blocks of the counterparty ``name`` (its actor's name too) at its block time (with
    its jitter); when too little power is online the chain stalls and tries again a block time
    later (the trace shows when a stall starts and when blocks resume, not every try).
    ``on_height`` hears of every new height with the chain's name (the timeline's height
    triggers)."""
    chain = world.chains[name]
    stalled_since: int | None = None
    while True:
        due = max(chain.next_block_time(), world.now_ns + 1)
        await world.clock.sleep_until(name, due - world.epoch_ns)
        if chain.halted:
            # The validators install the upgrade and restart one block time after the halt.
            world.record(name, "halted", chain_id=chain.chain_id)
            await world.clock.sleep(name, chain.config.block_time_ns)
            chain.restart_after_upgrade()
            world.record(name, "restarted", chain_id=chain.chain_id)
            continue
        produced = chain.produce_block(world.now_ns)
        if isinstance(produced, Stalled):
            if stalled_since is None:
                stalled_since = world.clock.now_ns
                world.record(name, "stalled", height=str(produced.height), reason=str(produced))
            await world.clock.sleep(name, chain.config.block_time_ns)
            continue
        header = produced.header
        if stalled_since is not None:
            world.record(name, "resumed", stalled_for=world.clock.now_ns - stalled_since)
            stalled_since = None
        world.record(
            name,
            "block",
            height=header.height,
            revision=header.revision,
            chain_id=header.chain_id,
            version=header.version.name,
            app_hash=header.app_hash,
        )
        on_height(name, header.height)


async def host_blocks(world: World, upgrade_delay_ns: int, name: str = "host") -> None:
    """Host blocks at the host's block time, each traced with its transactions and then, per
    transaction, a ``tx_refused`` with the reason if it failed and the SDK events it emitted
    (one record each, of the event's type, with ``tx``: the index of the transaction), then
    those of the proposals that ran (with ``proposal``: its id); the trace is flushed after
    each. At a planned software upgrade the host halts for ``upgrade_delay_ns`` while its
    validators install the new binary, then resumes under it."""
    host = world.host
    while True:
        await world.clock.sleep_until(name, host.next_block_time() - world.epoch_ns)
        plan = host.upgrade_due()
        if plan is not None:
            host.halt_until(world.now_ns + upgrade_delay_ns)
            reason = f"upgrade {plan.name}: installing binary {plan.binary}"
            world.record(name, "halted", height=plan.height, reason=reason)
            world.trace.flush()
            await world.clock.sleep_until(name, host.next_block_time() - world.epoch_ns)
            host.restart(plan.binary)
            world.record(name, "restarted", height=plan.height, binary=plan.binary)
            continue
        block = host.produce_block(world.now_ns)
        world.last_block = block
        world.recent_blocks.append(block)
        world.record(
            name,
            "block",
            height=block.height,
            app_hash=block.app_hash,
            txs=[record.event.attributes for record in block.txs],
            proposals=[
                {
                    "id": outcome.proposal_id,
                    "status": str(outcome.status),
                    "error": outcome.error,
                    "gas": [
                        {
                            "message": cost.message,
                            "gas_used": cost.gas_used,
                            "contract_gas": cost.contract_gas,
                        }
                        for cost in outcome.gas
                    ],
                }
                for outcome in block.proposals
            ],
        )
        for index, record in enumerate(block.txs):
            result = record.result
            if not result.ok:
                message = type(record.tx.msg).__name__
                world.record(
                    name, "tx_refused", tx=index, message=message, reason=str(result.error)
                )
            for event in result.events:
                world.record(name, event.type, tx=index, **_shortened(event.as_data()))
        for outcome in block.proposals:
            for emitted in outcome.events:
                assert isinstance(emitted, SdkEvent)
                data = _shortened(emitted.as_data())
                world.record(name, emitted.type, proposal=outcome.proposal_id, **data)
        world.trace.flush()
        for observe in world.observers:
            observe(world)


#: An SDK event's attribute value longer than this is shortened in the trace (packet data).
TRACED_VALUE_LENGTH = 512


def _shortened(attributes: dict[str, str]) -> dict[str, str]:
    """``attributes`` with every value a trace keeps whole: a long one is cut, its length told."""
    return {
        key: value
        if len(value) <= TRACED_VALUE_LENGTH
        else f"{value[:TRACED_VALUE_LENGTH]}…({len(value)} chars)"
        for key, value in attributes.items()
    }
