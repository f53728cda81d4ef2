"""The kinds of value scenario fields hold, each read and checked the one way the file format
defines: names, one-line texts, identifiers, durations, fractions, probabilities and contracts
(a shipped contract's name, or a contract file, read and checked as the host would store it).

Each kind also has the bounds of the type the runtime keeps it in (integers within int64,
seeds within u64, durations that leave simulated timestamps within int64), so a value the
runtime could not honour is refused here, with its field, instead of failing mid-run.

Each check says what it expected, so a refused value gets a message a user can act on. A file
writes durations and fractions as text (a bare ``5`` could be seconds or nanoseconds); a model
built in Python may also give them as they are kept: integer nanoseconds, ``Fraction`` or
``(numerator, denominator)``.
"""

from __future__ import annotations

import re
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Annotated, Final, TypeVar

from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo
from pydantic_core import PydanticCustomError

from relayer_sim.contracts import contract_names
from relayer_sim.files import FileRefused
from relayer_sim.formats.ics24 import is_store_name
from relayer_sim.scenario.base import from_file, mismatch
from relayer_sim.scenario.contracts import (
    ContractCode,
    ContractFile,
    is_contract_file,
    read_contract_file,
)
from relayer_sim.scenario.durations import (
    EXAMPLES,
    MAX_DURATION,
    DurationError,
    format_duration,
    parse_duration,
)
from relayer_sim.scenario.errors import show
from relayer_sim.scenario.written import (
    DURATION_PATTERN,
    Written,
    duration_text,
    fraction_text,
    string,
)

T = TypeVar("T")

#: A TOML array, kept as a tuple so that the model stays immutable.
Entries = Annotated[tuple[T, ...], Field(strict=False)]

#: The largest int64: heights, counts and powers are int64 in CometBFT and the SDK.
INT64_MAX: Final = 2**63 - 1
#: The largest uint64: seeds and the numerator and denominator of a trust level.
UINT64_MAX: Final = 2**64 - 1
#: CometBFT's ``MaxTotalVotingPower``: the most voting power a validator set may have in all.
MAX_TOTAL_VOTING_POWER: Final = INT64_MAX // 8
#: A name becomes a chain id (``<name>-1``), and CometBFT's chain ids have at most 50 chars.
NAME_LENGTH: Final = 48
#: The longest one-line text (a description, an upgrade name).
TEXT_LENGTH: Final = 300

PositiveInt = Annotated[int, Field(gt=0, le=INT64_MAX), Written("a whole number above 0")]
NonNegativeInt = Annotated[int, Field(ge=0, le=INT64_MAX), Written("a whole number, 0 or more")]
Seed = Annotated[int, Field(ge=0, le=UINT64_MAX), Written("a whole number from 0 to 2^64 - 1")]
#: The most bytes a packet's payload or a garbage client message may have: CometBFT's default
#: ``max_tx_bytes`` (1 MiB), the most a transaction carrying either can be.
MAX_PAYLOAD: Final = 1024 * 1024
#: A number of bytes carried in one message.
Payload = Annotated[
    int, Field(gt=0, le=MAX_PAYLOAD), Written("a number of bytes, from 1 to 1048576 (1 MiB)")
]

_NAME = re.compile(rf"[a-z0-9-]{{1,{NAME_LENGTH}}}")
_FRACTION = re.compile(r"(\d{1,20})/(\d{1,20})")
#: ibc-go's identifier characters (``host.ValidateIdentifier``), and its lengths for ports and
#: channels.
_IDENTIFIER = r"[a-zA-Z0-9._+\-#\[\]<>]"
_PORT = re.compile(rf"{_IDENTIFIER}{{2,128}}")
#: Shipped contracts that exist to test the VM and the host, not to be light clients.
TEST_CONTRACTS: Final = frozenset({"probe", "rogue"})
#: What a client names to run on the host binary's own light client instead of a contract.
NATIVE: Final = "native"
#: The longest contract file path a scenario may write (Linux's ``PATH_MAX``).
PATH_LENGTH: Final = 4096


def _name(text: str) -> str:
    if not _NAME.fullmatch(text):
        raise mismatch(f"a name of up to {NAME_LENGTH} lowercase letters, digits and dashes")
    return text


def _one_line(text: str) -> str:
    # Not printable: control characters (a terminal escape, a newline) and lone surrogates.
    if not text.strip() or not text.isprintable() or len(text) > TEXT_LENGTH:
        raise mismatch(f"one line of printable text, at most {TEXT_LENGTH} characters")
    return text


def _port(text: str) -> str:
    if not _PORT.fullmatch(text):
        raise mismatch("a port id: 2 to 128 of a-z, A-Z, 0-9 and ._+-#[]<>")
    return text


def _store_name(text: str) -> str:
    if not (is_store_name(text) and len(text) <= NAME_LENGTH):
        raise mismatch(f"a store name: 1 to {NAME_LENGTH} printable ASCII characters, no '/'")
    return text


def _nanoseconds(value: object, info: ValidationInfo) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and not from_file(info):
        if not 0 <= value <= MAX_DURATION:
            raise mismatch(f"a duration from 0s to {format_duration(MAX_DURATION)}")
        return value
    if not isinstance(value, str):
        raise mismatch(f"a duration like {EXAMPLES}")
    try:
        return parse_duration(value)
    except DurationError as error:
        raise mismatch(error.expected) from None


def _duration(value: object, info: ValidationInfo) -> int:
    nanoseconds = _nanoseconds(value, info)
    if nanoseconds == 0:
        raise mismatch("a duration longer than 0s")
    return nanoseconds


def _create_at(value: object, info: ValidationInfo) -> int | None:
    if value == "never" or (value is None and not from_file(info)):
        return None
    try:
        return _nanoseconds(value, info)
    except PydanticCustomError:
        raise mismatch(f'a duration like {EXAMPLES}, or "never"') from None


def _ratio(value: object, expected: str, info: ValidationInfo) -> tuple[int, int]:
    """``(numerator, denominator)`` as written in ``"n/d"`` (or, from Python, in a ``Fraction``
    or such a pair)."""
    if not from_file(info):
        if isinstance(value, Fraction):
            return value.numerator, value.denominator
        if isinstance(value, tuple) and len(value) == 2:
            value = f"{value[0]}/{value[1]}"
    match = _FRACTION.fullmatch(value) if isinstance(value, str) else None
    if match is None or int(match[2]) == 0 or max(int(match[1]), int(match[2])) > UINT64_MAX:
        raise mismatch(expected)
    return int(match[1]), int(match[2])


def _trust_level(value: object, info: ValidationInfo) -> tuple[int, int]:
    expected = 'a fraction "n/d" from 1/3 to 1'
    written = _ratio(value, expected, info)
    if not Fraction(1, 3) <= Fraction(*written) <= 1:
        raise mismatch(expected)
    return written


def _quorum(value: object, info: ValidationInfo) -> Fraction:
    expected = 'a fraction "n/d" from 0 to 1'
    share = Fraction(*_ratio(value, expected, info))
    if share > 1:
        raise mismatch(expected)
    return share


def _threshold(value: object, info: ValidationInfo) -> Fraction:
    expected = 'a fraction "n/d" above 0, at most 1'
    share = Fraction(*_ratio(value, expected, info))
    if not 0 < share <= 1:
        raise mismatch(expected)
    return share


def _probability(value: float) -> float:
    if not 0 <= value < 1:
        raise mismatch("a probability from 0 up to, not including, 1")
    return value


@cache
def scenario_contracts() -> tuple[str, ...]:
    """The shipped light-client contracts a scenario may name (every ``.wasm`` but the tests')."""
    return tuple(name for name in contract_names() if name not in TEST_CONTRACTS)


def _contract(name: str, info: ValidationInfo, also: tuple[str, ...] = ()) -> str:
    if is_contract_file(name):
        return _contract_file(name, info)
    known = (*scenario_contracts(), *also)
    if name not in known:
        got = f"{show(name)}, a test contract" if name in TEST_CONTRACTS else None
        raise mismatch(f"one of {', '.join(known)}, or a .wasm or .wasm.gz file", got=got)
    return name


def _client_code(name: str, info: ValidationInfo) -> str:
    return _contract(name, info, also=(NATIVE,))


def _contract_file(written: str, info: ValidationInfo) -> ContractFile:
    """The contract in the file ``written`` names, relative to the scenario file's directory
    (the validation context's ``base_dir``; the working directory for a scenario built in
    Python). A ``contract_files`` mapping in the context gives code already read, by path."""
    if not written.isprintable() or len(written) > PATH_LENGTH:
        raise mismatch(f"a file path of printable characters, at most {PATH_LENGTH}")
    context = info.context if isinstance(info.context, dict) else {}
    base: Path = context.get("base_dir") or Path.cwd()
    path = base / written
    known: dict[Path, ContractCode] = context.get("contract_files", {})
    try:
        contract = known.get(path) or read_contract_file(path)
    except FileRefused as refused:
        raise mismatch(f"{refused.expected} at {path}", got=refused.got) from None
    return ContractFile(written, path, contract)


_DURATION_TEXT = 'a duration: "250ms", "6s", "2h", "1h30m", "14d" (units largest first)'
_FRACTION_SCHEMA = string(pattern=r"^[0-9]{1,20}/[0-9]{1,20}$")
_CONTRACT_FILE = r"\.wasm(\.gz)?$"


def _contract_schema(*also: str) -> dict[str, object]:
    """A shipped contract's name (or one of ``also``), or a contract file's path."""
    names = [*scenario_contracts(), *also]
    return {"anyOf": [{"enum": names}, string(pattern=_CONTRACT_FILE)]}


#: A scenario name for a chain, validator, client, relayer, monitor or timeline entry.
Name = Annotated[
    str,
    AfterValidator(_name),
    Written(
        f"a name: up to {NAME_LENGTH} lowercase letters, digits and dashes",
        string(pattern=f"^[a-z0-9-]{{1,{NAME_LENGTH}}}$"),
    ),
]
OneLine = Annotated[
    str,
    AfterValidator(_one_line),
    Written(
        f"one line of text, at most {TEXT_LENGTH} characters",
        string(minLength=1, maxLength=TEXT_LENGTH),
    ),
]
#: An IBC port id, as ibc-go validates it.
PortId = Annotated[
    str,
    AfterValidator(_port),
    Written(
        "a port id: 2 to 128 of a-z, A-Z, 0-9 and ._+-#[]<>", string(pattern=f"^{_PORT.pattern}$")
    ),
]
#: A store name of a Cosmos SDK multistore: a commitment prefix.
StoreName = Annotated[
    str,
    AfterValidator(_store_name),
    Written(
        f"a store name: 1 to {NAME_LENGTH} printable ASCII characters, no /",
        string(pattern=f"^[ -.0-~]{{1,{NAME_LENGTH}}}$"),
    ),
]
#: Nanoseconds, written like ``"6s"``; more than zero.
Duration = Annotated[
    int,
    BeforeValidator(_duration),
    Written(f"{_DURATION_TEXT}; more than 0s", string(pattern=DURATION_PATTERN), duration_text),
]
#: Nanoseconds, written like ``"6s"``; zero (``"0s"``) allowed.
DurationOrZero = Annotated[
    int,
    BeforeValidator(_nanoseconds),
    Written(f'{_DURATION_TEXT}; "0s" allowed', string(pattern=DURATION_PATTERN), duration_text),
]
#: Nanoseconds since the start, or ``None`` for ``"never"``.
CreateAt = Annotated[
    int | None,
    BeforeValidator(_create_at),
    Written(
        f'{_DURATION_TEXT} since the start, or "never"',
        {"anyOf": [string(pattern=DURATION_PATTERN), {"const": "never"}]},
        duration_text,
    ),
]
#: ``(numerator, denominator)`` as written (``"1/3"`` → ``(1, 3)``), in [1/3, 1].
TrustLevel = Annotated[
    tuple[int, int],
    BeforeValidator(_trust_level),
    Written('a fraction "n/d" from 1/3 to 1', _FRACTION_SCHEMA, fraction_text),
]
#: A share of voting power written ``"n/d"``, in [0, 1].
Quorum = Annotated[
    Fraction,
    BeforeValidator(_quorum),
    Written('a fraction "n/d" from 0 to 1', _FRACTION_SCHEMA, fraction_text),
]
#: A share of voting power written ``"n/d"``, in (0, 1].
Threshold = Annotated[
    Fraction,
    BeforeValidator(_threshold),
    Written('a fraction "n/d" above 0, at most 1', _FRACTION_SCHEMA, fraction_text),
]
Probability = Annotated[
    float,
    AfterValidator(_probability),
    Written(
        "a probability from 0 up to, not including, 1",
        {"type": "number", "minimum": 0, "exclusiveMaximum": 1},
    ),
]
#: A light-client contract: a shipped one's name (the ``.wasm`` file's stem), or the path of a
#: ``.wasm`` or ``.wasm.gz`` file, read as a ``ContractFile``
#: (``relayer_sim.scenario.contracts``).
Contract = Annotated[
    str,
    AfterValidator(_contract),
    Written(
        "a shipped contract's name, or a .wasm or .wasm.gz file relative to the scenario file",
        _contract_schema(),
    ),
]
#: What a client runs on: a contract, or ``"native"``, the host binary's own light client (the
#: hard-fork baseline).
ClientCode = Annotated[
    str,
    AfterValidator(_client_code),
    Written(
        "a shipped contract's name, a .wasm or .wasm.gz file relative to the scenario file, "
        'or "native"',
        _contract_schema(NATIVE),
    ),
]
