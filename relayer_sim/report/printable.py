"""Text from a file, made safe to show: a trace or a scenario can hold anything, and a
terminal escape in an actor's name must not clear a user's screen or forge a line. And the
tables that show it, within the terminal's width and never cut."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.markup import escape
from rich.table import Table
from rich.text import Text

#: What a column takes besides its cells: a space each side, and a rule on its right (and the
#: table's left edge, once).
_BORDERS_PER_COLUMN: Final = 3
#: The least a prose column is left when values crowd it: a word or two a line.
_PROSE_WIDTH: Final = 12
#: A table cell: rich markup (escape what came from a file with ``shown``), or a ``Text``.
Cell = str | Text


def printable(text: str) -> str:
    """``text`` with every character that does not print (control characters, terminal
    escapes, lone surrogates) written as its Python escape: ``\\x1b``, ``\\n``, ``\\udcff``."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else ascii(char)[1:-1] for char in text)


def shown(text: str) -> str:
    """``text`` for rich markup: printable, and its brackets taken literally."""
    return escape(printable(text))


@dataclass(frozen=True, slots=True)
class Column:
    """A column of a ``FittedTable``.

    A ``whole`` column holds values (names, ids, numbers, times): it is as wide as its widest
    value or header, so that when the table is too wide for the terminal, the other columns
    (prose: a description, a reason) wrap first. Rich left alone narrows the widest columns
    first, whatever they hold, and would wrap an id while a sentence beside it had room.
    """

    header: str = ""
    whole: bool = False
    justify: Literal["left", "right"] = "left"


@dataclass(frozen=True, slots=True)
class FittedTable:
    """A table, titled at its left, that fits the width it is printed in if its values do,
    and never cuts a cell with "…" (rich's default) if they do not: a cut name, id, checksum,
    number or time can read the same as another. A cell too wide for its column wraps, at
    spaces if it has any. A header wider than its column's values wraps too, unless the whole
    table fits with every header on one line."""

    title: str | None
    columns: Sequence[Column]
    rows: Sequence[Sequence[Cell]]
    show_header: bool = True

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.table(options.max_width)

    def table(self, width: int) -> Table:
        """The rich table for ``width`` columns of terminal."""
        table = Table(
            title=None if self.title is None else shown(self.title),
            title_justify="left",
            show_header=self.show_header,
        )
        widths = self._widths(width)
        for column, fixed in zip(self.columns, widths, strict=True):
            table.add_column(column.header, justify=column.justify, overflow="fold", width=fixed)
        for row in self.rows:
            table.add_row(*row)
        return table

    def _widths(self, width: int) -> list[int | None]:
        """Each whole column's width (None for the others): its widest value or header, if
        the table fits that way with no cell wrapped; else its widest value or header word,
        narrowed if need be to leave every prose column ``_PROSE_WIDTH``."""
        values = [
            max((cell_width(row[index]) for row in self.rows), default=1)
            for index in range(len(self.columns))
        ]
        natural = [
            max(value, cell_width(c.header)) for c, value in zip(self.columns, values, strict=True)
        ]
        if table_width(natural) <= width:
            chosen = natural
        else:
            words = [max(map(cell_len, c.header.split()), default=0) for c in self.columns]
            chosen = [max(value, word, 1) for value, word in zip(values, words, strict=True)]
        columns = list(zip(self.columns, natural, chosen, strict=True))
        prose = sum(min(n, _PROSE_WIDTH) for column, n, _ in columns if not column.whole)
        room = width - table_width([0] * len(columns)) - prose
        whole = iter(_capped([fixed for column, _, fixed in columns if column.whole], room))
        return [next(whole) if column.whole else None for column, _, _ in columns]


def _capped(widths: Sequence[int], room: int) -> list[int]:
    """``widths``, the widest cut down to the largest width (at least 1) that makes them all
    fit in ``room``: their values then fold over more lines rather than squeeze the other
    columns out (rich would narrow every column alike, to nothing)."""
    if sum(widths) <= room:
        return list(widths)
    low, high = 1, max(widths)
    while low < high:
        middle = (low + high + 1) // 2
        if sum(min(width, middle) for width in widths) <= room:
            low = middle
        else:
            high = middle - 1
    return [min(width, low) for width in widths]


def table_width(widths: Sequence[int]) -> int:
    """The width of a table whose columns' cells are ``widths`` wide, with its borders."""
    return sum(widths) + _BORDERS_PER_COLUMN * len(widths) + 1


def cell_width(cell: Cell) -> int:
    """The width of ``cell``'s widest line, as the terminal shows it."""
    text = cell if isinstance(cell, Text) else Text.from_markup(cell)
    return max((cell_len(line) for line in text.plain.split("\n")), default=0)
