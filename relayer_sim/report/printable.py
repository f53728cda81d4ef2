"""Text from a file, made safe to show: a trace or a scenario can hold anything, and a
terminal escape in an actor's name must not clear a user's screen or forge a line."""

from __future__ import annotations

from rich.markup import escape


def printable(text: str) -> str:
    """``text`` with every character that does not print (control characters, terminal
    escapes, lone surrogates) written as its Python escape: ``\\x1b``, ``\\n``, ``\\udcff``."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else ascii(char)[1:-1] for char in text)


def shown(text: str) -> str:
    """``text`` for rich markup: printable, and its brackets taken literally."""
    return escape(printable(text))
