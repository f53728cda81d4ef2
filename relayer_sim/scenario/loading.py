"""Reading a scenario file: bytes, then UTF-8, then TOML, then the schema (contract files read
with it), then the limits, then the references and the counterparties' formats.

A stage that finds faults refuses with one ``ScenarioError`` holding every fault it found, each
a line that says where to look and what belongs there; the later stages, which need the
earlier ones' answers, do not run. The references and the formats are one stage: a file with a
name misspelt and a contract of the wrong format hears of both.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from pydantic import ValidationError

from relayer_sim.files import MIB, FileRefused, read_regular
from relayer_sim.scenario.base import FROM_FILE
from relayer_sim.scenario.contracts import ContractCode
from relayer_sim.scenario.errors import Findings, ScenarioError
from relayer_sim.scenario.formats import check_format
from relayer_sim.scenario.limits import check_limits
from relayer_sim.scenario.references import check_references
from relayer_sim.scenario.schema import Scenario
from relayer_sim.scenario.validation import faults_of

#: The largest scenario file read: the shipped ones are under 4 KiB.
MAX_SCENARIO_FILE: Final = MIB
_TOML_PLACE = re.compile(r"(?P<reason>.*) \(at (?P<place>line \d+, column \d+|end of document)\)")


def load_scenario(path: Path) -> Scenario:
    """The scenario in the file at ``path``; ``ScenarioError`` names the path when it is not one."""
    source = str(path)
    try:
        raw = read_regular(path, MAX_SCENARIO_FILE)
    except FileRefused as refused:
        raise ScenarioError.at(source, "", refused.expected, refused.got) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        got = f"the byte 0x{raw[error.start]:02x}"
        raise ScenarioError.at(source, _place(raw, error.start), "UTF-8 text", got) from None
    return parse_scenario(text, source, path.parent)


def parse_scenario(text: str, source: str = "<scenario>", base_dir: Path | None = None) -> Scenario:
    """The scenario in ``text``; ``source`` names it in errors (a file name, usually), contract
    files are relative to ``base_dir`` (by default the working directory)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _toml_error(source, error) from None
    except RecursionError:
        # tomllib parses nested arrays and inline tables by recursion.
        raise ScenarioError.at(
            source, "", "TOML nested a few levels deep", "deeper nesting"
        ) from None
    except ValueError:
        # Python's own cap on reading an integer: more than 4300 digits (TOML allows 19).
        raise ScenarioError.at(
            source, "", "valid TOML", "an integer of thousands of digits"
        ) from None
    return scenario_from_data(data, source, base_dir)


def scenario_from_data(
    data: Mapping[str, Any],
    source: str,
    base_dir: Path | None = None,
    contract_files: Mapping[Path, ContractCode] | None = None,
) -> Scenario:
    """The scenario in ``data``, the tables a scenario file holds, checked as a file is;
    ``contract_files`` gives code already read, by the path a contract file resolves to."""
    context = {**FROM_FILE, "base_dir": base_dir, "contract_files": contract_files or {}}
    try:
        scenario = Scenario.model_validate(data, context=context)
    except ValidationError as error:
        raise ScenarioError(source, faults_of(error, data)) from None
    found = Findings()
    check_limits(scenario, found)
    if found:  # no later check walks a list past its limit
        raise found.located(source)
    check_references(scenario, found)
    check_format(scenario, found)
    if found:
        raise found.located(source)
    return scenario


def _toml_error(source: str, error: tomllib.TOMLDecodeError) -> ScenarioError:
    # tomllib puts the place at the end of its message: "Invalid value (at line 3, column 7)".
    message = str(error)
    match = _TOML_PLACE.fullmatch(message)
    reason, place = (match["reason"], match["place"]) if match else (message, "")
    if reason.startswith("Expected "):
        return ScenarioError.at(source, place, reason.removeprefix("Expected "))
    return ScenarioError.at(source, place, "valid TOML", reason[:1].lower() + reason[1:])


def _place(raw: bytes, offset: int) -> str:
    """``line L, column C`` of the byte at ``offset``, counted from 1 as an editor counts them
    (everything before ``offset`` is valid UTF-8)."""
    line_start = raw.rfind(b"\n", 0, offset) + 1
    line = raw.count(b"\n", 0, offset) + 1
    column = len(raw[line_start:offset].decode("utf-8")) + 1
    return f"line {line}, column {column}"
