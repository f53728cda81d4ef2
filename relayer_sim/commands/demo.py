"""``relayer-sim demo``: the probe contract's tour through the VM."""

from __future__ import annotations

import argparse
import json
import sys

from rich.console import Console

from relayer_sim.commands.errors import EXIT_OK


def demo_command(args: argparse.Namespace, console: Console) -> int:
    from relayer_sim.report.demo import demo_json, render_demo
    from relayer_sim.vm_demo import run_vm_demo

    tour = run_vm_demo()
    if args.json:
        sys.stdout.write(json.dumps(demo_json(tour), indent=2, ensure_ascii=False) + "\n")
    else:
        render_demo(console, tour)
    return EXIT_OK
