"""The scenario reference and the JSON Schema are read off the models: nothing is left
undocumented, ``docs/scenarios.md`` is what the models say today, and the schema accepts every
shipped scenario and refuses what the loader refuses, at the same place."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from relayer_sim.cli import main
from relayer_sim.commands.schema import reference_page
from relayer_sim.scenario import parse_scenario
from relayer_sim.scenario.reference import json_schema, tables, undocumented
from relayer_sim.scenario.shipped import SCENARIOS_DIR, shipped_scenarios
from relayer_sim.sim.event_kinds import RUN_EVENTS

DOCS = Path(__file__).parents[2] / "docs" / "scenarios.md"

MINIMAL = """\
#:schema ./scenario.schema.json
name = "m"
description = "The least a scenario needs."
duration = "1h"

[[clients]]
name = "main"
contract = "sim-tendermint-v1"
"""


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_every_model_and_field_is_documented() -> None:
    assert undocumented() == []


def test_the_docs_are_what_the_models_say(capsys: pytest.CaptureFixture[str]) -> None:
    assert DOCS.read_text(encoding="utf-8") == reference_page(), (
        "docs/scenarios.md is stale: relayer-sim schema --markdown > docs/scenarios.md"
    )
    assert main(["schema", "--markdown"]) == 0
    assert capsys.readouterr().out == reference_page()


def test_the_reference_tells_every_action_expectation_policy_and_event() -> None:
    headings = {doc.heading for doc in tables()}
    for tag in ('action = "fork"', 'kind = "client_status"', 'policy = "lag"'):
        assert any(heading.endswith(tag) for heading in headings), tag
    page = reference_page()
    assert all(f"| `{kind}` |" in page for kind in RUN_EVENTS)
    assert "| `recv_packet` |" in page
    # defaults as a file writes them, the default chains' validators among them
    assert '`"6s"`' in page and '`"1/3"`' in page
    assert '{ name = "alice", power = 40 }' in page and '{ name = "val-a", power = 1 }' in page


def test_every_action_expectation_and_policy_has_an_example_from_a_shipped_scenario() -> None:
    tagged = [doc for doc in tables() if " = " in doc.heading and "[[" in doc.heading]
    assert len(tagged) >= 25
    assert [doc.heading for doc in tagged if doc.example is None] == []


def test_the_command_prints_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    printed = capsys.readouterr().out
    assert json.loads(printed) == json_schema()
    # the copy shipped beside the scenarios, which their #:schema lines name, is today's
    shipped = SCENARIOS_DIR / "scenario.schema.json"
    assert shipped.read_text(encoding="utf-8") == printed, (
        "relayer-sim schema > scenarios/scenario.schema.json"
    )


@pytest.mark.parametrize("path", shipped_scenarios(), ids=lambda path: path.name)
def test_every_shipped_scenario_meets_the_schema(
    validator: jsonschema.Draft202012Validator, path: Path
) -> None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert [error.message for error in validator.iter_errors(data)] == []


def schema_errors(validator: jsonschema.Draft202012Validator, text: str) -> list[str]:
    data: dict[str, Any] = tomllib.loads(text)
    parse_scenario(MINIMAL)  # the base is one the loader takes, #:schema line and all
    return sorted(
        ".".join(str(part) for part in error.absolute_path) for error in validator.iter_errors(data)
    )


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (('duration = "1h"', 'duration = "5"'), "duration"),
        (('duration = "1h"', "duration = 3600"), "duration"),
        (('contract = "sim-tendermint-v1"', 'contract = "nope"'), "clients.0.contract"),
        (('name = "main"', 'name = "Main"'), "clients.0.name"),
        (('name = "main"', 'name = "main"\ntrust_level = 0.33'), "clients.0.trust_level"),
        (('name = "main"', 'name = "main"\ncreate_at = "later"'), "clients.0.create_at"),
        (('name = "m"', 'name = "m"\ntypo = 1'), ""),
    ],
)
def test_the_schema_refuses_what_the_loader_refuses_at_the_same_place(
    validator: jsonschema.Draft202012Validator, change: tuple[str, str], path: str
) -> None:
    text = MINIMAL.replace(*change, 1)
    assert schema_errors(validator, text) == [path]
    with pytest.raises(Exception, match=path.replace(".0.", r"\[0\]\.") or "typo"):
        parse_scenario(text, "x.toml")


def test_the_schema_takes_traffic_as_a_table_or_a_list(
    validator: jsonschema.Draft202012Validator,
) -> None:
    one = MINIMAL + '[traffic]\nevery = "1m"\n'
    many = MINIMAL + '[[traffic]]\nevery = "1m"\n[[traffic]]\nname = "b"\nevery = "2m"\n'
    assert schema_errors(validator, one) == schema_errors(validator, many) == []
