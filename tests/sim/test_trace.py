"""The trace file: canonical bytes, refused data and times, round trips, damage, JSON export."""

from __future__ import annotations

import enum
import io
import os
import tempfile
from pathlib import Path
from typing import Any

import msgpack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relayer_sim.sim.trace import (
    MAX_DEPTH,
    MAX_TRACE_FILE,
    CorruptTrace,
    Event,
    NotATrace,
    Trace,
    TraceError,
    TraceHeader,
    TraceRecorder,
    TruncatedTrace,
    UnsupportedVersion,
    events_to_json,
    read_trace,
)

STARTED_NS = 1_700_000_000 * 10**9


def _write(target: Path | io.BytesIO, events: list[tuple[int, str, str, dict[str, Any]]]) -> None:
    with TraceRecorder(target) as recorder:
        recorder.header(scenario="upgrade", seed=42, started_ns=STARTED_NS)
        for t_ns, actor, kind, data in events:
            recorder.record(t_ns, actor, kind, **data)


def _bytes_of(events: list[tuple[int, str, str, dict[str, Any]]]) -> bytes:
    stream = io.BytesIO()
    _write(stream, events)
    return stream.getvalue()


def read_trace_bytes(data: bytes, *, allow_torn_tail: bool = False) -> Trace:
    """``read_trace`` of ``data``, through a temporary file: the reader takes a path."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "t.trace"
        path.write_bytes(data)
        return read_trace(path, allow_torn_tail=allow_torn_tail)


EVENTS: list[tuple[int, str, str, dict[str, Any]]] = [
    (0, "host", "block", {"height": 1, "app_hash": b"\x01\x02", "txs": []}),
    (6_000_000_000, "relayer", "client_updated", {"client": "08-wasm-0", "ok": True, "x": None}),
    (6_000_000_000, "monitor", "checked", {"nested": {"b": [1, -2, "c"], "a": {"z": b""}}}),
]


@pytest.fixture
def trace_file(tmp_path: Path) -> Path:
    path = tmp_path / "run.trace"
    _write(path, EVENTS)
    return path


# -- writing --------------------------------------------------------------------------------------


def test_equal_events_give_identical_bytes_whatever_the_key_order() -> None:
    shuffled = [
        (t, actor, kind, dict(reversed(list(data.items())))) for t, actor, kind, data in EVENTS
    ]
    shuffled[2][3]["nested"] = {"a": {"z": b""}, "b": [1, -2, "c"]}
    assert _bytes_of(EVENTS) == _bytes_of(shuffled)


def test_every_map_is_written_with_sorted_keys() -> None:
    unpacker = msgpack.Unpacker(io.BytesIO(_bytes_of(EVENTS)), object_pairs_hook=list)
    records = list(unpacker)

    def assert_sorted(value: object) -> None:
        if isinstance(value, list) and all(
            isinstance(pair, tuple) and len(pair) == 2 for pair in value
        ):
            keys = [key for key, _ in value]
            assert keys == sorted(keys)
            for _, item in value:
                assert_sorted(item)
        elif isinstance(value, list):
            for item in value:
                assert_sorted(item)

    assert len(records) == 1 + len(EVENTS)
    for record in records:
        assert_sorted(record)


def test_the_header_holds_nothing_from_the_machine_or_the_wall_clock() -> None:
    header = next(iter(msgpack.Unpacker(io.BytesIO(_bytes_of([])))))
    assert header == {
        "format": "relayer-sim-trace",
        "version": 1,
        "scenario": "upgrade",
        "seed": 42,
        "started": STARTED_NS,
    }


class Colour(enum.Enum):
    RED = "red"


@pytest.mark.parametrize(
    ("data", "field", "what"),
    [
        ({"ratio": 0.5}, "'ratio'", "float"),
        ({"height": (1, 2)}, "'height'", "tuple"),
        ({"colour": Colour.RED}, "'colour'", "Colour"),
        ({"flag": True, "deep": {"a": [1, {"b": {1, 2}}]}}, "'deep.a[1].b'", "set"),
        ({"keys": {3: "x"}}, "'keys'", "map key 3"),
        ({"big": 2**64}, "'big'", "does not fit"),
        ({"text": "\ud800"}, "'text'", "not valid Unicode"),
    ],
)
def test_data_that_is_not_msgpack_native_is_refused_naming_the_field(
    data: dict[str, Any], field: str, what: str
) -> None:
    stream = io.BytesIO()
    with TraceRecorder(stream) as recorder:
        recorder.header(scenario="s", seed=1, started_ns=0)
        with pytest.raises(TypeError) as refused:
            recorder.record(5, "relayer", "update", **data)
        assert field in str(refused.value) and what in str(refused.value)
        recorder.record(5, "relayer", "update", fine=1)
    events = read_trace_bytes(stream.getvalue()).events
    assert [(event.seq, event.data) for event in events] == [(0, {"fine": 1})]


def test_time_must_not_go_backwards() -> None:
    with TraceRecorder(io.BytesIO()) as recorder:
        recorder.header(scenario="s", seed=1, started_ns=0)
        with pytest.raises(ValueError, match="backwards"):
            recorder.record(-1, "host", "block")
        recorder.record(10, "host", "block")
        recorder.record(10, "relayer", "update")  # the same instant is fine
        with pytest.raises(ValueError, match="backwards: 9 ns is before 10 ns"):
            recorder.record(9, "host", "block")


def test_the_header_comes_first_and_once() -> None:
    recorder = TraceRecorder(io.BytesIO())
    with pytest.raises(RuntimeError, match="header"):
        recorder.record(0, "host", "block")
    recorder.header(scenario="s", seed=1, started_ns=0)
    with pytest.raises(RuntimeError, match="already"):
        recorder.header(scenario="s", seed=1, started_ns=0)
    recorder.close()
    with pytest.raises(ValueError, match="closed"):
        recorder.record(0, "host", "block")


def test_records_reach_the_stream_on_flush_and_a_handed_in_stream_stays_open() -> None:
    stream = io.BytesIO()
    with TraceRecorder(stream) as recorder:
        recorder.header(scenario="s", seed=1, started_ns=0)
        recorder.record(0, "host", "block", height=1)
        assert stream.getvalue() == b""
        recorder.flush()
        flushed = stream.getvalue()
        assert len(read_trace_bytes(flushed).events) == 1
        recorder.record(1, "host", "block", height=2)
    assert not stream.closed
    assert len(read_trace_bytes(stream.getvalue()).events) == 2


def test_a_recorder_on_a_path_closes_its_file_even_after_an_error(tmp_path: Path) -> None:
    path = tmp_path / "crash.trace"
    with pytest.raises(KeyError), TraceRecorder(path) as recorder:
        recorder.header(scenario="s", seed=1, started_ns=0)
        recorder.record(0, "host", "block")
        raise KeyError("the run failed")
    assert [event.kind for event in read_trace(path).events] == ["block"]


# -- reading --------------------------------------------------------------------------------------


def test_round_trip(trace_file: Path) -> None:
    trace = read_trace(trace_file)
    assert trace.header == TraceHeader("upgrade", 42, STARTED_NS)
    assert trace.events == tuple(
        Event(t_ns, seq, actor, kind, data) for seq, (t_ns, actor, kind, data) in enumerate(EVENTS)
    )
    assert trace.torn_tail_at is None


def test_a_torn_tail_is_reported_or_accepted_on_request(trace_file: Path) -> None:
    whole = trace_file.read_bytes()
    last_record_at = len(_bytes_of(EVENTS[:2]))
    for cut in (1, 7, len(whole) - last_record_at - 1):
        trace_file.write_bytes(whole[: len(whole) - cut])
        with pytest.raises(TruncatedTrace) as torn:
            read_trace(trace_file)
        assert torn.value.offset == last_record_at
        assert f"at byte {last_record_at}" in str(torn.value)
        accepted = read_trace(trace_file, allow_torn_tail=True)
        assert [event.seq for event in accepted.events] == [0, 1]
        assert accepted.torn_tail_at == last_record_at


def test_damage_a_crash_cannot_explain_is_never_accepted(trace_file: Path) -> None:
    whole = trace_file.read_bytes()
    trace_file.write_bytes(whole + b"\xc1")  # a byte msgpack never uses
    with pytest.raises(CorruptTrace, match=f"at byte {len(whole)}: not msgpack"):
        read_trace(trace_file, allow_torn_tail=True)


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"t": 0, "seq": 5, "actor": "a", "kind": "k", "data": {}}, "seq 5 where 3 is due"),
        ({"t": 1, "seq": 3, "actor": "a", "kind": "k", "data": {}}, "time 1"),
        ({"t": 10**10, "seq": 3, "actor": "a", "kind": "k", "data": {"r": 0.5}}, "float"),
        ({"t": 10**10, "seq": 3, "actor": "", "kind": "k", "data": {}}, "non-empty"),
        ({"t": 10**10, "seq": 3, "actor": "a", "kind": "k"}, "exactly"),
        ([1, 2], "exactly"),
    ],
)
def test_a_bad_record_is_corrupt(trace_file: Path, record: object, reason: str) -> None:
    whole = trace_file.read_bytes()
    trace_file.write_bytes(whole + msgpack.packb(record))
    with pytest.raises(CorruptTrace, match=reason) as corrupt:
        read_trace(trace_file)
    assert corrupt.value.offset == len(whole)


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TraceError, match="expected an existing file"):
        read_trace(tmp_path / "absent.trace")


def test_only_a_regular_file_is_read(tmp_path: Path) -> None:
    """A FIFO would block and a device never end: both are refused before a byte is read."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for path, kind in ((fifo, "a FIFO"), (Path("/dev/zero"), "a character device")):
        with pytest.raises(TraceError, match=f"expected a regular file \\(got {kind}\\)"):
            read_trace(path)


def test_a_file_past_the_size_cap_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sparse.trace"
    with path.open("wb") as file:
        file.truncate(MAX_TRACE_FILE + 1)
    with pytest.raises(TraceError, match="expected a file of at most 512 MiB"):
        read_trace(path)


def test_data_nested_too_deep_is_refused(trace_file: Path) -> None:
    nested: object = 1
    for _ in range(MAX_DEPTH + 1):
        nested = [nested]
    with TraceRecorder(trace_file.with_suffix(".x")) as recorder:
        recorder.header(scenario="s", seed=1, started_ns=0)
        with pytest.raises(TypeError, match="nested more than"):
            recorder.record(0, "a", "k", deep=nested)
    whole = trace_file.read_bytes()
    record = {"actor": "a", "data": {"deep": nested}, "kind": "k", "seq": 3, "t": 10**12}
    trace_file.write_bytes(whole + msgpack.packb(record))
    with pytest.raises(CorruptTrace, match="nested more than"):
        read_trace(trace_file)


@pytest.mark.parametrize(
    "content",
    [b"", b"hello, world\n", b"\xc1\xc1", msgpack.packb({"format": "something else"}), b"\x85"],
)
def test_a_file_that_is_not_a_trace(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "other.bin"
    path.write_bytes(content)
    with pytest.raises(NotATrace, match="not a relayer-sim trace"):
        read_trace(path)


def test_another_format_version(tmp_path: Path) -> None:
    path = tmp_path / "future.trace"
    path.write_bytes(msgpack.packb({"format": "relayer-sim-trace", "version": 2}))
    with pytest.raises(UnsupportedVersion, match="version 2 is not supported") as refused:
        read_trace(path)
    assert refused.value.version == 2


def test_a_header_with_a_missing_field_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "bad.trace"
    path.write_bytes(msgpack.packb({"format": "relayer-sim-trace", "version": 1, "seed": 1}))
    with pytest.raises(CorruptTrace, match="header"):
        read_trace(path)


# -- JSON -----------------------------------------------------------------------------------------


def test_json_export_is_stable_json_lines(trace_file: Path) -> None:
    text = events_to_json(read_trace(trace_file))
    assert text == (
        '{"format":"relayer-sim-trace","scenario":"upgrade","seed":42,'
        '"started":1700000000000000000,"version":1}\n'
        '{"actor":"host","data":{"app_hash":"0102","height":1,"txs":[]},'
        '"kind":"block","seq":0,"t":0}\n'
        '{"actor":"relayer","data":{"client":"08-wasm-0","ok":true,"x":null},'
        '"kind":"client_updated","seq":1,"t":6000000000}\n'
        '{"actor":"monitor","data":{"nested":{"a":{"z":""},"b":[1,-2,"c"]}},'
        '"kind":"checked","seq":2,"t":6000000000}\n'
    )
    assert events_to_json(read_trace(trace_file)) == text


# -- property -------------------------------------------------------------------------------------

_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.text(max_size=12)
    | st.binary(max_size=12)
)
_VALUES = st.recursive(
    _LEAVES,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=16,
)
_EVENTS = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=10**12),
        st.sampled_from(["host", "relayer", "monitor"]),
        st.text(min_size=1, max_size=8),
        # ``record``'s own parameters cannot be data keys.
        st.dictionaries(
            st.text(max_size=8).filter(lambda key: key not in {"t_ns", "actor", "kind"}),
            _VALUES,
            max_size=5,
        ),
    ),
    max_size=6,
)


@settings(max_examples=50, deadline=None)
@given(events=_EVENTS)
def test_random_event_data_round_trips_byte_for_byte(
    events: list[tuple[int, str, str, dict[str, Any]]],
) -> None:
    events = sorted(events, key=lambda event: event[0])
    data = _bytes_of(events)
    trace = read_trace_bytes(data)
    assert [(e.t_ns, e.actor, e.kind, e.data) for e in trace.events] == events
    rewritten = io.BytesIO()
    with TraceRecorder(rewritten) as recorder:
        header = trace.header
        recorder.header(scenario=header.scenario, seed=header.seed, started_ns=header.started_ns)
        for event in trace.events:
            recorder.record(event.t_ns, event.actor, event.kind, **event.data)
    assert rewritten.getvalue() == data
