"""The trace of a run: every observable event, in order, in one msgpack file.

Metrics, reports and comparisons read a run only through its trace, and a run must replay bit
for bit, so the same scenario and seed must give the same bytes. Hence:

- times are simulated nanoseconds; nothing from the wall clock or the machine is written;
- event data holds only msgpack-native values (str, int, bool, None, bytes, lists, maps with
  str keys), checked on the way in: nothing is converted silently (a tuple would come back as
  a list, an enum as its value) and no float lets rounding into a trace;
- every map, the records' own included, is written with its keys sorted.

The file is a sequence of msgpack maps without framing. First the header::

    {"format": "relayer-sim-trace", "version": 1, "scenario": str, "seed": int, "started": int}

``started`` is the absolute simulated time (ns since the Unix epoch) of simulated time 0, the
counterparty's genesis: a value of the scenario, not of the day it ran. Then one record per
event::

    {"t": int, "seq": int, "actor": str, "kind": str, "data": map}

``t`` is simulated time since the start of the run in ns and never decreases; ``seq`` counts
0, 1, 2… in record order.

A crashed run can leave its last record cut short. ``read_trace`` reports that as
``TruncatedTrace``, or accepts it with ``allow_torn_tail=True`` and says where the whole
records end; any other damage is a ``CorruptTrace``.

Reading is bounded, since a trace may come from anywhere: only a regular file of at most
``MAX_TRACE_FILE`` bytes is read, a record of at most ``MAX_RECORD`` bytes and
``MAX_ITEMS`` entries per list or map, nested at most ``MAX_DEPTH`` deep (writing refuses
deeper data too).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Final

import msgpack

from relayer_sim.files import MIB, FileRefused, open_regular
from relayer_sim.text import is_utf8

FORMAT: Final = "relayer-sim-trace"
VERSION: Final = 1
_HEADER_FIELDS: Final = frozenset({"format", "version", "scenario", "seed", "started"})
_EVENT_FIELDS: Final = frozenset({"t", "seq", "actor", "kind", "data"})
#: msgpack integers span int64 and uint64.
_INT_MIN: Final = -(2**63)
_INT_END: Final = 2**64
_NATIVE: Final = "str, int, bool, None, bytes, list or dict with str keys"
#: The largest trace file read: a 24-hour run with a packet every 30 s writes about 10 MB,
#: and the scenario limits allow 30 days.
MAX_TRACE_FILE: Final = 512 * MIB
#: The largest record, and the most entries in one of its lists or maps.
MAX_RECORD: Final = 64 * MIB
MAX_ITEMS: Final = 1 << 20
#: How deep data may nest: a run's deepest (a transaction in a block) is 3.
MAX_DEPTH: Final = 32


# -- the trace as read ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TraceHeader:
    """What the run was: its scenario, seed and the absolute simulated time of ``t = 0``."""

    scenario: str
    seed: int
    started_ns: int


@dataclass(frozen=True, slots=True)
class Event:
    """One record: ``data`` holds only msgpack-native values, with str keys."""

    t_ns: int
    seq: int
    actor: str
    kind: str
    data: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Trace:
    """A run's header and its events in record order."""

    header: TraceHeader
    events: tuple[Event, ...]
    #: Byte offset of a cut-short last record that was accepted (``allow_torn_tail``), else None.
    torn_tail_at: int | None = None


class TraceError(Exception):
    """A file that cannot be read as a trace."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path, self.reason = path, reason
        super().__init__(f"{path}: {reason}")


class NotATrace(TraceError):
    """The file does not start with a trace header: some other file, or an empty one."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, "not a relayer-sim trace (it does not start with a trace header)")


class UnsupportedVersion(TraceError):
    """A trace in a format version this code does not read."""

    def __init__(self, path: Path, version: object) -> None:
        self.version = version
        super().__init__(
            path, f"trace format version {version!r:.40} is not supported (only {VERSION})"
        )


class CorruptTrace(TraceError):
    """A trace damaged in a way a crash cannot explain; never accepted."""

    def __init__(self, path: Path, offset: int, reason: str) -> None:
        self.offset = offset
        super().__init__(path, f"corrupt record at byte {offset}: {reason}")


class TruncatedTrace(TraceError):
    """The last record is cut short, as a crashed run leaves it; the records before are whole."""

    def __init__(self, path: Path, offset: int) -> None:
        self.offset = offset
        super().__init__(path, f"the last record, at byte {offset}, is cut short (a crashed run?)")


# -- writing --------------------------------------------------------------------------------------


class TraceRecorder:
    """Writes a trace: ``header`` once, then ``record`` per event, ``flush`` per host block.

    Records are buffered in memory until ``flush`` (or ``close``), so a crash loses at most the
    events since the last flush and tears at most the last record. A recorder opened on a path
    owns the file and closes it; a stream handed in is flushed but left open for its owner.
    A refused record (``TypeError`` for data, ``ValueError`` for time) writes nothing.
    """

    def __init__(self, target: Path | str | BinaryIO) -> None:
        if isinstance(target, Path | str):
            # Owned for the recorder's lifetime; ``close`` closes it.
            self._stream: BinaryIO = Path(target).open("wb")  # noqa: SIM115
            self._owns_stream = True
        else:
            self._stream, self._owns_stream = target, False
        self._buffer = bytearray()
        self._started = False
        self._closed = False
        self._next_seq = 0
        self._last_t_ns = 0

    def header(self, *, scenario: str, seed: int, started_ns: int) -> None:
        """Begin the trace; before any ``record``, exactly once."""
        self._check_open()
        if self._started:
            raise RuntimeError("the trace header is written already")
        if not (type(scenario) is str and type(seed) is int and type(started_ns) is int):
            raise TypeError("a trace header is a scenario name (str), a seed and a time (int)")
        header = _header_record(TraceHeader(scenario, seed, started_ns))
        self._buffer += _pack(_canonical(header, "header"))
        self._started = True

    def record(self, t_ns: int, actor: str, kind: str, **data: object) -> None:
        """Append the event ``kind`` of ``actor`` at ``t_ns`` (simulated ns since the start of
        the run, never less than the last record's), numbered by the next ``seq``. ``data``'s
        names cannot be ``t_ns``, ``actor`` or ``kind``."""
        self._check_open()
        if not self._started:
            raise RuntimeError("write the trace header before the first record")
        if not (type(t_ns) is int and t_ns < _INT_END):
            raise TypeError(f"a trace time is an int of simulated ns, not {t_ns!r}")
        if t_ns < self._last_t_ns:
            raise ValueError(
                f"trace time going backwards: {t_ns} ns is before {self._last_t_ns} ns"
            )
        if not (type(actor) is str and actor and type(kind) is str and kind):
            raise TypeError(f"actor and kind must be non-empty str, not {actor!r} and {kind!r}")
        try:
            canonical = _canonical(data, "")
        except TypeError as error:
            raise TypeError(f"trace record {kind!r} of {actor!r}: {error}") from None
        self._buffer += _pack(_event_record(t_ns, self._next_seq, actor, kind, canonical))
        self._next_seq += 1
        self._last_t_ns = t_ns

    def flush(self) -> None:
        """Hand the buffered records to the file (and the file's buffer to the OS)."""
        self._check_open()
        if self._buffer:
            self._stream.write(self._buffer)
            self._buffer.clear()
        self._stream.flush()

    def close(self) -> None:
        """Flush, then close the file if the recorder opened it. Closing twice is harmless."""
        if self._closed:
            return
        try:
            self.flush()
        finally:
            self._closed = True
            if self._owns_stream:
                self._stream.close()

    def __enter__(self) -> TraceRecorder:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()  # also after an error: the events up to it are what explains it

    def _check_open(self) -> None:
        if self._closed:
            raise ValueError("the trace recorder is closed")


# -- reading --------------------------------------------------------------------------------------


def read_trace(path: Path | str, *, allow_torn_tail: bool = False) -> Trace:
    """The trace in ``path``, checked record by record: fields, types, ``seq``, time order.

    A cut-short last record raises ``TruncatedTrace`` unless ``allow_torn_tail``; then the
    whole records are returned and ``Trace.torn_tail_at`` says where the torn one begins.
    """
    path = Path(path)
    try:
        with open_regular(path, MAX_TRACE_FILE) as file:
            return _read(file, path, allow_torn_tail)
    except FileRefused as refused:
        raise TraceError(path, f"expected {refused.expected} (got {refused.got})") from None
    except OSError as error:
        raise TraceError(path, f"cannot read: {error.strerror or error}") from None


def _read(file: BinaryIO, path: Path, allow_torn_tail: bool) -> Trace:
    records = _Records(file, path)
    try:
        first = next(records, None)
    except CorruptTrace:
        first = None
    header = _decode_header(path, None if first is None else first[1])
    events: list[Event] = []
    for offset, record in records:
        try:
            event = _decode_event(record, len(events), events[-1].t_ns if events else 0)
        except (TypeError, ValueError, RecursionError) as error:
            raise CorruptTrace(path, offset, str(error)) from None
        events.append(event)
    # The records stop at the end of the file or before a record that the file cuts short.
    torn_tail_at = records.end if records.end < file.tell() else None
    if torn_tail_at is not None and not allow_torn_tail:
        raise TruncatedTrace(path, torn_tail_at)
    return Trace(header, tuple(events), torn_tail_at)


class _Records:
    """The whole msgpack objects of a file with their offsets; ``end`` is where the last whole
    one ends. Bytes that do not decode raise ``CorruptTrace``."""

    def __init__(self, file: BinaryIO, path: Path) -> None:
        self._unpacker = msgpack.Unpacker(
            file,
            raw=False,
            max_buffer_size=MAX_RECORD,
            max_array_len=MAX_ITEMS,
            max_map_len=MAX_ITEMS,
        )
        self._path = path
        self.end = 0

    def __iter__(self) -> _Records:
        return self

    def __next__(self) -> tuple[int, object]:
        start = self.end
        try:
            item: object = next(self._unpacker)
        except (ValueError, msgpack.UnpackException) as error:
            reason = f"not msgpack ({str(error) or type(error).__name__})"
            raise CorruptTrace(self._path, start, reason) from None
        self.end = self._unpacker.tell()
        return start, item


def _decode_header(path: Path, record: object) -> TraceHeader:
    if not (type(record) is dict and record.get("format") == FORMAT):
        raise NotATrace(path)
    version = record.get("version")
    if type(version) is not int or version != VERSION:
        raise UnsupportedVersion(path, version)
    scenario, seed, started = record.get("scenario"), record.get("seed"), record.get("started")
    if not (
        set(record) == _HEADER_FIELDS
        and type(scenario) is str
        and type(seed) is int
        and type(started) is int
    ):
        fields = ", ".join(sorted(_HEADER_FIELDS))
        raise CorruptTrace(path, 0, f"the header must have exactly {fields}, of their types")
    return TraceHeader(scenario, seed, started)


def _decode_event(record: object, seq: int, not_before_ns: int) -> Event:
    """The event ``record`` is, if it is the ``seq``-th; ``ValueError`` or ``TypeError`` say
    what is wrong."""
    if not (type(record) is dict and set(record) == _EVENT_FIELDS):
        raise ValueError(f"an event record has exactly {', '.join(sorted(_EVENT_FIELDS))}")
    t_ns, actor, kind, data = record["t"], record["actor"], record["kind"], record["data"]
    if type(record["seq"]) is not int or record["seq"] != seq:
        raise ValueError(f"seq {record['seq']!r:.40} where {seq} is due")
    if type(t_ns) is not int or t_ns < not_before_ns:
        raise ValueError(f"time {t_ns!r:.40} is not an int of ns from {not_before_ns} on")
    if not (type(actor) is str and actor and type(kind) is str and kind):
        raise ValueError("actor and kind must be non-empty str")
    if type(data) is not dict:
        raise ValueError("data must be a map")
    return Event(t_ns, seq, actor, kind, _canonical(data, ""))


# -- JSON -----------------------------------------------------------------------------------------


def events_to_json(trace: Trace) -> str:
    """The trace as JSON lines: the header's line, then one line per event, each with the same
    fields as in the file.

    Keys are sorted and separators fixed, so equal traces give equal text. Bytes become
    lowercase hex strings (JSON has no bytes; the field says what it holds). Integers are
    written exactly; readers that parse JSON numbers as doubles lose digits above 2**53, as
    in ``started``.
    """
    lines = [_json_line(_header_record(trace.header))]
    lines += (
        _json_line(_event_record(event.t_ns, event.seq, event.actor, event.kind, event.data))
        for event in trace.events
    )
    return "".join(line + "\n" for line in lines)


def _json_line(record: Mapping[str, object]) -> str:
    return json.dumps(
        record, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_bytes_as_hex
    )


def _bytes_as_hex(value: object) -> str:
    if type(value) is bytes:
        return value.hex()
    raise TypeError(f"{type(value).__name__} is not msgpack-native")


# -- encoding -------------------------------------------------------------------------------------


def _header_record(header: TraceHeader) -> dict[str, object]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "scenario": header.scenario,
        "seed": header.seed,
        "started": header.started_ns,
    }


def _event_record(
    t_ns: int, seq: int, actor: str, kind: str, data: Mapping[str, object]
) -> dict[str, object]:
    """An event as written: keys in sorted order (``data`` must be sorted already)."""
    return {"actor": actor, "data": data, "kind": kind, "seq": seq, "t": t_ns}


def _pack(record: Mapping[str, object]) -> bytes:
    packed: bytes = msgpack.packb(record, use_bin_type=True)
    return packed


def _canonical(value: object, field: str, depth: int = 0) -> Any:
    """``value`` with every map's keys sorted; a ``TypeError`` naming ``field`` (a path such as
    ``proofs[2].key``) unless every part is msgpack-native and nested at most ``MAX_DEPTH``
    deep. Exact types only: a subclass (an enum, a named tuple) would not read back as
    itself."""
    if depth > MAX_DEPTH:
        raise TypeError(f"field {field!r}: nested more than {MAX_DEPTH} deep")
    if value is None or type(value) is bool or type(value) is bytes:
        return value
    if type(value) is int:
        if not _INT_MIN <= value < _INT_END:
            raise TypeError(f"field {field!r}: {value} does not fit in a msgpack int")
        return value
    if type(value) is str:
        if not is_utf8(value):
            raise TypeError(f"field {field!r}: the str is not valid Unicode text")
        return value
    if type(value) is list:
        return [
            _canonical(item, f"{field}[{index}]", depth + 1) for index, item in enumerate(value)
        ]
    if type(value) is dict:
        return _canonical_map(value, field, depth)
    raise TypeError(f"field {field!r}: {type(value).__name__} is not msgpack-native ({_NATIVE})")


def _canonical_map(mapping: dict[Any, Any], field: str, depth: int) -> dict[str, Any]:
    for key in mapping:
        if type(key) is not str:
            raise TypeError(f"field {field!r}: map key {key!r:.40} is not a str")
    prefix = f"{field}." if field else ""
    return {key: _canonical(mapping[key], prefix + key, depth + 1) for key in sorted(mapping)}
