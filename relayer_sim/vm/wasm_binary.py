"""A strict reader of the wasm binary format: sections, signatures and every instruction.

wasmtime validates code but cannot tell us what CosmWasm's static checks need (float instructions,
import signatures, table sizes) nor let us rewrite code for metering, so we decode the module
ourselves. Only what those two jobs need is decoded; the rest of a section is kept as bytes. Any
structural problem raises ``MalformedWasm`` with the byte offset where it was found.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final, NamedTuple

MAGIC: Final = b"\0asm"
VERSION: Final = b"\x01\0\0\0"

SECTION_CUSTOM: Final = 0
SECTION_TYPE: Final = 1
SECTION_IMPORT: Final = 2
SECTION_FUNCTION: Final = 3
SECTION_TABLE: Final = 4
SECTION_MEMORY: Final = 5
SECTION_GLOBAL: Final = 6
SECTION_EXPORT: Final = 7
SECTION_CODE: Final = 10

EXTERNAL_KINDS: Final = ("func", "table", "memory", "global")

VALUE_TYPES: Final[dict[int, str]] = {
    0x7F: "i32",
    0x7E: "i64",
    0x7D: "f32",
    0x7C: "f64",
    0x7B: "v128",
    0x70: "funcref",
    0x6F: "externref",
}
BLOCK_TYPE_EMPTY: Final = 0x40

# Opcodes whose immediates the decoder must skip or read.
OP_BLOCK, OP_LOOP, OP_IF, OP_ELSE, OP_END = 0x02, 0x03, 0x04, 0x05, 0x0B
OP_BR, OP_BR_IF, OP_BR_TABLE, OP_RETURN = 0x0C, 0x0D, 0x0E, 0x0F
OP_CALL, OP_CALL_INDIRECT = 0x10, 0x11
OP_UNREACHABLE, OP_NOP, OP_DROP = 0x00, 0x01, 0x1A
OP_SELECT_TYPED = 0x1C
OP_I32_CONST, OP_I64_CONST, OP_F32_CONST, OP_F64_CONST = 0x41, 0x42, 0x43, 0x44
OP_REF_NULL, OP_REF_FUNC = 0xD0, 0xD2
PREFIX_MISC, PREFIX_SIMD, PREFIX_ATOMIC = 0xFC, 0xFD, 0xFE

_NO_IMMEDIATE: Final = frozenset(
    {OP_UNREACHABLE, OP_NOP, OP_ELSE, OP_END, OP_RETURN, OP_DROP, 0x1B, 0xD1}
    | set(range(0x45, 0xC5))  # numeric instructions, including sign extension
)
_ONE_INDEX: Final = frozenset({OP_BR, OP_BR_IF, OP_CALL, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26})
_MEMORY_ACCESS: Final = frozenset(range(0x28, 0x3F))
_MEMORY_INDEX: Final = frozenset({0x3F, 0x40})  # memory.size, memory.grow

#: Float instructions of the core set (loads, stores, constants, comparisons, arithmetic and
#: conversions that take or produce f32/f64).
FLOAT_OPCODES: Final = frozenset(
    {0x2A, 0x2B, 0x38, 0x39, OP_F32_CONST, OP_F64_CONST}
    | set(range(0x5B, 0x67))
    | set(range(0x8B, 0xA7))
    | set(range(0xA8, 0xAC))
    | set(range(0xAE, 0xC0))
)
#: ``0xFC`` sub-opcodes 0..7 are the saturating float-to-int truncations.
FLOAT_MISC_OPCODES: Final = frozenset(range(8))
# 0xFC sub-opcode -> number of u32 immediates (bulk memory and table instructions).
_MISC_IMMEDIATES: Final[dict[int, int]] = {
    **dict.fromkeys(range(8), 0),
    8: 2,  # memory.init data, memory
    9: 1,  # data.drop
    10: 2,  # memory.copy
    11: 1,  # memory.fill
    12: 2,  # table.init
    13: 1,  # elem.drop
    14: 2,  # table.copy
    15: 1,  # table.grow
    16: 1,  # table.size
    17: 1,  # table.fill
}


class MalformedWasm(ValueError):
    """The bytes are not a well-formed wasm module (or use an instruction we do not run)."""


class Reader:
    """A cursor over bytes with the LEB128 readings the format uses."""

    def __init__(self, data: bytes, position: int = 0, end: int | None = None) -> None:
        self.data = data
        self.position = position
        self.end = len(data) if end is None else end

    @property
    def at_end(self) -> bool:
        return self.position >= self.end

    def fail(self, message: str) -> MalformedWasm:
        return MalformedWasm(f"{message} (at byte {self.position})")

    def byte(self) -> int:
        if self.position >= self.end:
            raise self.fail("unexpected end of data")
        value = self.data[self.position]
        self.position += 1
        return value

    def take(self, length: int) -> bytes:
        if length > self.end - self.position:
            raise self.fail(f"{length} bytes announced but only {self.end - self.position} left")
        value = self.data[self.position : self.position + length]
        self.position += length
        return value

    def _leb(self, bits: int, signed: bool) -> int:
        result = shift = 0
        for _ in range((bits + 6) // 7):
            byte = self.byte()
            result |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                if signed and byte & 0x40:
                    result -= 1 << shift
                return result
        raise self.fail(f"LEB128 integer longer than {bits} bits")

    def u32(self) -> int:
        value = self._leb(32, signed=False)
        if value >= 1 << 32:
            raise self.fail("u32 out of range")
        return value

    def s32(self) -> int:
        return self._leb(32, signed=True)

    def s33(self) -> int:
        return self._leb(33, signed=True)

    def s64(self) -> int:
        return self._leb(64, signed=True)

    def name(self) -> str:
        raw = self.take(self.u32())
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise self.fail("name is not valid UTF-8") from None

    def value_type(self) -> str:
        code = self.byte()
        if code not in VALUE_TYPES:
            raise self.fail(f"unknown value type 0x{code:02x}")
        return VALUE_TYPES[code]

    def limits(self) -> Limits:
        flags = self.byte()
        if flags not in (0, 1):
            raise self.fail(f"unsupported limits flags 0x{flags:02x} (shared or 64-bit memory)")
        minimum = self.u32()
        return Limits(minimum, self.u32() if flags == 1 else None)


@dataclass(frozen=True)
class Limits:
    minimum: int
    maximum: int | None


@dataclass(frozen=True)
class FunctionType:
    params: tuple[str, ...]
    results: tuple[str, ...]


@dataclass(frozen=True)
class Import:
    module: str
    name: str
    kind: str
    #: Function imports: the type index. Tables and memories: their limits.
    type_index: int | None = None
    limits: Limits | None = None


@dataclass(frozen=True)
class Export:
    name: str
    kind: str
    index: int


@dataclass(frozen=True)
class FunctionBody:
    """One entry of the code section; ``locals_end`` is where its instructions start."""

    start: int
    locals_end: int
    end: int
    local_count: int
    local_types: frozenset[str]


@dataclass(frozen=True)
class Section:
    id: int
    start: int  # first byte of the payload
    end: int


@dataclass
class WasmModule:
    """The parts of a module the static checks and the metering need."""

    data: bytes
    sections: list[Section] = field(default_factory=list)
    types: list[FunctionType] = field(default_factory=list)
    imports: list[Import] = field(default_factory=list)
    function_types: list[int] = field(default_factory=list)  # defined functions' type indices
    tables: list[Limits] = field(default_factory=list)
    memories: list[Limits] = field(default_factory=list)
    exports: list[Export] = field(default_factory=list)
    bodies: list[FunctionBody] = field(default_factory=list)

    @property
    def imported_function_count(self) -> int:
        return sum(1 for item in self.imports if item.kind == "func")

    def function_type(self, type_index: int) -> FunctionType:
        if type_index >= len(self.types):
            raise MalformedWasm(f"type index {type_index} does not exist")
        return self.types[type_index]


def parse_module(data: bytes) -> WasmModule:
    """Decode the sections of ``data``; raises ``MalformedWasm``."""
    if data[:4] != MAGIC:
        raise MalformedWasm("bad magic number: not a wasm module")
    if data[4:8] != VERSION:
        raise MalformedWasm(f"unsupported wasm version {data[4:8].hex()}")
    module = WasmModule(data)
    reader = Reader(data, 8)
    while not reader.at_end:
        section_id = reader.byte()
        size = reader.u32()
        start = reader.position
        reader.take(size)
        section = Section(section_id, start, reader.position)
        module.sections.append(section)
        _parse_section(module, Reader(data, start, section.end), section_id)
    if len(module.bodies) != len(module.function_types):
        raise MalformedWasm(
            f"{len(module.function_types)} functions declared but "
            f"{len(module.bodies)} function bodies given"
        )
    return module


def _vector(reader: Reader) -> range:
    return range(reader.u32())


def _parse_section(module: WasmModule, reader: Reader, section_id: int) -> None:
    if section_id == SECTION_TYPE:
        for _ in _vector(reader):
            if reader.byte() != 0x60:
                raise reader.fail("function type must start with 0x60")
            params = tuple(reader.value_type() for _ in _vector(reader))
            results = tuple(reader.value_type() for _ in _vector(reader))
            module.types.append(FunctionType(params, results))
    elif section_id == SECTION_IMPORT:
        for _ in _vector(reader):
            module.imports.append(_import(reader))
    elif section_id == SECTION_FUNCTION:
        module.function_types.extend(reader.u32() for _ in _vector(reader))
    elif section_id == SECTION_TABLE:
        for _ in _vector(reader):
            reader.value_type()
            module.tables.append(reader.limits())
    elif section_id == SECTION_MEMORY:
        module.memories.extend(reader.limits() for _ in _vector(reader))
    elif section_id == SECTION_EXPORT:
        for _ in _vector(reader):
            name = reader.name()
            kind = reader.byte()
            if kind >= len(EXTERNAL_KINDS):
                raise reader.fail(f"unknown export kind {kind}")
            module.exports.append(Export(name, EXTERNAL_KINDS[kind], reader.u32()))
    elif section_id == SECTION_CODE:
        module.bodies.extend(_function_body(reader) for _ in _vector(reader))
    else:
        return  # custom, global, start, element, data, data count: not needed, kept verbatim
    if not reader.at_end:
        raise reader.fail(f"section {section_id} has trailing bytes")


def _import(reader: Reader) -> Import:
    module_name, name = reader.name(), reader.name()
    kind = reader.byte()
    if kind == 0:
        return Import(module_name, name, "func", type_index=reader.u32())
    if kind == 1:
        reader.value_type()
        return Import(module_name, name, "table", limits=reader.limits())
    if kind == 2:
        return Import(module_name, name, "memory", limits=reader.limits())
    if kind == 3:
        reader.value_type()
        reader.byte()  # mutability
        return Import(module_name, name, "global")
    raise reader.fail(f"unknown import kind {kind}")


def _function_body(reader: Reader) -> FunctionBody:
    size = reader.u32()
    start = reader.position
    end = start + size
    if end > reader.end:
        raise reader.fail("function body runs past the code section")
    body = Reader(reader.data, start, end)
    count = 0
    types = set()
    for _ in _vector(body):
        count += body.u32()
        types.add(body.value_type())
    reader.position = end
    return FunctionBody(start, body.position, end, count, frozenset(types))


class Instruction(NamedTuple):
    """One decoded instruction: ``opcode`` is the first byte; ``sub`` the prefixed opcode.

    A tuple rather than a frozen dataclass: a 3 MiB module has millions of instructions, decoded
    by the static checks and again by the metering, and a frozen dataclass is several times
    slower to create.
    """

    start: int
    end: int
    opcode: int
    sub: int | None = None
    #: For ``call``: the callee's function index.
    target: int | None = None

    @property
    def is_float(self) -> bool:
        if self.opcode == PREFIX_MISC:
            return self.sub in FLOAT_MISC_OPCODES
        return self.opcode in FLOAT_OPCODES


def instructions(module: WasmModule, body: FunctionBody) -> Iterator[Instruction]:
    """Every instruction of ``body``, in order; raises ``MalformedWasm`` on anything unknown."""
    data, end = module.data, body.end
    reader = Reader(data, body.locals_end, end)
    while reader.position < end:
        opcode = data[reader.position]
        if opcode in _NO_IMMEDIATE:  # most instructions: one byte, decoded without the reader
            reader.position += 1
            yield Instruction(reader.position - 1, reader.position, opcode)
        else:
            yield _instruction(reader)


def _instruction(reader: Reader) -> Instruction:
    """An instruction with immediates (``instructions`` decodes the one-byte ones itself)."""
    start = reader.position
    opcode = reader.byte()
    sub: int | None = None
    target: int | None = None
    if opcode in (OP_BLOCK, OP_LOOP, OP_IF):
        _block_type(reader)
    elif opcode in _ONE_INDEX:
        index = reader.u32()
        target = index if opcode == OP_CALL else None
    elif opcode == OP_BR_TABLE:
        for _ in _vector(reader):
            reader.u32()
        reader.u32()
    elif opcode == OP_CALL_INDIRECT:
        reader.u32()
        reader.u32()
    elif opcode == OP_SELECT_TYPED:
        for _ in _vector(reader):
            reader.value_type()
    elif opcode in _MEMORY_ACCESS:
        _memory_argument(reader)
    elif opcode in _MEMORY_INDEX:
        reader.u32()
    elif opcode == OP_I32_CONST:
        reader.s32()
    elif opcode == OP_I64_CONST:
        reader.s64()
    elif opcode == OP_F32_CONST:
        reader.take(4)
    elif opcode == OP_F64_CONST:
        reader.take(8)
    elif opcode == OP_REF_NULL:
        reader.value_type()
    elif opcode == OP_REF_FUNC:
        reader.u32()
    elif opcode == PREFIX_MISC:
        sub = reader.u32()
        if sub not in _MISC_IMMEDIATES:
            raise MalformedWasm(f"unknown instruction 0xfc {sub} at byte {start}")
        for _ in range(_MISC_IMMEDIATES[sub]):
            reader.u32()
    elif opcode == PREFIX_SIMD:
        raise MalformedWasm(f"SIMD instruction at byte {start}: SIMD is not supported")
    elif opcode == PREFIX_ATOMIC:
        raise MalformedWasm(f"atomic instruction at byte {start}: threads are not supported")
    else:
        raise MalformedWasm(f"unknown or unsupported instruction 0x{opcode:02x} at byte {start}")
    return Instruction(start, reader.position, opcode, sub, target)


def _block_type(reader: Reader) -> None:
    code = reader.data[reader.position] if reader.position < reader.end else None
    if code == BLOCK_TYPE_EMPTY or code in VALUE_TYPES:
        reader.byte()
    elif reader.s33() < 0:
        raise reader.fail("invalid block type")


def _memory_argument(reader: Reader) -> None:
    alignment = reader.u32()
    if alignment & 0x40:  # multi-memory: an explicit memory index follows
        reader.u32()
    reader.u32()


def encode_u32(value: int) -> bytes:
    """Unsigned LEB128, as section and body sizes are written."""
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)
