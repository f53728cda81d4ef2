"""The checks ``store_code`` runs before it compiles anything (cosmwasm-vm 2.1's static checks).

``analyze`` never raises: it reads as much of the module as it can and lists every reason to
refuse it, so a contract author sees all problems at once (``relayer-sim contract check``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

from relayer_sim.vm import abi, wasm_binary
from relayer_sim.vm.abi import (
    CAPABILITY_EXPORT_PREFIX,
    IMPORT_MODULE,
    INTERFACE_VERSION_PREFIX,
    REQUIRED_EXPORTS,
    SUPPORTED_CAPABILITIES,
    SUPPORTED_IMPORTS,
    SUPPORTED_INTERFACE_VERSION,
)
from relayer_sim.vm.wasm_binary import (
    OP_BLOCK,
    OP_END,
    OP_IF,
    OP_LOOP,
    FunctionBody,
    Limits,
    MalformedWasm,
    WasmModule,
    instructions,
    parse_module,
)

MAX_CODE_SIZE: Final = 3 * 1024 * 1024
MEMORY_EXPORT: Final = "memory"


@dataclass(frozen=True)
class StaticLimits:
    """Limits on code structure; the defaults are cosmwasm-vm 2.1's."""

    max_code_size: int = MAX_CODE_SIZE
    max_initial_memory_pages: int = 512
    max_tables: int = 1
    max_table_elements: int = 2500
    max_imports: int = 100
    max_functions: int = 20_000
    max_function_params: int = 100
    max_function_results: int = 1
    max_total_function_params: int = 10_000
    #: Per-function declared locals; cosmwasm-vm 2.1 has no such limit, so it is off by default.
    max_function_locals: int | None = None
    #: What Cranelift compiles in superlinear time, which cosmwasm-vm 2.1 (a linear singlepass
    #: compiler) need not limit. Measured here: 10,000 nested blocks take 1.5 s and 50,000 ~30 s;
    #: loops cost with the square of their number in a function (1,000: 0.4 s, 2,500: 1.8 s,
    #: 10,000: 22 s) and with the size of the function around them (1,000 loops among 100,000
    #: ifs: 18 s); straight-line blocks and ifs cost linearly (~7 s per MB of one function). Real
    #: compiled contracts are far inside these (ours: 69 deep, at most 9 loops in a function,
    #: largest function 14 KB).
    max_nesting_depth: int = 1_000
    max_function_loops: int = 1_000
    max_module_loops: int = 20_000
    max_function_bytes: int = 512 * 1024


@dataclass(frozen=True)
class StaticReport:
    """What the checks found; ``reasons`` is empty when the code would be accepted."""

    reasons: tuple[str, ...]
    code_size: int
    interface_version: str | None = None
    required_capabilities: tuple[str, ...] = ()
    memory_initial_pages: int | None = None
    memory_maximum_pages: int | None = None
    tables: tuple[Limits, ...] = ()
    function_count: int = 0
    exports: tuple[tuple[str, str], ...] = ()
    imports: tuple[tuple[str, str, str], ...] = ()

    @property
    def ok(self) -> bool:
        return not self.reasons


def rules_fingerprint(limits: StaticLimits) -> str:
    """What decides a verdict besides the code: the limits and the source of the checks (this
    module, the wasm parser and the ABI tables), so a cached verdict never outlives a rule."""
    return hashlib.sha256(f"{limits!r}|{_checks_source_digest()}".encode()).hexdigest()


@cache
def _checks_source_digest() -> str:
    digest = hashlib.sha256()
    for module_file in (__file__, wasm_binary.__file__, abi.__file__):
        digest.update(Path(module_file).read_bytes())
    return digest.hexdigest()


def analyze(code: bytes, limits: StaticLimits) -> StaticReport:
    """Check raw wasm ``code`` against ``limits``; every failed check becomes a reason."""
    if len(code) > limits.max_code_size:
        return StaticReport(
            (f"code is {len(code)} bytes; the limit is {limits.max_code_size}",), len(code)
        )
    try:
        module = parse_module(code)
    except MalformedWasm as error:
        return StaticReport((f"malformed wasm: {error}",), len(code))
    reasons = [
        *_memory_reasons(module, limits),
        *_table_reasons(module, limits),
        *_import_reasons(module, limits),
        *_export_reasons(module),
        *_function_reasons(module, limits),
        *_instruction_reasons(module, limits),
    ]
    export_names = [export.name for export in module.exports]
    versions = [name for name in export_names if name.startswith(INTERFACE_VERSION_PREFIX)]
    memory = module.memories[0] if len(module.memories) == 1 else None
    return StaticReport(
        reasons=tuple(reasons),
        code_size=len(code),
        interface_version=versions[0] if len(versions) == 1 else None,
        required_capabilities=tuple(
            name.removeprefix(CAPABILITY_EXPORT_PREFIX)
            for name in export_names
            if name.startswith(CAPABILITY_EXPORT_PREFIX)
        ),
        memory_initial_pages=memory.minimum if memory else None,
        memory_maximum_pages=memory.maximum if memory else None,
        tables=tuple(module.tables),
        function_count=len(module.function_types),
        exports=tuple((export.name, export.kind) for export in module.exports),
        imports=tuple((item.module, item.name, item.kind) for item in module.imports),
    )


def _memory_reasons(module: WasmModule, limits: StaticLimits) -> list[str]:
    if len(module.memories) != 1:
        return [f"the contract must define exactly one memory; it defines {len(module.memories)}"]
    memory = module.memories[0]
    reasons = []
    if memory.minimum > limits.max_initial_memory_pages:
        reasons.append(
            f"memory starts at {memory.minimum} pages; "
            f"the limit is {limits.max_initial_memory_pages}"
        )
    if memory.maximum is not None:
        reasons.append(
            f"memory declares a maximum ({memory.maximum} pages); it must be unset, "
            "the VM sets the cap"
        )
    return reasons


def _table_reasons(module: WasmModule, limits: StaticLimits) -> list[str]:
    reasons = []
    if len(module.tables) > limits.max_tables:
        reasons.append(f"{len(module.tables)} tables; at most {limits.max_tables} allowed")
    for index, table in enumerate(module.tables):
        largest = table.minimum if table.maximum is None else max(table.minimum, table.maximum)
        if largest > limits.max_table_elements:
            reasons.append(
                f"table {index} allows {largest} elements; the limit is {limits.max_table_elements}"
            )
    return reasons


def _import_reasons(module: WasmModule, limits: StaticLimits) -> list[str]:
    reasons = []
    if len(module.imports) > limits.max_imports:
        reasons.append(f"{len(module.imports)} imports; at most {limits.max_imports} allowed")
    for item in module.imports:
        label = f"{item.module}.{item.name}"
        if item.kind != "func":
            reasons.append(f"import {label} is a {item.kind}; only functions may be imported")
            continue
        if item.module != IMPORT_MODULE or item.name not in SUPPORTED_IMPORTS:
            reasons.append(f"import {label} is not provided by the VM")
            continue
        params, results = SUPPORTED_IMPORTS[item.name]
        assert item.type_index is not None  # function imports always carry one
        try:
            actual = module.function_type(item.type_index)
        except MalformedWasm as error:
            reasons.append(f"import {label}: {error}")
            continue
        if (actual.params, actual.results) != (params, results):
            reasons.append(
                f"import {label} has signature {_signature(actual.params, actual.results)}; "
                f"the VM provides {_signature(params, results)}"
            )
    return reasons


def _signature(params: tuple[str, ...], results: tuple[str, ...]) -> str:
    return f"({', '.join(params)}) -> ({', '.join(results)})"


def _export_reasons(module: WasmModule) -> list[str]:
    kinds = {export.name: export.kind for export in module.exports}
    reasons = []
    if len(module.memories) == 1 and kinds.get(MEMORY_EXPORT) != "memory":
        reasons.append("the contract must export its memory as 'memory'")
    for name in REQUIRED_EXPORTS:
        if kinds.get(name) != "func":
            reasons.append(f"the contract must export the function {name!r}")
    versions = [name for name in kinds if name.startswith(INTERFACE_VERSION_PREFIX)]
    if not versions:
        reasons.append(f"missing the marker export {SUPPORTED_INTERFACE_VERSION}")
    elif len(versions) > 1:
        reasons.append(f"more than one interface version marker: {', '.join(versions)}")
    elif versions[0] != SUPPORTED_INTERFACE_VERSION:
        reasons.append(
            f"unsupported interface version {versions[0]}; "
            f"the VM runs {SUPPORTED_INTERFACE_VERSION}"
        )
    for name in kinds:
        capability = name.removeprefix(CAPABILITY_EXPORT_PREFIX)
        if name.startswith(CAPABILITY_EXPORT_PREFIX) and capability not in SUPPORTED_CAPABILITIES:
            reasons.append(f"requires the capability {capability!r}, which the VM does not offer")
    return reasons


def _function_reasons(module: WasmModule, limits: StaticLimits) -> list[str]:
    reasons = []
    count = len(module.function_types)
    if count > limits.max_functions:
        reasons.append(f"{count} functions; at most {limits.max_functions} allowed")
    total_params = 0
    first = module.imported_function_count  # wasm numbers imported functions first
    for index, type_index in enumerate(module.function_types, start=first):
        try:
            function_type = module.function_type(type_index)
        except MalformedWasm as error:
            reasons.append(f"function {index}: {error}")
            continue
        total_params += len(function_type.params)
        if len(function_type.params) > limits.max_function_params:
            reasons.append(
                f"function {index} takes {len(function_type.params)} parameters; "
                f"at most {limits.max_function_params} allowed"
            )
        if len(function_type.results) > limits.max_function_results:
            reasons.append(
                f"function {index} returns {len(function_type.results)} values; "
                f"at most {limits.max_function_results} allowed"
            )
    if total_params > limits.max_total_function_params:
        reasons.append(
            f"{total_params} function parameters in total; "
            f"at most {limits.max_total_function_params} allowed"
        )
    if limits.max_function_locals is not None:
        for index, body in enumerate(module.bodies, start=first):
            if body.local_count > limits.max_function_locals:
                reasons.append(
                    f"function {index} declares {body.local_count} locals; "
                    f"at most {limits.max_function_locals} allowed"
                )
    return reasons


@dataclass
class _BodyShape:
    """What one pass over a function body found."""

    floats: int = 0
    loops: int = 0
    depth: int = 0
    error: str | None = None


def _body_shape(module: WasmModule, body: FunctionBody) -> _BodyShape:
    shape = _BodyShape()
    depth = 0
    try:
        for instruction in instructions(module, body):
            shape.floats += instruction.is_float
            if instruction.opcode in (OP_BLOCK, OP_LOOP, OP_IF):
                shape.loops += instruction.opcode == OP_LOOP
                depth += 1
                shape.depth = max(shape.depth, depth)
            elif instruction.opcode == OP_END:
                depth -= 1
    except MalformedWasm as error:
        shape.error = str(error)
    return shape


def _instruction_reasons(module: WasmModule, limits: StaticLimits) -> list[str]:
    """Float instructions (refused, as cosmwasm-vm refuses them), control flow too deep or too
    large to compile quickly, and undecodable instructions."""
    first = module.imported_function_count
    shapes = {
        index: _body_shape(module, body) for index, body in enumerate(module.bodies, start=first)
    }
    reasons = []
    float_functions = [index for index, shape in shapes.items() if shape.floats]
    if float_functions:
        float_count = sum(shapes[index].floats for index in float_functions)
        reasons.append(
            f"float instructions are not allowed: {float_count} found in "
            f"{len(float_functions)} function(s) ({_some(float_functions)})"
        )
    deep = [index for index, shape in shapes.items() if shape.depth > limits.max_nesting_depth]
    if deep:
        reasons.append(
            f"control flow nested deeper than {limits.max_nesting_depth} blocks in "
            f"{len(deep)} function(s) ({_some(deep)})"
        )
    loopy = [index for index, shape in shapes.items() if shape.loops > limits.max_function_loops]
    if loopy:
        reasons.append(
            f"more than {limits.max_function_loops} loops in "
            f"{len(loopy)} function(s) ({_some(loopy)})"
        )
    total_loops = sum(shape.loops for shape in shapes.values())
    if total_loops > limits.max_module_loops:
        reasons.append(
            f"{total_loops} loops in the module; at most {limits.max_module_loops} allowed"
        )
    large = [
        index
        for index, body in enumerate(module.bodies, start=first)
        if body.end - body.start > limits.max_function_bytes
    ]
    if large:
        reasons.append(
            f"function bodies larger than {limits.max_function_bytes} bytes: "
            f"{len(large)} ({_some(large)})"
        )
    undecodable = [f"function {i}: {shape.error}" for i, shape in shapes.items() if shape.error]
    if undecodable:
        more = f" (and {len(undecodable) - 1} more functions)" if len(undecodable) > 1 else ""
        reasons.append(f"{undecodable[0]}{more}")
    return reasons


def _some(indices: list[int]) -> str:
    """The first five function indices, and how many more."""
    shown = ", ".join(str(index) for index in indices[:5])
    return f"{shown} and {len(indices) - 5} more" if len(indices) > 5 else shown
