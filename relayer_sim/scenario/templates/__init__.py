"""Starter scenarios that ``relayer-sim new`` writes: commented TOML files shipped as package
data, one per template, each a valid scenario that meets its expectations as written.

The summaries live here rather than only in the files so that ``--help`` can list them without
reading a file; each file's ``description`` is its summary (the tests hold them together).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from typing import Final


@dataclass(frozen=True)
class Template:
    """A starter scenario: its name (also the scenario's default ``name``) and one line on it."""

    name: str
    summary: str


#: The templates, in the order a new user would try them.
TEMPLATES: Final = (
    Template(
        "healthy",
        "One healthy hour: one client, a relayer updating every block, a packet every 30 s.",
    ),
    Template(
        "attack",
        "A 40 % coalition sends a lunatic fork; a monitor catches it and the client freezes.",
    ),
    Template(
        "upgrade",
        "The counterparty moves to tm-secp256k1; governance migrates the client to v2 first.",
    ),
    Template(
        "recovery",
        "A relayer offline too long lets the client expire; governance recovers it.",
    ),
)


def template_names() -> tuple[str, ...]:
    """The templates' names, in ``TEMPLATES`` order."""
    return tuple(template.name for template in TEMPLATES)


def template_text(name: str) -> str:
    """The commented TOML of the template ``name`` (one of ``template_names()``)."""
    return files(__name__).joinpath(f"{name}.toml").read_text(encoding="utf-8")
