"""``relayer-sim new``: every template it writes runs as is and meets its expectations; the
list; and the file handling (no overwrite without --force, missing directory, stdout, name)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from relayer_sim.cli import EXIT_BAD_INPUT, EXIT_OK, main
from relayer_sim.scenario import load_scenario, parse_scenario
from relayer_sim.scenario.durations import HOUR
from relayer_sim.scenario.templates import TEMPLATES, Template, template_names, template_text
from relayer_sim.sim.runtime import run_scenario
from relayer_sim.vm import WasmVM

NAMES = template_names()
#: The longest simulated run a template may have: a starter must run in a few seconds.
LONGEST = 2 * HOUR


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    """The one ``error:`` line a refusal printed, nothing on stdout."""
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("error: ") and err.count("\n") == 1
    return err


@pytest.mark.parametrize("template", NAMES)
def test_template_runs_and_meets_its_expectations(
    template: str, tmp_path: Path, vm: WasmVM, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / f"{template}.toml"
    assert main(["new", template, str(path)]) == EXIT_OK
    assert f"relayer-sim run {path}" in capsys.readouterr().out
    scenario = load_scenario(path)
    assert scenario.name == template and scenario.duration <= LONGEST
    result = run_scenario(scenario, tmp_path / "out", vm=vm)
    unmet = [f"{outcome.name}: {outcome.detail}" for outcome in result.outcomes if not outcome.met]
    assert result.ok and result.outcomes, unmet


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda template: template.name)
def test_template_is_commented_for_a_new_user(template: Template) -> None:
    """A header on what it shows and how to run it, a comment on every table, the field
    reference named, and the list's line as the scenario's description."""
    text = template_text(template.name)
    lines = text.splitlines()
    assert lines[0].startswith("# ") and "relayer-sim run FILE" in text
    assert "docs/scenarios.md" in text
    for index, line in enumerate(lines):
        if line.startswith("["):
            assert lines[index - 1].startswith("#"), f"{template.name}: no comment on {line}"
        assert len(line) <= 100, f"{template.name}: line {index + 1} is long"
    assert tomllib.loads(text)["description"] == template.summary


def test_list_is_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["new"], ["new", "--list"]):
        assert main(argv) == EXIT_OK
        out = capsys.readouterr().out
        assert "scenario templates" in out
        for template in NAMES:
            assert template in out


def test_list_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "--list", "--json"]) == EXIT_OK
    rows = json.loads(capsys.readouterr().out)
    assert [row["template"] for row in rows] == list(NAMES)
    assert [row["description"] for row in rows] == [template.summary for template in TEMPLATES]


def test_help_lists_the_templates(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["new", "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert "usage: relayer-sim new" in out and "--force" in out
    for template in TEMPLATES:
        assert template.name in out


def test_an_existing_file_is_kept_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mine.toml"
    path.write_text("# my own scenario\n", encoding="utf-8")
    assert main(["new", "healthy", str(path)]) == EXIT_BAD_INPUT
    assert "already exists" in _one_error_line(capsys)
    assert path.read_text(encoding="utf-8") == "# my own scenario\n"


def test_force_overwrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mine.toml"
    path.write_text("# my own scenario\n", encoding="utf-8")
    assert main(["new", "attack", str(path), "--force"]) == EXIT_OK
    capsys.readouterr()
    assert load_scenario(path).monitors


def test_an_unknown_template_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "x.toml"
    assert main(["new", "healty", str(path)]) == EXIT_BAD_INPUT
    line = _one_error_line(capsys)
    assert "'healty'" in line and all(template in line for template in NAMES)
    assert not path.exists()


def test_a_missing_directory_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "absent" / "x.toml"
    assert main(["new", "recovery", str(path)]) == EXIT_BAD_INPUT
    assert "no directory" in _one_error_line(capsys)
    assert not path.parent.exists()


def test_a_directory_is_not_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "healthy", str(tmp_path), "--force"]) == EXIT_BAD_INPUT
    assert "got a directory" in _one_error_line(capsys)


def test_a_template_needs_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "healthy"]) == EXIT_BAD_INPUT
    assert "expected a FILE" in _one_error_line(capsys)


def test_list_takes_no_template(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "--list", "healthy"]) == EXIT_BAD_INPUT
    assert "--list" in _one_error_line(capsys)


def test_json_is_for_the_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "x.toml"
    assert main(["new", "healthy", str(path), "--json"]) == EXIT_BAD_INPUT
    assert "--json" in _one_error_line(capsys)
    assert not path.exists()


def test_dash_prints_the_scenario(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "upgrade", "-"]) == EXIT_OK
    out = capsys.readouterr().out
    assert out == template_text("upgrade")
    assert parse_scenario(out).name == "upgrade"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("file", "name"),
    [
        ("my-test.toml", "my-test"),
        ("run-2", "run-2"),
        ("My_Test.toml", "recovery"),
        ("two.dots.toml", "recovery"),
        (f"{'a' * 49}.toml", "recovery"),
        (f"{'a' * 48}.toml", "a" * 48),
    ],
)
def test_the_name_is_the_stem_when_it_is_a_name(
    file: str, name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / file
    assert main(["new", "recovery", str(path)]) == EXIT_OK
    assert f"named {name}" in capsys.readouterr().out
    written = path.read_text(encoding="utf-8")
    assert parse_scenario(written).name == name
    # Only the scenario's name changes: the clients', relayers' and entries' stay.
    assert written == template_text("recovery").replace('name = "recovery"', f'name = "{name}"')
