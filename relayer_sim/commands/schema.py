"""``relayer-sim schema``: the JSON Schema of scenario files, for editors to complete and check
them, or (``--markdown``) the reference of the format, which ``docs/scenarios.md`` holds."""

from __future__ import annotations

import argparse
import json
import sys

from rich.console import Console

from relayer_sim.commands.errors import EXIT_OK

_INTRO = """\
# Scenario reference

Every table and field of a scenario file, with its type as the file writes it, its default and
what it does; every timeline action, expectation and event kind. This page is generated from the
models the loader checks files against (`relayer-sim schema --markdown`) and a test keeps it in
sync, so it says exactly what a file may hold.

## Editor support

`relayer-sim schema` prints the same format as a JSON Schema. Save it next to your scenarios and
name it on the first line of a scenario file:

```toml
#:schema ./scenario.schema.json
name = "my-run"
```

```sh
relayer-sim schema > scenarios/scenario.schema.json
```

Editors that read TOML through taplo (VS Code with the *Even Better TOML* extension, Helix,
Zed, Neovim's taplo language server) then complete table and field names, show each field's
description and default, and underline a value the format refuses. The schema checks each value
on its own; names that refer to other entries, limits and formats are checked by
`relayer-sim run`, which reports every fault in a file at once, one line each.

## Values

- **Durations** are text: whole numbers with units `d`, `h`, `m`, `s`, `ms`, largest first
  (`"250ms"`, `"6s"`, `"1h30m"`, `"14d"`).
- **Fractions** are text: `"1/3"`.
- **Names** (of chains, clients, relayers, validators…) are lowercase letters, digits and
  dashes, at most 48.
- A field left out takes its default; "not set" means it is simply absent.

## Tables

"""


def schema_command(args: argparse.Namespace, console: Console) -> int:
    from relayer_sim.scenario.reference import json_schema

    if args.markdown:
        sys.stdout.write(reference_page())
    else:
        sys.stdout.write(json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n")
    return EXIT_OK


def reference_page() -> str:
    """``docs/scenarios.md``: the introduction, every table, and every event kind."""
    from relayer_sim.host.events import SDK_EVENT_TYPES
    from relayer_sim.scenario.reference import markdown_tables
    from relayer_sim.sim.event_kinds import RUN_EVENTS

    run_rows = "\n".join(
        f"| `{kind}` | {event.by} | {event.says} |" for kind, event in RUN_EVENTS.items()
    )
    sdk_rows = "\n".join(f"| `{kind}` | {says} |" for kind, says in SDK_EVENT_TYPES.items())
    events = (
        "## Event kinds\n\n"
        "A run's trace is one record per event: its time, the actor that recorded it, its kind "
        "and its data. `relayer-sim trace show --kind KIND` lists those of a kind.\n\n"
        "### The simulator's\n\n"
        "| kind | recorded by | what it says |\n| --- | --- | --- |\n"
        f"{run_rows}\n\n"
        "### The host's SDK events\n\n"
        "After each host block's `block` record come the SDK events its transactions emitted, "
        "then those of the proposals it ran: actor `host`, the kind ibc-go's event type, the "
        "data its attributes with ibc-go's keys, and `tx` (the transaction's index in the "
        "block) or `proposal` (the proposal's id).\n\n"
        "| kind | what it says |\n| --- | --- |\n"
        f"{sdk_rows}\n"
    )
    return f"{_INTRO}{markdown_tables()}\n{events}"
