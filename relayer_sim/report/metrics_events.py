"""Event data read with the types the metrics need, or a ``MalformedEvent`` naming the event.

A trace that decodes holds msgpack values of any shape: a file from an older version, a hand
edit, a damaged disk. Every field the metrics read goes through ``Fields``, so a wrong or
missing one is one message with the event's index and the field's path
(``event 812 (block of host): txs[2].ok: expected true or false (got "yes")``), never a
``KeyError`` from deep inside a metric.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, NoReturn, TypeVar

from relayer_sim.sim.trace import Event

_T = TypeVar("_T")
#: Stands for a field that is not there.
_MISSING: Final = object()
_SHOWN: Final = 40


class MalformedEvent(ValueError):
    """An event the metrics cannot read: ``index`` is its place in the trace (its ``seq``)."""

    def __init__(self, event: Event, field: str, expected: str, got: object) -> None:
        self.index, self.kind, self.actor = event.seq, event.kind, event.actor
        self.field, self.expected, self.got = field, expected, got
        super().__init__(event.seq, field, expected)

    def __str__(self) -> str:
        got = "nothing" if self.got is _MISSING else _describe(self.got)
        kind, actor = f"{self.kind:.{_SHOWN}}", f"{self.actor:.{_SHOWN}}"
        where = f"event {self.index} ({kind} of {actor})"
        return f"{where}: {self.field}: expected {self.expected} (got {got})"


class Fields:
    """The data of one event, or a map inside it, read one field at a time."""

    __slots__ = ("_data", "_event", "_path")

    def __init__(self, event: Event, data: Mapping[str, Any] | None = None, path: str = "") -> None:
        self._event = event
        self._data = event.data if data is None else data
        self._path = path

    def integer(self, key: str) -> int:
        return self._required(key, "an integer", int)

    def optional_integer(self, key: str) -> int | None:
        return self._optional(key, "an integer or null", int)

    def duration(self, key: str) -> int:
        """Nanoseconds, not negative."""
        value = self._data.get(key, _MISSING)
        if type(value) is not int or value < 0:
            self._refuse(key, "a duration in ns", value)
        return value

    def text(self, key: str) -> str:
        return self._required(key, "a string", str)

    def optional_text(self, key: str) -> str | None:
        return self._optional(key, "a string or null", str)

    def flag(self, key: str) -> bool:
        return self._required(key, "true or false", bool)

    def optional_flag(self, key: str) -> bool | None:
        return self._optional(key, "true, false or null", bool)

    def texts(self, key: str) -> tuple[str, ...]:
        """A list of strings; none when the field is absent."""
        value = self._data.get(key, [])
        if not (type(value) is list and all(type(item) is str for item in value)):
            self._refuse(key, "a list of strings", value)
        return tuple(value)

    def maps(self, key: str) -> tuple[Fields, ...]:
        """A list of maps, each to read in turn."""
        value = self._data.get(key, _MISSING)
        if type(value) is not list:
            self._refuse(key, "a list of maps", value)
        return tuple(self._map(f"{key}[{index}]", item) for index, item in enumerate(value))

    def optional_maps(self, key: str) -> tuple[Fields, ...]:
        """A list of maps; none when the field is absent (a trace from before it was kept)."""
        return self.maps(key) if key in self._data else ()

    def named_maps(self, key: str) -> dict[str, Fields]:
        """A map of maps, by name."""
        value = self._data.get(key, _MISSING)
        if type(value) is not dict:
            self._refuse(key, "a map", value)
        return {name: self._map(f"{key}.{name}", item) for name, item in value.items()}

    def named_optional_texts(self, key: str) -> dict[str, str | None]:
        """A map of strings (or nulls), by name."""
        value = self._data.get(key, _MISSING)
        if type(value) is not dict or any(
            item is not None and type(item) is not str for item in value.values()
        ):
            self._refuse(key, "a map of strings or nulls", value)
        return dict(value)

    def _map(self, path: str, value: object) -> Fields:
        if type(value) is not dict:
            raise MalformedEvent(self._event, self._where(path), "a map", value)
        return Fields(self._event, value, self._where(path))

    def _required(self, key: str, expected: str, kind: type[_T]) -> _T:
        # Exact types: a bool is not an integer here, as it is not in msgpack.
        value = self._data.get(key, _MISSING)
        if type(value) is not kind:
            self._refuse(key, expected, value)
        return value

    def _optional(self, key: str, expected: str, kind: type[_T]) -> _T | None:
        value = self._data.get(key)
        if value is not None and type(value) is not kind:
            self._refuse(key, expected, value)
        return value

    def _refuse(self, key: str, expected: str, value: object) -> NoReturn:
        raise MalformedEvent(self._event, self._where(key), expected, value)

    def _where(self, key: str) -> str:
        return f"{self._path}.{key}" if self._path and not key.startswith("[") else self._path + key


def _describe(value: object) -> str:
    """``value`` as the message shows it: short, whatever its size."""
    if value is None:
        return "null"
    if type(value) is bool:
        return "true" if value else "false"
    if type(value) in (int, str):
        text = repr(value)
        return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"
    if type(value) is bytes:
        return f"{len(value)} bytes"
    if type(value) is list:
        return "a list"
    if type(value) is dict:
        return "a map"
    return type(value).__name__
