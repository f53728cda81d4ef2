"""Exit codes, and ``BadInput``: the one way a command says it cannot take what it was given.

Every fault is one line on stderr, whatever the input held: a file name with a newline or an
undecodable byte, a value of a megabyte. ``error_line`` makes it so.
"""

from __future__ import annotations

import sys
from typing import Final

from relayer_sim.report.printable import printable

EXIT_OK: Final = 0
#: A negative verdict: code rejected, an expectation not met.
EXIT_VERDICT: Final = 1
EXIT_BAD_INPUT: Final = 2
#: A bug in relayer-sim, not in what it was given (``EX_SOFTWARE`` of sysexits.h).
EXIT_INTERNAL: Final = 70
#: The longest error line printed; what a file puts in a message cannot flood the terminal.
_LINE_LENGTH: Final = 1000


class BadInput(Exception):
    """An input a command cannot take; each of ``lines`` says which and why (a scenario with
    three faults is three lines), ``str()`` all of them."""

    def __init__(self, *lines: str) -> None:
        self.lines = lines
        super().__init__("\n".join(lines))


def print_error(message: str) -> None:
    """``message`` as one ``error:`` line on stderr."""
    sys.stderr.write(f"error: {error_line(message)}\n")
    sys.stderr.flush()


def print_warning(message: str) -> None:
    """``message`` as one ``warning:`` line on stderr: the command goes on."""
    sys.stderr.write(f"warning: {error_line(message)}\n")
    sys.stderr.flush()


def error_line(text: str) -> str:
    """``text`` on one printable line of at most ``_LINE_LENGTH`` characters: control
    characters and lone surrogates (from undecodable file names) written as escapes."""
    line = printable(text)
    return line if len(line) <= _LINE_LENGTH else line[: _LINE_LENGTH - 1] + "…"
