"""Where a sweep's runs run. ``local`` (the default): a pool of worker processes on this
machine, one per core unless told otherwise, nothing to install or start. Runs are independent
and deterministic, so the rows do not depend on the engine or how many workers it has."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Protocol

from relayer_sim.sweep.runner import RunTask, run_task

Row = dict[str, Any]


class EngineError(Exception):
    """An engine that cannot run the sweep at all (a cluster out of reach, a file its runs
    cannot get): ``str()`` is one line for the person who asked for it."""


class Engine(Protocol):
    """Runs tasks and yields each one's row as it finishes (in any order)."""

    name: str
    #: How many runs it does at once (for a cluster, known once it has connected).
    workers: int

    def rows(self, tasks: Sequence[RunTask]) -> Iterator[Row]: ...


class LocalEngine:
    """A process pool: ``workers`` processes (default: the machine's cores). Processes are
    started with ``spawn``, so a worker shares nothing with the parent but the tasks."""

    name = "local"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1

    def rows(self, tasks: Sequence[RunTask]) -> Iterator[Row]:
        if not tasks:
            return
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(self.workers, mp_context=context) as pool:
            yield from _as_done(pool.submit, tasks)


def _as_done(submit: Callable[..., Future[Row]], tasks: Sequence[RunTask]) -> Iterator[Row]:
    pending = {submit(run_task, task) for task in tasks}
    while pending:
        done, pending = wait(pending, return_when=FIRST_COMPLETED)
        for future in done:
            yield future.result()
