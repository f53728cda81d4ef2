"""Structured logs: JSON lines in a file for tools, a readable rendering on the console for people.

Library code logs through ``structlog.get_logger(__name__)`` and never prints; the command line
calls ``configure_logging`` once it knows where logs go.

Logs must replay like the trace, so no processor adds a wall-clock timestamp. Whoever logs
something that happens in simulated time binds it as ``sim_time`` (simulated ns since the start
of the run, the trace's ``t``), e.g. ``log.bind(sim_time=clock.now_ns).info("client updated")``.
The same scenario and seed then give the same log file.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Final

import structlog
from structlog.typing import Processor

from relayer_sim.sim.timefmt import format_elapsed

#: The stdlib logger under which every ``relayer_sim.*`` logger lives; its handlers are ours.
LOGGER_NAME: Final = "relayer_sim"

#: Added to every event, from structlog or from a plain stdlib logger alike.
_ENRICH: Final[list[Processor]] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
]


def configure_logging(log_file: Path | None, console: bool, level: int | str = "INFO") -> None:
    """Send ``relayer_sim``'s logs at ``level`` (a number or a name such as ``"debug"``) and
    above to ``log_file`` as JSON lines (the file is replaced) and, if ``console``, to stderr
    in structlog's console rendering, coloured on a TTY. With neither, logs are dropped.

    Calling again replaces the previous configuration and closes its file. Raises
    ``ValueError`` for an unknown level name and ``OSError`` if the file cannot be opened.
    """
    numeric_level = _level_number(level)
    handlers: list[logging.Handler] = []
    if log_file is not None:
        file_handler = logging.FileHandler(log_file, mode="w", encoding="utf-8")
        file_handler.setFormatter(
            _formatter(
                structlog.processors.format_exc_info,
                structlog.processors.JSONRenderer(sort_keys=True, default=_as_json),
            )
        )
        handlers.append(file_handler)
    if console:
        console_handler = logging.StreamHandler(sys.stderr)
        renderer = structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(), timestamp_key="sim_time"
        )
        console_handler.setFormatter(_formatter(_readable_sim_time, renderer))
        handlers.append(console_handler)

    logger = logging.getLogger(LOGGER_NAME)
    for old in list(logger.handlers):
        logger.removeHandler(old)
        old.close()
    # Without a handler, stdlib logging would print warnings through its last-resort handler.
    for handler in handlers or [logging.NullHandler()]:
        logger.addHandler(handler)
    # Dropped logs are not even formatted: nothing is enabled without somewhere to go.
    logger.setLevel(numeric_level if handlers else logging.CRITICAL + 1)
    logger.propagate = False

    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_ENRICH,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def _formatter(*rendering: Processor) -> structlog.stdlib.ProcessorFormatter:
    return structlog.stdlib.ProcessorFormatter(
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *rendering],
        foreign_pre_chain=_ENRICH,
    )


def _readable_sim_time(
    logger: object, method: str, event: structlog.typing.EventDict
) -> structlog.typing.EventDict:
    """People read ``1d 02:03:04.500``; the file keeps the nanoseconds."""
    sim_time = event.get("sim_time")
    if isinstance(sim_time, int) and sim_time >= 0:
        event["sim_time"] = format_elapsed(sim_time)
    return event


def _as_json(value: object) -> object:
    """Bytes (hashes, commitments) as hex, as ``trace export`` writes them."""
    if isinstance(value, bytes):
        return value.hex()
    return repr(value)


def _level_number(level: int | str) -> int:
    if isinstance(level, int):
        return level
    try:
        return logging.getLevelNamesMapping()[level.upper()]
    except KeyError:
        raise ValueError(
            f"unknown log level {level!r} (debug, info, warning, error or critical)"
        ) from None
