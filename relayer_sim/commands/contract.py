"""``relayer-sim contract check``: would ``store_code`` accept this code, and why not; and
``contract try``: what the code does as a light client in a short built-in scenario."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console

from relayer_sim.commands.errors import EXIT_OK, EXIT_VERDICT, BadInput
from relayer_sim.files import FileRefused, read_regular
from relayer_sim.scenario.contracts import MAX_CODE_FILE

__all__ = ["MAX_CODE_FILE", "contract_check", "contract_try"]


def contract_check(args: argparse.Namespace, console: Console) -> int:
    from relayer_sim.report.code_check import code_check_json, render_code_check
    from relayer_sim.vm.code_check import check_code

    try:
        code = read_regular(args.file, MAX_CODE_FILE)
    except FileRefused as refused:
        raise BadInput(str(refused)) from None
    verdict = check_code(code)
    if args.json:
        document = code_check_json(args.file, verdict)
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    else:
        render_code_check(console, args.file, verdict)
    return EXIT_OK if verdict.accepted else EXIT_VERDICT


def contract_try(args: argparse.Namespace, console: Console) -> int:
    from relayer_sim.commands.trial import render_trial, run_trial, trial_json, trial_scenario
    from relayer_sim.scenario import ScenarioError
    from relayer_sim.scenario.contracts import (
        CONTRACT_FILE_SUFFIXES,
        is_contract_file,
        read_contract_file,
    )
    from relayer_sim.sim.logging import configure_logging

    file: Path = args.file
    if not is_contract_file(file.name):
        raise BadInput(f"{file}: expected a file named {' or '.join(CONTRACT_FILE_SUFFIXES)}")
    try:
        code = read_contract_file(file)
        scenario = trial_scenario(file, code, args.dialect, args.format)
    except FileRefused as refused:
        raise BadInput(str(refused)) from None
    except ScenarioError as error:
        raise BadInput(*error.lines()) from None
    configure_logging(None, console=False)
    trial = run_trial(scenario, code.checksum)
    if args.json:
        document = trial_json(file, code.checksum, args.dialect, args.format, trial)
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    else:
        render_trial(console, file, code.checksum, args.dialect, args.format, trial)
    return EXIT_OK if trial.ok else EXIT_VERDICT
