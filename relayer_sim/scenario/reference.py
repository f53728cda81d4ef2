"""The scenario format told from its models, for people and for editors: the tables of the
reference (``docs/scenarios.md``) and the JSON Schema that ``relayer-sim schema`` prints.

Both are read off the models, so they cannot drift from what the loader accepts: each table is
a model, each field its type as a file writes it (``Written``), its default in that form and its
docstring. ``undocumented`` lists what has no words yet; a test keeps it empty.
"""

from __future__ import annotations

import json
import types
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Annotated, Any, Final, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from relayer_sim.scenario.actions import Action, GovernanceEntry
from relayer_sim.scenario.base import TaggedBy
from relayer_sim.scenario.chains import CounterpartySpec, HostSpec, ValidatorPower
from relayer_sim.scenario.channels import ChannelSpec, TrafficSpec
from relayer_sim.scenario.clients import ClientSpec
from relayer_sim.scenario.examples import Example, find_example
from relayer_sim.scenario.expectations import Expectation
from relayer_sim.scenario.limits import Limits
from relayer_sim.scenario.relayers import MonitorSpec, RelayerSpec, UpdatePolicy
from relayer_sim.scenario.schema import Scenario
from relayer_sim.scenario.sweep import SweepTable
from relayer_sim.scenario.timeline import TimelineEntry
from relayer_sim.scenario.written import OneOrMany, Written, toml_inline

#: Where a JSON Schema says which draft it follows.
JSON_SCHEMA_DRAFT: Final = "https://json-schema.org/draft/2020-12/schema"


@dataclass(frozen=True)
class FieldDoc:
    """One field as the reference shows it."""

    name: str
    #: Its type as a file writes it.
    written: str
    #: Its default: TOML, or words when there is none to write (``required``, ``not set``).
    default: str
    #: Whether ``default`` is TOML (else words).
    default_is_toml: bool
    description: str


@dataclass(frozen=True)
class TableDoc:
    """One table of a scenario file (or one kind of entry of a list chosen by a tag)."""

    #: How a file writes it: ``[host]``, ``[[clients]]``, ``[[timeline]] action = "fork"``.
    heading: str
    description: str
    fields: tuple[FieldDoc, ...]
    #: The table as a shipped scenario writes it, if one does.
    example: Example | None = None

    def shown_by(self, example: Example | None) -> TableDoc:
        return replace(self, example=example)


def tables() -> list[TableDoc]:
    """Every table of a scenario file, in the order the reference tells them."""
    return [
        _table("the top level", Scenario),
        _table("[counterparty] or [[counterparties]]", CounterpartySpec).shown_by(
            find_example(("counterparties", "counterparty"))
        ),
        _table("validators = [{ name, power }, …]", ValidatorPower),
        _table("[host]", HostSpec).shown_by(find_example(("host",))),
        _table("[[clients]]", ClientSpec).shown_by(find_example(("clients",))),
        _table("[[relayers]]", RelayerSpec).shown_by(find_example(("relayers",))),
        *_tagged("[[relayers]] update", UpdatePolicy, section="relayers"),
        _table("[[monitors]]", MonitorSpec).shown_by(find_example(("monitors",))),
        _table("[[channels]]", ChannelSpec).shown_by(find_example(("channels",))),
        _table("[traffic] or [[traffic]]", TrafficSpec).shown_by(find_example(("traffic",))),
        _table("[[timeline]]", TimelineEntry, GovernanceEntry),
        *_tagged("[[timeline]]", Action, skip=(TimelineEntry, GovernanceEntry), section="timeline"),
        *_tagged("[[expect]]", Expectation, section="expect"),
        _table("[limits]", Limits).shown_by(find_example(("limits",))),
        _table("[sweep]", SweepTable).shown_by(find_example(("sweep",))),
    ]


def undocumented() -> list[str]:
    """Every model reachable from ``Scenario`` without a docstring, every field without a
    description, and every model no table of ``tables`` tells."""
    missing: list[str] = []
    for model in _models(Scenario):
        if not (model.__doc__ or "").strip():
            missing.append(model.__name__)
        missing += [
            f"{model.__name__}.{name}"
            for name, info in model.model_fields.items()
            if not (info.description or "").strip()
        ]
    told_models = {id(model) for model in _told_models()}
    missing += [
        f"{model.__name__} (in no table of the reference)"
        for model in _models(Scenario)
        if id(model) not in told_models
    ]
    return missing


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file as written: durations and fractions as text,
    defaults in the file's form, descriptions in Markdown."""
    schema: dict[str, Any] = Scenario.model_json_schema(by_alias=True)
    definitions: dict[str, Any] = schema.get("$defs", {})
    for model in _models(Scenario):
        target = schema if model is Scenario else definitions.get(model.__name__)
        if target is None:
            continue
        for name, info in model.model_fields.items():
            prop = target["properties"][info.alias or name]
            default = _file_default(info)
            if default is None:
                prop.pop("default", None)
            else:
                prop["default"] = default
    _tidy(schema)
    return {"$schema": JSON_SCHEMA_DRAFT, **schema, "title": "relayer-sim scenario"}


def markdown_tables() -> str:
    """The reference's tables in Markdown: a section per table, a row per field."""
    sections = []
    for doc in tables():
        rows = [
            "| field | written as | default | what it is |",
            "| --- | --- | --- | --- |",
            *(
                f"| `{field.name}` | {_cell(field.written)} | "
                f"{_cell(f'`{field.default}`' if field.default_is_toml else field.default)} | "
                f"{_cell(field.description)} |"
                for field in doc.fields
            ),
        ]
        body = "\n".join(rows) if doc.fields else "No fields of its own."
        if doc.example is not None:
            body += f"\n\nAs `{doc.example.source}` writes it:\n\n```toml\n{doc.example.toml}\n```"
        sections.append(f"### `{doc.heading}`\n\n{doc.description}\n\n{body}\n")
    return "\n".join(sections)


# -- reading the models -------------------------------------------------------------------------


def _table(heading: str, model: type[BaseModel], *also: type[BaseModel]) -> TableDoc:
    """``model``'s own fields, then those ``also`` adds (a base's subclass shared by some
    entries), each once."""
    seen: set[str] = set()
    fields = []
    for each in (model, *also):
        for name, info in each.model_fields.items():
            if name not in seen:
                seen.add(name)
                fields.append(_field(name, info))
    return TableDoc(heading, _prose(model.__doc__ or ""), tuple(fields))


def _tagged(
    heading: str, union: object, skip: Sequence[type[BaseModel]] = (), *, section: str
) -> Iterator[TableDoc]:
    """A table per member of a union chosen by a tag, with the fields it adds to ``skip``,
    and an entry of ``section`` with that tag as its example."""
    tag = next(meta.field for meta in get_args(union)[1:] if isinstance(meta, TaggedBy))
    inherited = {name for base in skip for name in base.model_fields}
    for member in get_args(get_args(union)[0]):
        value = member.model_fields[tag].default
        fields = tuple(
            _field(name, info)
            for name, info in member.model_fields.items()
            if name not in inherited and name != tag
        )
        where = (f"{heading.rpartition(' ')[2]}.{tag}" if " " in heading else tag, value)
        yield TableDoc(
            f'{heading} {tag} = "{value}"',
            _prose(member.__doc__ or ""),
            fields,
            find_example((section,), where),
        )


def _told_models() -> Iterator[type[BaseModel]]:
    """The models ``tables`` tells, with the members of the unions it expands."""
    yield from (Scenario, CounterpartySpec, ValidatorPower, HostSpec, ClientSpec, RelayerSpec)
    yield from (MonitorSpec, ChannelSpec, TrafficSpec, TimelineEntry, GovernanceEntry, Limits)
    yield SweepTable
    for union in (UpdatePolicy, Action, Expectation):
        yield from get_args(get_args(union)[0])


def _models(root: type[BaseModel]) -> list[type[BaseModel]]:
    """Every model reachable from ``root`` through its fields' types, ``root`` first."""
    found: list[type[BaseModel]] = []
    pending: list[type[BaseModel]] = [root]
    while pending:
        model = pending.pop(0)
        if model in found:
            continue
        found.append(model)
        for info in model.model_fields.values():
            pending += _models_in(info.annotation)
            for meta in info.metadata:
                pending += _models_in(meta)
    return found


def _models_in(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in get_args(annotation) for model in _models_in(arg)]


def _field(name: str, info: FieldInfo) -> FieldDoc:
    default, words = _file_default(info), None
    if info.is_required():
        words = "required"
    elif default is None:
        words = "not set"
    elif default == {} and isinstance(info.get_default(call_default_factory=True), BaseModel):
        words = "each of its fields' defaults"
    return FieldDoc(
        info.alias or name,
        _written(info.annotation, info.metadata),
        words or toml_inline(default),
        words is None,
        _prose(info.description or ""),
    )


def _written(annotation: object, metadata: Sequence[object] = ()) -> str:
    """How a file writes a value of ``annotation`` (with ``metadata``, from ``Annotated``)."""
    for meta in metadata:
        if isinstance(meta, Written | OneOrMany):
            return meta.text
        if isinstance(meta, TaggedBy):
            tags = ", ".join(
                f'"{member.model_fields[meta.field].default}"' for member in get_args(annotation)
            )
            return f"a table chosen by its `{meta.field}`: {tags}"
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _written(args[0], args[1:])
    if origin in (Union, types.UnionType):
        return " or ".join(_written(member) for member in args if member is not type(None))
    if origin is Literal:
        return "one of " + ", ".join(json.dumps(arg) for arg in args)
    if origin is tuple:
        item = args[0]
        if _models_in(item):
            return "a list of tables"
        return f"a list of {_written(item)}"
    if origin is dict:
        return f"a table of entries `<{_written(args[0])}> = <{_written(args[1])}>`"
    simple = {bool: "true or false", int: "a whole number", float: "a number", str: "text"}
    if isinstance(annotation, type) and annotation in simple:
        return simple[annotation]
    if _models_in(annotation):
        return "a table"
    return str(annotation)


def _file_default(info: FieldInfo) -> Any:
    """The field's default as a file would write it (JSON-native), or None when it has none
    or its default is not to be written (a table of defaults, nothing set)."""
    if info.is_required():
        return None
    value = info.get_default(call_default_factory=True)
    return _file_value(value, info.metadata)


def _file_value(value: object, metadata: Sequence[object] = ()) -> Any:
    """``value`` as a file writes it; a table as the fields it sets (and its tag, when it is
    one of a union chosen by one)."""
    tag = next((meta.field for meta in metadata if isinstance(meta, TaggedBy)), None)
    for meta in metadata:
        if isinstance(meta, Written):
            return meta.to_file(value) if value is not None or meta.to_file(None) else None
    if value is None:
        return None
    if isinstance(value, BaseModel):
        written = {
            info.alias or name: _file_value(getattr(value, name), info.metadata)
            for name, info in type(value).model_fields.items()
            if name in value.model_fields_set or name == tag
        }
        return {key: item for key, item in written.items() if item is not None}
    if isinstance(value, tuple | list):
        return [_file_value(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): _file_value(item) for key, item in value.items()}
    return value


def _prose(docstring: str) -> str:
    """A docstring as one Markdown paragraph: reST's ````x```` as ```x```, lines joined."""
    return " ".join(docstring.replace("``", "`").split())


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _tidy(schema: Any) -> None:
    """TOML has no null: an optional field is one left out. Descriptions in Markdown."""
    if isinstance(schema, dict):
        options = schema.get("anyOf")
        if isinstance(options, list) and {"type": "null"} in options:
            options.remove({"type": "null"})
            if len(options) == 1:
                del schema["anyOf"]
                schema.update(options[0])
        if isinstance(schema.get("description"), str):
            schema["description"] = _prose(schema["description"])
        for value in schema.values():
            _tidy(value)
    elif isinstance(schema, list):
        for item in schema:
            _tidy(item)
