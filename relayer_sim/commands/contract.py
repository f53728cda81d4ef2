"""``relayer-sim contract check``: would ``store_code`` accept this code, and why not."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Final

from rich.console import Console

from relayer_sim.commands.errors import EXIT_OK, EXIT_VERDICT, BadInput
from relayer_sim.files import MIB, FileRefused, read_regular

#: The largest file read. Code over the VM's 3 MiB is still read, to be rejected with every
#: reason; a file this large cannot be a contract at all.
MAX_CODE_FILE: Final = 16 * MIB


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
