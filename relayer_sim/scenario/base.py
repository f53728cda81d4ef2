"""What every scenario model shares: frozen, strict, closed to unknown fields, documented.

Strict, because TOML already has types: a string ``"5"`` where a number belongs is a mistake to
report, not to convert. Closed, because a misspelt optional field would otherwise be dropped and
its default used without a word. A field's docstring is its description, which the command line
and the README show.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Final, get_args

from pydantic import BaseModel, ConfigDict, GetCoreSchemaHandler, ValidationInfo, model_validator
from pydantic_core import PydanticCustomError, core_schema

#: The pydantic error type of every check written here; its context carries the message parts.
MISMATCH: Final = "scenario"
#: The validation context of a scenario read from a file (``Model.model_validate(data,
#: context=FROM_FILE)``): values must be written as the format says.
FROM_FILE: Final = {"from_file": True}


def from_file(info: ValidationInfo) -> bool:
    """Whether the value being validated was read from a scenario file."""
    return isinstance(info.context, dict) and info.context.get("from_file") is True


def mismatch(expected: str, *, got: str | None = None, field: str | None = None) -> Exception:
    """A validation error saying what was ``expected``; ``field`` names a field of the model being
    checked when the fault is in it, ``got`` replaces the description of the value found."""
    context: dict[str, str] = {"expected": expected}
    if got is not None:
        context["got"] = got
    if field is not None:
        context["field"] = field
    return PydanticCustomError(MISMATCH, "expected {expected}", context)


class Model(BaseModel):
    """Base of every table in a scenario file."""

    model_config: ClassVar[ConfigDict] = ConfigDict(
        frozen=True, extra="forbid", strict=True, use_attribute_docstrings=True
    )

    @model_validator(mode="before")
    @classmethod
    def _refuse_unknown_fields(cls, data: Any) -> Any:
        # Before anything else, so that a misspelt field is named rather than reported missing.
        if isinstance(data, dict):
            known = [field.alias or name for name, field in cls.model_fields.items()]
            for key in data:
                if key not in known:
                    expected = f"one of the fields {', '.join(known)}"
                    raise mismatch(expected, got="an unknown field", field=key)
        return data


@dataclass(frozen=True)
class TaggedBy:
    """Marks a union of models as chosen by the value of one field (``action``, ``kind``…).

    Each member's default for that field is its tag. A missing or unknown tag is one error that
    lists every tag, in the order of the union.
    """

    field: str

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        choices: dict[str, core_schema.CoreSchema] = {
            member.model_fields[self.field].default: handler.generate_schema(member)
            for member in get_args(source)
        }
        return core_schema.tagged_union_schema(
            choices,
            self.field,
            custom_error_type=MISMATCH,
            custom_error_message="expected {expected}",
            custom_error_context={"expected": f"one of {', '.join(choices)}", "field": self.field},
        )
