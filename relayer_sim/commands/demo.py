"""``relayer-sim demo``: the probe contract's tour through the VM."""

from __future__ import annotations

import argparse

from rich.console import Console

from relayer_sim.commands.errors import EXIT_OK


def demo_command(args: argparse.Namespace, console: Console) -> int:
    from relayer_sim.report.demo import render_demo
    from relayer_sim.vm_demo import run_vm_demo

    render_demo(console, run_vm_demo())
    return EXIT_OK
