"""Logging: JSON lines in the file with simulated time and no wall-clock time, a readable
console, levels, and a reconfiguration that lets go of the old file."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog

from relayer_sim.sim.logging import LOGGER_NAME, configure_logging


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    yield
    configure_logging(None, console=False)
    logger = logging.getLogger(LOGGER_NAME)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    logger.setLevel(logging.NOTSET)
    logger.propagate = True
    structlog.reset_defaults()


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_the_log_file_is_json_lines_with_simulated_time_only(tmp_path: Path) -> None:
    path = tmp_path / "run.log"
    configure_logging(path, console=False, level="info")
    log = structlog.get_logger("relayer_sim.relayer").bind(sim_time=6_000_000_000)
    log.info("client updated", client="08-wasm-0", height=12)
    log.debug("not at info level")
    logging.getLogger("relayer_sim.host").warning("from plain %s", "logging")

    assert _lines(path) == [
        {
            "client": "08-wasm-0",
            "event": "client updated",
            "height": 12,
            "level": "info",
            "logger": "relayer_sim.relayer",
            "sim_time": 6_000_000_000,
        },
        {"event": "from plain logging", "level": "warning", "logger": "relayer_sim.host"},
    ]
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    assert list(json.loads(first_line)) == sorted(json.loads(first_line))


def test_the_same_logs_give_the_same_file(tmp_path: Path) -> None:
    contents = []
    for name in ("a.log", "b.log"):
        configure_logging(tmp_path / name, console=False, level=logging.DEBUG)
        structlog.get_logger("relayer_sim.vm").debug("contract debug", message="hi", sim_time=5)
        contents.append((tmp_path / name).read_bytes())
    assert contents[0] == contents[1] != b""


def test_the_console_is_readable_not_json(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(None, console=True, level="warning")
    log = structlog.get_logger("relayer_sim.monitor")
    log.warning("misbehaviour detected", client="08-wasm-0", sim_time=3_723_500_000_000)
    log.info("below the level")
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "misbehaviour detected" in captured.err and "client=08-wasm-0" in captured.err
    assert captured.err.startswith("01:02:03.500 ")  # simulated time, for people
    assert "below the level" not in captured.err


def test_reconfiguring_lets_go_of_the_old_file(tmp_path: Path) -> None:
    first, second = tmp_path / "first.log", tmp_path / "second.log"
    configure_logging(first, console=False)
    structlog.get_logger("relayer_sim.x").info("one")
    configure_logging(second, console=False)
    structlog.get_logger("relayer_sim.x").info("two")
    assert [line["event"] for line in _lines(first)] == ["one"]
    assert [line["event"] for line in _lines(second)] == ["two"]


def test_nothing_is_written_without_a_destination(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(None, console=False)
    structlog.get_logger("relayer_sim.x").error("dropped")
    assert capsys.readouterr() == ("", "")


def test_an_unknown_level_name() -> None:
    with pytest.raises(ValueError, match="unknown log level 'loud'"):
        configure_logging(None, console=False, level="loud")
