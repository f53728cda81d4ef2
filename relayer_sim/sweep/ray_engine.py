"""The ``ray`` engine: a sweep's runs as Ray tasks, on a local Ray started for the sweep and
shut down after it (no address), or on a running cluster (``auto``, ``ray://host:port``).
Imported only when asked for: Ray is an optional extra (``pip install 'relayer-sim[ray]'``).

Packaging. A local Ray's workers are processes of this machine running this interpreter: they
import the installed ``relayer_sim`` and write each run's files where the local engine would,
so nothing is uploaded and the start stays fast. A cluster's nodes may have neither the project
nor this machine's files, so with an address the sweep's Ray job carries a runtime environment
(Ray uploads local folders for a whole job, not for a task): ``py_modules`` with the
``relayer_sim`` package directory (its built contracts inside), ``pip`` with the project's
pinned dependencies (installed once per node, then cached by Ray), and a ``working_dir``
holding only the contract files the runs name, at their paths relative to the scenario's folder
(not the whole folder, which may hold a virtualenv or earlier sweeps). Each run then writes
into a scratch directory on its node and sends its row (and trace, if kept) back, and this
process writes them where the local engine would: resuming works the same.
A Ray this process has already started (a test's, a notebook's) is used as it is.

A Ray driver takes over the process's signal handlers, among them those wasmtime traps through
(SIGILL, SIGSEGV): the process that starts Ray must run no contract after, which a sweep's
driver does not (its workers do)."""

from __future__ import annotations

import itertools
import json
import logging
import os
import shutil
import tempfile
import traceback
import warnings
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any, Final, TypeVar

import ray

import relayer_sim
from relayer_sim.scenario.contracts import is_contract_file
from relayer_sim.sweep.engines import EngineError, Row
from relayer_sim.sweep.runner import ROW_FILE, TRACE_FILE, RunTask, run_task

#: The package directory a cluster's workers import (``py_modules``).
PACKAGE_DIR: Final = Path(relayer_sim.__file__).resolve().parent
_EXCLUDES: Final = ["__pycache__/", "*.pyc"]

Task = TypeVar("Task")
Ref = TypeVar("Ref", bound=Hashable)
Run = Callable[[RunTask], Row]
#: What a packaged run sends back: its row, the row file's text, and its trace when kept.
Shipped = tuple[Row, str, bytes | None]
#: Ray leaves it untyped; it returns resource names and amounts.
_cluster_resources: Callable[[], dict[str, float]] = ray.cluster_resources


class RayEngine:
    """Ray tasks running ``run_task``. ``workers``: a local Ray's CPUs (default: the cores);
    with a cluster, the most runs at once (default: its CPUs). ``package`` (default: when an
    address is given) ships the project with the sweep's job, as a cluster needs; ``requirements``
    are the ``pip`` part of that (default: the project's dependencies); ``run`` is what a
    worker calls, ``run_task`` but in tests."""

    name = "ray"

    def __init__(
        self,
        workers: int | None = None,
        address: str | None = None,
        *,
        package: bool | None = None,
        requirements: Sequence[str] | None = None,
        run: Run = run_task,
    ) -> None:
        self.address = address
        self.cap = workers
        self.workers = (workers or os.cpu_count() or 1) if address is None else (workers or 0)
        self.package = address is not None if package is None else package
        self.requirements = requirements
        self.run = run

    def rows(self, tasks: Sequence[RunTask]) -> Iterator[Row]:
        if not tasks:
            return
        packaged = self.package and not ray.is_initialized()
        with self._environment(tasks, packaged) as env, self._connected(env):
            cpus = max(1, int(_cluster_resources().get("CPU", 1)))
            self.workers = min(self.cap, cpus) if self.cap else cpus
            limit = self.cap if self.cap and self.address is not None else 2 * self.workers
            remote = ray.remote(_in_worker).options(num_cpus=1)

            def submit(task: RunTask) -> Any:
                # packaged, the staged contracts are in the worker's working directory
                shipped = replace(task, base_dir=".") if packaged else task
                return remote.remote(self.run, shipped, packaged)

            for task, ref in windowed(tasks, limit, submit, _wait_one):
                yield self._row(task, ref)

    @contextmanager
    def _environment(
        self, tasks: Sequence[RunTask], packaged: bool
    ) -> Iterator[dict[str, Any] | None]:
        """The runtime environment of the sweep's Ray job, when its tasks are packaged (Ray
        uploads local folders only for a whole job, at ``ray.init``)."""
        if not packaged:
            yield None
            return
        requirements = self.requirements
        if requirements is None:
            requirements = project_requirements()
        with staged_contracts(tasks) as contracts:
            yield cluster_runtime_env(contracts, requirements)

    @contextmanager
    def _connected(self, env: dict[str, Any] | None) -> Iterator[None]:
        """Ray for the sweep: the one this process already has (a test's, a notebook's) as it
        is, its workers taken to share this machine's files; else a local one or the cluster at
        ``address`` with ``env``, shut down (disconnected) after."""
        if ray.is_initialized():
            yield
            return
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no reports to the outside
        if self.address is None:
            ray.init(
                address="local",  # a new Ray, even with a `ray start` one running here
                num_cpus=self.workers,
                runtime_env=env,
                include_dashboard=False,
                logging_level=logging.ERROR,
                log_to_driver=False,
            )
        else:
            _connect(self.address, env)
        try:
            yield
        finally:
            ray.shutdown()

    def _row(self, task: RunTask, ref: Any) -> Row:
        """The finished task's row; whatever Ray raises for it (an exception in the worker, a
        worker lost after Ray's retries) is a failed row, written as a run's error is."""
        try:
            result: Row | Shipped = ray.get(ref)
        except Exception as error:
            row = failed_row(task, error)
            _write_files(task, _row_text(row), None)
            return row
        if isinstance(result, tuple):
            row, text, trace = result
            _write_files(task, text, trace)
            return row
        return result


def windowed(
    tasks: Sequence[Task],
    limit: int,
    submit: Callable[[Task], Ref],
    wait_one: Callable[[list[Ref]], list[Ref]],
) -> Iterator[tuple[Task, Ref]]:
    """Each task with its finished reference, in the order they finish, never more than
    ``limit`` submitted and unfinished: a sweep of 10,000 runs is not 10,000 tasks in Ray at
    once. A finished task's successor is submitted before it is handed back."""
    queue = iter(tasks)
    pending = {submit(task): task for task in itertools.islice(queue, max(1, limit))}
    while pending:
        for ref in wait_one(list(pending)):
            task = pending.pop(ref)
            for following in itertools.islice(queue, 1):
                pending[submit(following)] = following
            yield task, ref


def _wait_one(refs: list[Any]) -> list[Any]:
    ready, _ = ray.wait(refs, num_returns=1)
    return list(ready)


def _connect(address: str, env: dict[str, Any] | None) -> None:
    """Join the cluster at ``address``, or say in one line why not."""
    try:
        with warnings.catch_warnings():  # the reason is in the error's line
            warnings.filterwarnings("ignore", "Ray Client connection timed out")
            ray.init(
                address=address,
                runtime_env=env,
                logging_level=logging.WARNING,
                log_to_driver=False,
            )
    except (ConnectionError, RuntimeError, ValueError, TimeoutError) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise EngineError(f"--address {address}: cannot connect to Ray: {reason}") from None


def _in_worker(run: Run, task: RunTask, packaged: bool) -> Row | Shipped:
    """What a worker does: the run, its files written here; or, packaged, written into a
    scratch directory of this node and sent back to the sweep's process."""
    if not packaged:
        return run(task)
    with tempfile.TemporaryDirectory(prefix="relayer-sim-sweep-") as scratch:
        row = run(replace(task, out_dir=scratch))
        text = (Path(scratch) / ROW_FILE).read_text(encoding="utf-8")
        kept = Path(scratch) / TRACE_FILE
        trace = kept.read_bytes() if task.keep_trace and kept.is_file() else None
    return row, text, trace


def failed_row(task: RunTask, error: BaseException) -> Row:
    """The row of a run Ray could not bring back, shaped as ``run_task``'s failed rows."""
    cause = getattr(error, "cause", None)
    shown = cause if isinstance(cause, BaseException) else error
    text = "".join(traceback.format_exception_only(type(shown), shown)).strip()
    point = task.point
    return {
        "key": point.key,
        **{path: value for path, value in point.params},
        "seed": point.seed,
        "status": "failed",
        "error": f"ray: {text}",
    }


def _row_text(row: Row) -> str:
    return json.dumps(row, default=str)


def _write_files(task: RunTask, row_text: str, trace: bytes | None) -> None:
    """The run's row (last, whole or not at all: it marks the run done) and kept trace."""
    out = Path(task.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if trace is not None:
        (out / TRACE_FILE).write_bytes(trace)
    temporary = out / f"{ROW_FILE}.tmp"
    temporary.write_text(row_text, encoding="utf-8")
    os.replace(temporary, out / ROW_FILE)


def cluster_runtime_env(contracts: Path | None, requirements: Sequence[str]) -> dict[str, Any]:
    """The runtime environment that lets a node without the project run a task."""
    env: dict[str, Any] = {"py_modules": [str(PACKAGE_DIR)], "excludes": list(_EXCLUDES)}
    if requirements:
        env["pip"] = list(requirements)
    if contracts is not None:
        env["working_dir"] = str(contracts)
    return env


def project_requirements() -> list[str]:
    """The project's own dependencies, pinned as installed here (no extras)."""
    try:
        written = metadata.requires("relayer-sim") or []
    except metadata.PackageNotFoundError:
        return []
    return [text for text in written if "extra" not in text.partition(";")[2]]


@contextmanager
def staged_contracts(tasks: Sequence[RunTask]) -> Iterator[Path | None]:
    """A temporary folder with every contract file the runs name, at its path relative to
    the scenario's folder (None when they name none)."""
    names = sorted({name for task in tasks for name in _strings(task.point.data)})
    names = [name for name in names if is_contract_file(name)]
    if not names:
        yield None
        return
    base = Path(tasks[0].base_dir or ".")
    with tempfile.TemporaryDirectory(prefix="relayer-sim-contracts-") as stage:
        for name in names:
            target = Path(stage) / _inside(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                shutil.copyfile(base / name, target)
            except OSError as error:
                raise EngineError(f"{name}: cannot ship it to the cluster: {error}") from None
        yield Path(stage)


def _inside(name: str) -> PurePosixPath:
    """``name`` as a path inside the scenario's folder: what a cluster's runs can be given."""
    path = PurePosixPath(os.path.normpath(name).replace(os.sep, "/"))
    if path.is_absolute() or path.parts[:1] == ("..",):
        raise EngineError(
            f"{name}: a contract file outside the scenario's folder; with --address the runs "
            "get only files inside it"
        )
    return path


def _strings(node: Any) -> Iterator[str]:
    """Every string in a scenario's data."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, Mapping):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list | tuple):
        for value in node:
            yield from _strings(value)
