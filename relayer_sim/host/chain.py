"""The host chain's blocks: a mempool, and blocks that run its transactions in arrival order.

A block at height H and time T runs every pending transaction (each all-or-nothing, with its
own gas limit), then governance's end of block, then commits; its record keeps every
transaction's result and an event per transaction for the trace. The host's IBC height is
(revision from its chain id, H), as ibc-go derives it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from relayer_sim.host.app import HostApp, TxResult
from relayer_sim.host.errors import HostError, InvalidMessage
from relayer_sim.host.governance import ProposalOutcome
from relayer_sim.host.limits import MAX_TX_GAS as MAX_TX_GAS
from relayer_sim.host.messages import Msg, MsgRecvPacket, subject_of
from relayer_sim.host.packets import PacketOutcome
from relayer_sim.host.upgrade import UpgradePlan
from relayer_sim.host.validation import validate_basic
from relayer_sim.lightclient.store import HostEnv


@dataclass(frozen=True)
class Tx:
    """A message with the gas its sender is willing to spend."""

    msg: Msg
    gas_limit: int


@dataclass(frozen=True)
class Event:
    """What happened, for the trace: a kind and its attributes."""

    kind: str
    attributes: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class TxRecord:
    tx: Tx
    result: TxResult

    @property
    def event(self) -> Event:
        """``tx`` with the message type and subject, ok or the error kind and text, the gas,
        and for a packet whether it was new (a repeat is a successful no-op)."""
        attributes: dict[str, object] = {
            "message": type(self.tx.msg).__name__,
            **self.subject,
            "ok": self.result.ok,
            "gas_used": self.result.gas_used,
            "contract_gas": self.result.contract_gas,
        }
        outcome = self.result.result
        if isinstance(outcome, PacketOutcome):
            attributes["result"] = outcome.result
            if isinstance(self.tx.msg, MsgRecvPacket):
                attributes["received"] = outcome.done
        if self.result.error is not None:
            attributes["error"] = type(self.result.error).__name__
            attributes["reason"] = str(self.result.error)
        return Event("tx", attributes)

    @property
    def subject(self) -> dict[str, object]:
        """What the message is about, if its fields are in their domains: a malformed message
        (a lone surrogate, a 2^64 sequence) has no subject a trace could hold."""
        try:
            return subject_of(validate_basic(self.tx.msg))
        except HostError:
            return {}


@dataclass(frozen=True)
class BlockRecord:
    height: int
    time_ns: int
    app_hash: bytes
    txs: tuple[TxRecord, ...]
    proposals: tuple[ProposalOutcome, ...]


class HostChain:
    """A host producing blocks over a ``HostApp``."""

    def __init__(
        self,
        app: HostApp,
        chain_id: str,
        block_time_ns: int = 5 * 10**9,
        genesis_time_ns: int = 0,
    ) -> None:
        if block_time_ns <= 0:
            raise InvalidMessage(f"block time must be positive, got {block_time_ns}")
        self.app, self.chain_id, self.block_time_ns = app, chain_id, block_time_ns
        self.mempool: list[Tx] = []
        #: The last block's time (the genesis time before the first block).
        self.time_ns = genesis_time_ns
        #: While halted for an upgrade: when the validators will have installed its binary.
        self._resumes_ns: int | None = None

    def next_block_time(self) -> int:
        """When the next block is due: one block time after the last, or when a halted chain
        resumes."""
        return max(self.time_ns + self.block_time_ns, self._resumes_ns or 0)

    def upgrade_due(self) -> UpgradePlan | None:
        """The planned upgrade that halts the chain before its next block, if any."""
        return self.app.upgrade_needed(self.height + 1)

    @property
    def halted(self) -> bool:
        return self.upgrade_due() is not None

    def halt_until(self, time_ns: int) -> None:
        """Halted for an upgrade: its binary will be installed at ``time_ns``."""
        self._resumes_ns = time_ns

    def restart(self, binary: str) -> None:
        """Resume under ``binary``. A restarted node's mempool starts empty: what was sent
        while it was down is lost."""
        self.app.install(binary)
        self.mempool = []
        self._resumes_ns = None

    @property
    def height(self) -> int:
        return self.app.height

    def env(self, height: int | None = None, time_ns: int | None = None) -> HostEnv:
        """The host as a block (by default the last committed one) sees itself."""
        return HostEnv(
            self.height if height is None else height,
            self.time_ns if time_ns is None else time_ns,
            self.chain_id,
        )

    def submit(self, tx: Tx) -> None:
        """Queue ``tx`` for the next block; refuse an impossible gas limit at once."""
        if type(tx.gas_limit) is not int or not 0 < tx.gas_limit <= MAX_TX_GAS:
            raise InvalidMessage(f"gas limit must be in (0, {MAX_TX_GAS}], got {tx.gas_limit}")
        self.mempool.append(tx)

    def produce_block(self, time_ns: int) -> BlockRecord:
        """Run the mempool as the next block at ``time_ns`` and commit it."""
        if time_ns <= self.time_ns and self.height > 0:
            raise InvalidMessage(f"block time {time_ns} is not after {self.time_ns}")
        env = self.env(self.height + 1, time_ns)
        self.app.begin_block(env)
        pending, self.mempool = self.mempool, []
        records = tuple(TxRecord(tx, self.app.deliver(tx.msg, env, tx.gas_limit)) for tx in pending)
        proposals = tuple(self.app.end_block(env))
        app_hash = self.app.commit()
        self.time_ns = time_ns
        return BlockRecord(env.height, time_ns, app_hash, records, proposals)
