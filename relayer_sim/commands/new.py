"""``relayer-sim new``: a commented starter scenario, written to a file (or stdout) ready to run
and to edit; with no template, the list of templates."""

from __future__ import annotations

import argparse
import json
import re
import shlex
import sys
import textwrap
from pathlib import Path
from typing import Final

from rich.console import Console
from rich.table import Table

from relayer_sim.commands.errors import EXIT_OK, BadInput
from relayer_sim.commands.outputs import output_file
from relayer_sim.report.printable import shown

#: The FILE that means "print the scenario on stdout".
STDOUT: Final = "-"
#: The top-level ``name`` line of a template: the first line that sets ``name``, before any
#: table (where clients and relayers have names of their own).
_NAME_LINE: Final = re.compile(r'^name = "[a-z0-9-]+"', re.MULTILINE)


def new_command(args: argparse.Namespace, console: Console) -> int:
    """Write the template (or list them): only ``-`` puts the scenario on stdout, so it can be
    piped; a file gets a line saying where it went and how to run it."""
    if args.list or args.template is None:
        _refuse_a_template_with_list(args)
        return _list_templates(console, args.json)
    if args.json:
        raise BadInput("relayer-sim new: --json prints the list (--list), not a template")
    text = template_text_named(args.template)
    if args.file is None:
        raise BadInput(
            f"relayer-sim new: expected a FILE to write the {args.template} scenario to "
            f"(or {STDOUT} for stdout)"
        )
    if args.file == STDOUT:
        sys.stdout.write(named(text, scenario_name(None, args.template)))
        return EXIT_OK
    path = Path(args.file)
    name = scenario_name(path, args.template)
    _write_new(path, named(text, name), args.force)
    console.print(
        f"wrote {shown(str(path))}: the {args.template} scenario, named {name}", soft_wrap=True
    )
    console.print(f"run it: relayer-sim run {shown(shlex.quote(str(path)))}", soft_wrap=True)
    return EXIT_OK


def new_description() -> str:
    """The command's ``--help`` text, listing every template (so help and ``--list`` agree)."""
    from relayer_sim.scenario.templates import TEMPLATES

    intro = textwrap.fill(
        "Write a starter scenario to FILE (- prints it on stdout): a valid scenario that runs "
        "as is (relayer-sim run FILE), in a few seconds, and meets its expectations, with a "
        "comment on every table and on each field that needs one. Its name is FILE's stem "
        "when that is a valid scenario name, else the template's. An existing FILE is left "
        "alone unless --force is given. With no TEMPLATE, or --list, lists the templates.",
        width=78,
    )
    width = max(len(template.name) for template in TEMPLATES)
    indent = " " * (width + 4)
    lines = [
        textwrap.fill(
            template.summary,
            width=78,
            initial_indent=f"  {template.name:<{width}}  ",
            subsequent_indent=indent,
        )
        for template in TEMPLATES
    ]
    return "\n".join([intro, "", "templates:", *lines])


def template_text_named(template: str) -> str:
    """The text of the template named ``template``; an unknown name is bad input naming the
    known ones."""
    from relayer_sim.scenario.templates import template_names, template_text

    names = template_names()
    if template not in names:
        raise BadInput(
            f"relayer-sim new: TEMPLATE: expected one of {', '.join(names)} (got {template!r}; "
            "relayer-sim new --list describes them)"
        )
    return template_text(template)


def scenario_name(path: Path | None, template: str) -> str:
    """The ``name`` a written scenario gets: ``path``'s stem when it is a valid scenario name,
    so that ``out/NAME/`` of its runs matches the file; else the template's own."""
    from relayer_sim.scenario.fields import NAME_LENGTH

    if path is not None and re.fullmatch(rf"[a-z0-9-]{{1,{NAME_LENGTH}}}", path.stem):
        return path.stem
    return template


def named(text: str, name: str) -> str:
    """``text``, a template, with its scenario ``name`` set to ``name`` (a valid name: it
    needs no TOML escaping), every comment kept."""
    renamed, count = _NAME_LINE.subn(f'name = "{name}"', text, count=1)
    if count != 1:
        raise RuntimeError("a scenario template has no top-level name line")
    return renamed


def _refuse_a_template_with_list(args: argparse.Namespace) -> None:
    """``--list`` with a TEMPLATE is a slip: say so rather than ignore the template."""
    if args.list and args.template is not None:
        raise BadInput("relayer-sim new: --list lists the templates and takes no TEMPLATE")


def _list_templates(console: Console, as_json: bool) -> int:
    """The templates and their one-line descriptions, as a table or JSON."""
    from relayer_sim.scenario.templates import TEMPLATES

    rows = [{"template": template.name, "description": template.summary} for template in TEMPLATES]
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    table = Table(
        title="scenario templates",
        title_justify="left",
        caption="relayer-sim new TEMPLATE FILE writes one; relayer-sim run FILE runs it",
        caption_justify="left",
    )
    table.add_column("template", overflow="fold")  # folded, never cut: it is typed back
    table.add_column("description")
    for row in rows:
        table.add_row(row["template"], row["description"])
    console.print(table)
    return EXIT_OK


def _write_new(path: Path, text: str, force: bool) -> None:
    """Write ``text`` to ``path``; an existing file only with ``force`` (``x`` mode, so a
    file that appears after the check is not overwritten either)."""
    output_file(path)
    try:
        with path.open("w" if force else "x", encoding="utf-8", newline="\n") as file:
            file.write(text)
    except FileExistsError:
        raise BadInput(f"{path}: already exists (--force overwrites it)") from None
    except OSError as error:
        raise BadInput(f"{path}: cannot write: {error.strerror or error}") from None
