"""What ``store_code`` would say about a file, with everything a contract author wants to see.

This runs the very same path as ``WasmVM.store_code`` (gzip, size, static checks, compile), but
collects a full report instead of stopping at the first refusal.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import wasmtime

from relayer_sim.vm.errors import CodeRejected
from relayer_sim.vm.machine import GZIP_MAGIC, decompress_code
from relayer_sim.vm.metering import instrument
from relayer_sim.vm.module_cache import shared_engine
from relayer_sim.vm.static_checks import StaticLimits, StaticReport, analyze


@dataclass(frozen=True)
class CodeCheck:
    """The verdict on one piece of contract code."""

    file_size: int
    raw_size: int | None
    gzipped: bool
    checksum: bytes | None
    report: StaticReport | None
    reasons: tuple[str, ...]

    @property
    def accepted(self) -> bool:
        return not self.reasons


def check_code(code: bytes, limits: StaticLimits | None = None) -> CodeCheck:
    """Check ``code`` (raw or gzip) exactly as ``store_code`` would, collecting every reason."""
    limits = limits or StaticLimits()
    gzipped = code.startswith(GZIP_MAGIC)
    try:
        raw = decompress_code(code, limits.max_code_size)
    except CodeRejected as rejected:
        return CodeCheck(len(code), None, gzipped, None, None, rejected.reasons)
    report = analyze(raw, limits)
    reasons = list(report.reasons)
    if report.ok:
        try:
            wasmtime.Module(shared_engine(), instrument(raw))
        except wasmtime.WasmtimeError as error:
            reasons.append(f"wasmtime cannot compile the code: {str(error).splitlines()[0]}")
    checksum = hashlib.sha256(raw).digest()
    return CodeCheck(len(code), len(raw), gzipped, checksum, report, tuple(reasons))
