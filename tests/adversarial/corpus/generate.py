"""The bad-input corpus: every way a file, a path or a flag can be wrong, as command lines.

The hand-written scenarios in ``scenarios/`` say on their first line (``# expect: …``) what
their one error line must contain. Everything else is made here, deterministically, in a
directory given at test time: special paths (a FIFO, ``/dev/zero``, a directory, a sparse
file past the size cap), outputs that cannot be written, bad flags, scenarios too deep, too
big or not UTF-8, damaged traces, and one-field mutations of a real run's trace
(``BASE_SCENARIO``), which the metrics must read or refuse by the event's index.

``tests/adversarial/test_bad_inputs.py`` runs every case; ``benchmarks/bad_inputs.py`` times
them.
"""

from __future__ import annotations

import copy
import os
import struct
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

import msgpack

from relayer_sim.commands.contract import MAX_CODE_FILE
from relayer_sim.scenario.loading import MAX_SCENARIO_FILE
from relayer_sim.sim.trace import MAX_TRACE_FILE, Trace, TraceRecorder

CORPUS: Final = Path(__file__).resolve().parent
#: A short run with every kind of event the metrics read: governance, a fork and its
#: evidence, a freeze and recovery, a stall, packets (forged ones too), a consensus switch.
BASE_SCENARIO: Final = CORPUS / "base-run.toml"
HAND_WRITTEN: Final = tuple(sorted((CORPUS / "scenarios").glob("*.toml")))
_EXPECT: Final = "# expect: "
#: Only a guard: a case still running by then hangs.
HANG_GUARD_SECONDS: Final = 120

_HEADER: Final = {"format": "relayer-sim-trace", "version": 1, "scenario": "s", "seed": 1}
_VALID: Final = """name = "edge"
description = "A valid scenario."
duration = "1h"

[[clients]]
name = "main"
contract = "sim-tendermint-v1"
"""


@dataclass(frozen=True)
class Case:
    """A command line (after ``relayer-sim``) that must fail with exit code 2 and one line on
    stderr containing ``expect``."""

    name: str
    argv: tuple[str, ...]
    expect: str
    #: Whether it must run in a subprocess: it could block (a FIFO) or read without end.
    isolated: bool = False


def run_isolated(case: Case) -> subprocess.CompletedProcess[str]:
    """``relayer-sim`` with ``case``'s arguments in a fresh process, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "relayer_sim.cli", *case.argv],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_SECONDS,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
    )


def expectation(path: Path) -> str:
    """What a hand-written scenario's error line must contain (its first line says)."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith(_EXPECT), f"{path.name} does not start with {_EXPECT!r}"
    return first.removeprefix(_EXPECT)


def cases(work: Path, trace: Path) -> list[Case]:
    """Every case, its files made in ``work``; ``trace`` is a whole trace the cases that need
    one good input (``compare``, ``--html``) use."""
    (work / "valid.toml").write_text(_VALID)
    return [
        *hand_written_cases(work),
        *path_cases(work, trace),
        *output_cases(work, trace),
        *flag_cases(work, trace),
        *scenario_cases(work),
        *trace_cases(work, trace),
    ]


def hand_written_cases(work: Path) -> Iterator[Case]:
    out = str(work / "never")
    for path in HAND_WRITTEN:
        yield Case(f"scenario/{path.stem}", ("run", str(path), "--out", out), expectation(path))


def path_cases(work: Path, trace: Path) -> Iterator[Case]:
    """Every command that reads a file, given each kind of path that is not a readable regular
    file of a sensible size."""
    fifo = work / "fifo"
    os.mkfifo(fifo)
    directory = work / "directory"
    directory.mkdir()
    kinds = {
        "missing": (work / "absent", "expected an existing file (got no such file)"),
        "directory": (directory, "expected a regular file (got a directory)"),
        "fifo": (fifo, "expected a regular file (got a FIFO)"),
        "device": (Path("/dev/zero"), "expected a regular file (got a character device)"),
    }
    if os.geteuid() != 0:  # root reads any file
        unreadable = work / "unreadable"
        unreadable.write_text("x")
        unreadable.chmod(0)
        kinds["unreadable"] = (unreadable, "expected a readable file (got Permission denied)")
    caps = {
        "scenario": MAX_SCENARIO_FILE,
        "trace": MAX_TRACE_FILE,
        "code": MAX_CODE_FILE,
    }
    suffixes = {"scenario": ".toml", "trace": ".msgpack", "code": ".wasm"}
    huge = {kind: _sparse(work / f"huge{suffixes[kind]}", cap + 1) for kind, cap in caps.items()}
    out = str(work / "never")
    commands = {
        "run": (("run", "{}", "--out", out), "scenario"),
        "compare": (("compare", str(trace), "{}", "--out", out), "trace"),
        "compare-toml": (("compare", "{}", str(trace), "--out", out), "scenario"),
        "report": (("report", "{}"), "trace"),
        "trace-show": (("trace", "show", "{}"), "trace"),
        "trace-export": (("trace", "export", "--json", "{}"), "trace"),
        "contract-check": (("contract", "check", "{}"), "code"),
    }
    for command, (template, reads) in commands.items():
        targets = dict(kinds)
        if command == "compare-toml":
            # compare reads a .toml file as a scenario: the same kinds, named .toml.
            targets = {
                kind: (_toml_link(work, kind, path), why) for kind, (path, why) in kinds.items()
            }
        targets["huge"] = (huge[reads], "expected a file of at most")
        for kind, (path, why) in targets.items():
            argv = tuple(str(path) if part == "{}" else part for part in template)
            yield Case(f"path/{command}/{kind}", argv, why, isolated=True)
    # Names that would break the one line: a newline, a byte that is not UTF-8.
    for name, odd in (("newline", "odd\nname.toml"), ("undecodable", "odd-\udcff.toml")):
        argv = ("run", str(work / odd), "--out", out)
        yield Case(f"path/name-{name}", argv, "expected an existing file")


def output_cases(work: Path, trace: Path) -> Iterator[Case]:
    """Outputs that cannot be written: checked before any work."""
    scenario = work / "valid.toml"
    a_file = work / "a-file"
    a_file.write_text("x")
    fifo = work / "out-fifo"
    os.mkfifo(fifo)
    missing = work / "missing" / "deeper"
    yield Case("out/run-file", ("run", str(scenario), "--out", str(a_file)), "(got a file)")
    yield Case(
        "out/run-under-a-file",
        ("run", str(scenario), "--out", str(a_file / "sub")),
        "cannot create the output directory",
    )
    yield Case(
        "out/compare-file",
        ("compare", str(trace), str(trace), "--out", str(a_file)),
        "(got a file)",
    )
    runs = work / "runs"
    (runs / "trace.msgpack").mkdir(parents=True)
    yield Case(
        "out/run-trace-is-a-directory",
        ("run", str(scenario), "--out", str(runs)),
        "trace.msgpack: expected a regular file for the output (got a directory)",
    )
    yield Case(
        "out/html-missing-directory",
        ("report", str(trace), "--html", str(missing / "r.html")),
        "cannot write: no directory",
    )
    yield Case(
        "out/html-directory", ("report", str(trace), "--html", str(work)), "(got a directory)"
    )
    yield Case(
        "out/export-missing-directory",
        ("trace", "export", "--json", str(trace), "-o", str(missing / "t.jsonl")),
        "cannot write: no directory",
    )
    yield Case(
        "out/export-fifo",
        ("trace", "export", "--json", str(trace), "-o", str(fifo)),
        "(got a special file)",
        isolated=True,
    )


def flag_cases(work: Path, trace: Path) -> Iterator[Case]:
    """Flags and arguments argparse refuses: one line too."""
    scenario = str(work / "valid.toml")
    for name, argv, expect in (
        ("seed-2-pow-64", ("run", scenario, "--seed", str(2**64)), "argument --seed"),
        ("seed-negative", ("run", scenario, "--seed=-1"), "argument --seed"),
        ("seed-text", ("compare", str(trace), str(trace), "--seed", "x"), "argument --seed"),
        ("seed-4301-digits", ("run", scenario, "--seed", "9" * 4301), "argument --seed"),
        ("realtime-nan", ("run", scenario, "--realtime", "nan"), "argument --realtime"),
        ("realtime-inf", ("run", scenario, "--realtime", "inf"), "argument --realtime"),
        ("limit-zero", ("trace", "show", str(trace), "--limit", "0"), "argument --limit"),
        ("log-level", ("run", scenario, "--log-level", "loud"), "argument --log-level"),
        ("unknown-command", ("fly",), "invalid choice"),
        ("unknown-flag", ("report", str(trace), "--bogus"), "unrecognized arguments"),
        ("missing-argument", ("trace", "show"), "the following arguments are required"),
        ("export-without-json", ("trace", "export", str(trace)), "--json"),
        ("compare-one-run", ("compare", str(trace)), "the following arguments are required"),
    ):
        yield Case(f"flag/{name}", argv, expect)


def scenario_cases(work: Path) -> Iterator[Case]:
    """Scenario files too odd to write by hand."""
    out = str(work / "never")
    client = '\n[[clients]]\nname = "c{}"\ncontract = "sim-tendermint-v1"\n'
    relayer = '\n[[relayers]]\nname = "r{}"\nclient = "main"\n'
    files: dict[str, tuple[bytes, str]] = {
        "empty": (b"", "name: expected a value (got nothing)"),
        "not-utf8": (b'name = "\xff"\n', "expected UTF-8 text (got the byte 0xff)"),
        "nul-byte": (b'name = "a"\x00\n', "line 1, column 11"),
        "utf8-bom": (b"\xef\xbb\xbf" + _VALID.encode(), "line 1, column 1"),
        "deep-arrays": (b"a = " + b"[" * 100_000 + b"]" * 100_000, "deeper nesting"),
        "deep-tables": (b"a = " + b"{b=" * 100_000 + b"1" + b"}" * 100_000, "deeper nesting"),
        "deep-in-a-field": (
            _VALID.replace('"A valid scenario."', "[" * 300 + "]" * 300).encode(),
            "description: expected a string",
        ),
        "million-validators": (_validators(1_000_000), "expected a file of at most 1 MiB"),
        "201-validators": (
            _validators(201),
            "counterparty.validators: expected at most 200 (the limit validators",
        ),
        "101-clients": (
            _VALID.encode() + "".join(client.format(n) for n in range(100)).encode(),
            "clients: expected at most 100 (the limit clients",
        ),
        "10000-relayers": (
            _VALID.encode() + "".join(relayer.format(n) for n in range(10_000)).encode(),
            "relayers: expected at most 100 (the limit relayers",
        ),
        "1001-timeline-entries": (
            _VALID.encode() + "".join(_SWITCH.format(n) for n in range(1001)).encode(),
            "timeline: expected at most 1000 (the limit timeline",
        ),
    }
    for name, (content, expect) in files.items():
        path = work / f"{name}.toml"
        path.write_bytes(content)
        yield Case(f"scenario/{name}", ("run", str(path), "--out", out), expect)


def trace_cases(work: Path, trace: Path) -> Iterator[Case]:
    """Traces that do not decode, or decode to events the metrics cannot read."""
    whole = trace.read_bytes()
    header = msgpack.packb({**_HEADER, "started": 0})
    event = {"actor": "host", "data": {}, "kind": "k", "seq": 0, "t": 0}
    files: dict[str, tuple[bytes, str]] = {
        "empty": (b"", "not a relayer-sim trace"),
        "text": (b"hello\n", "not a relayer-sim trace"),
        "version-2": (
            msgpack.packb({**_HEADER, "started": 0, "version": 2}),
            "trace format version 2 is not supported",
        ),
        "header-extra-field": (
            msgpack.packb({**_HEADER, "started": 0, "x": 1}),
            "the header must have exactly",
        ),
        "seq-gap": (header + msgpack.packb({**event, "seq": 5}), "seq 5 where 0 is due"),
        "time-not-int": (header + msgpack.packb({**event, "t": "soon"}), "time 'soon'"),
        "data-not-a-map": (header + msgpack.packb({**event, "data": [1]}), "data must be a map"),
        "torn-tail": (whole[:-7], "cut short"),
        "trailing-garbage": (whole + b"\xc1", "corrupt record"),
        "deep-msgpack": (header + _deep_record(100_000), "corrupt record at byte"),
        "data-33-deep": (header + _deep_record(33), "nested more than 32 deep"),
        "huge-array-header": (
            header + _record_prefix() + b"\x81\xa1a\xdd" + struct.pack(">I", 2**32 - 1),
            "exceeds max_array_len",
        ),
        "huge-map-header": (
            header + _record_prefix() + b"\xdf" + struct.pack(">I", 2**32 - 1),
            "exceeds max_map_len",
        ),
        "huge-str-header": (
            # A string that would run past the end of the file: what a torn record looks like.
            header + _record_prefix() + b"\x81\xa1a\xdb" + struct.pack(">I", 2**32 - 1),
            "cut short",
        ),
        "block-height-text": (
            header + msgpack.packb({**event, "kind": "block", "data": _block(height="x")}),
            "event 0 (block of host): height: expected an integer (got 'x')",
        ),
        "tx-ok-text": (
            header
            + msgpack.packb(
                {**event, "kind": "block", "data": _block(txs=[{"message": "M", "ok": "yes"}])}
            ),
            "event 0 (block of host): txs[0].ok: expected true or false (got 'yes')",
        ),
        "clients-not-a-map": (
            header + msgpack.packb({**event, "kind": "clients", "data": {"clients": [1]}}),
            "event 0 (clients of host): clients: expected a map (got a list)",
        ),
        "stalled-for-negative": (
            header
            + msgpack.packb(
                {**event, "actor": "counterparty", "kind": "resumed", "data": {"stalled_for": -1}}
            ),
            "stalled_for: expected a duration in ns (got -1)",
        ),
        "fork-without-client": (
            header + msgpack.packb({**event, "kind": "fork_sent", "data": {"height": "1-2"}}),
            "event 0 (fork_sent of host): client: expected a string (got nothing)",
        ),
    }
    for name, (content, expect) in files.items():
        path = work / f"{name}.msgpack"
        path.write_bytes(content)
        yield Case(f"trace/{name}", ("report", str(path)), expect)
        compare = ("compare", str(trace), str(path), "--out", str(work / "never"))
        yield Case(f"trace/{name}/compare", compare, expect)
        if name.startswith(("block", "tx", "clients", "stalled", "fork")):
            continue  # they decode: show and export take them as they are
        yield Case(f"trace/{name}/show", ("trace", "show", str(path)), expect)
        yield Case(f"trace/{name}/export", ("trace", "export", "--json", str(path)), expect)


def mutations(trace: Trace) -> Iterator[tuple[str, Trace]]:
    """One-field mutations of ``trace``, deterministically: for each field shape (an event's
    actor and kind and the path to the field, list indices aside) where it first occurs, the
    field deleted and replaced by two values of other types."""
    replacements: tuple[Any, ...] = (None, "x", -1, [], {}, True, 2**64 - 1, b"\xff")
    covered: set[tuple[object, ...]] = set()
    for index, event in enumerate(trace.events):
        fresh = []
        for path in _paths(event.data):
            shape = (event.actor, event.kind, *("*" if type(p) is int else p for p in path))
            if shape not in covered:
                covered.add(shape)
                fresh.append(path)
        for number, path in enumerate(fresh):
            for value in (
                replacements[number % len(replacements)],
                replacements[(number + 3) % len(replacements)],
                _DELETE,
            ):
                data = _mutated(event.data, path, value)
                if data is not None:
                    events = list(trace.events)
                    events[index] = replace(event, data=data)
                    label = ".".join(map(str, path))
                    yield f"{index}:{label}={value!r:.12}", replace(trace, events=tuple(events))


def write_trace(trace: Trace, path: Path) -> Path:
    with TraceRecorder(path) as recorder:
        header = trace.header
        recorder.header(scenario=header.scenario, seed=header.seed, started_ns=header.started_ns)
        for event in trace.events:
            recorder.record(event.t_ns, event.actor, event.kind, **event.data)
    return path


_DELETE: Final = object()
_SWITCH: Final = '\n[[timeline]]\nat = "{}s"\naction = "consensus_switch"\nversion = "tm-ed25519"\n'


def _paths(value: object, prefix: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    if type(value) is dict:
        for key, item in value.items():
            yield (*prefix, key)
            yield from _paths(item, (*prefix, key))
    elif type(value) is list:
        for index, item in enumerate(value):
            yield (*prefix, index)
            yield from _paths(item, (*prefix, index))


def _mutated(data: object, path: tuple[str | int, ...], value: object) -> dict[str, Any] | None:
    """A copy of ``data`` with the field at ``path`` set to ``value`` (deleted for
    ``_DELETE``); None when that cannot be (deleting from a list)."""
    copied: Any = copy.deepcopy(data)
    parent = copied
    for part in path[:-1]:
        parent = parent[part]
    if value is _DELETE:
        if type(parent) is not dict:
            return None
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return dict(copied)


def _sparse(path: Path, size: int) -> Path:
    with path.open("wb") as file:
        file.truncate(size)
    return path


def _toml_link(work: Path, kind: str, target: Path) -> Path:
    """A ``.toml`` name for ``target`` (a symlink; a missing target stays missing)."""
    link = work / f"{kind}-link.toml"
    link.symlink_to(target)
    return link


def _validators(count: int) -> bytes:
    entries = ",\n".join(f'{{ name = "v{n}", power = 1 }}' for n in range(count))
    return (_VALID + f"\n[counterparty]\nvalidators = [\n{entries}\n]\n").encode()


def _record_prefix() -> bytes:
    """An event record up to its ``data`` value (keys in the order a trace writes them)."""
    return b"\x85\xa5actor\xa4host\xa4data"


def _deep_record(depth: int) -> bytes:
    """An event whose data nests ``depth`` maps deep."""
    return _record_prefix() + b"\x81\xa1a" * depth + b"\xc0" + b"\xa4kind\xa1k\xa3seq\x00\xa1t\x00"


def _block(**fields: object) -> dict[str, object]:
    return {"height": 1, "txs": [], "proposals": [], **fields}
