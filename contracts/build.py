"""Build the Zig contracts in ``contracts/`` into ``relayer_sim/contracts/*.wasm``, reproducibly.

Every folder ``contracts/<name>/`` with a ``main.zig`` is one contract, built into
``relayer_sim/contracts/<name>.wasm``, which ships as package data. Contracts share Zig modules
(``MODULES``): ``cw`` (``contracts/lib``, the CosmWasm support library) and ``sim_tm``
(``contracts/sim_tm``, the sim-tendermint light client); a contract gets the modules its
``main.zig`` imports, and each module gets the ones it depends on.

The built wasm is committed, and its sha256 is the contract's checksum in the VM, so a build must
be a pure function of the sources and the pinned compiler: Zig comes from the ``ziglang`` package
of the running interpreter (``sys.executable -m ziglang``), the flags are fixed, the working
directory is the repository root, and every build gets fresh, empty cache directories. CI runs
``--check``, which rebuilds into a temporary directory and fails if any committed ``.wasm``
differs from its fresh build.

Usage::

    python contracts/build.py           # rebuild every contract in place
    python contracts/build.py --check   # rebuild elsewhere and compare with the committed files
    python contracts/build.py --test    # run the Zig unit tests of the library and contracts
"""

from __future__ import annotations

import argparse
import hashlib
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "contracts"
OUTPUT = ROOT / "relayer_sim" / "contracts"


@dataclass(frozen=True)
class Module:
    """A shared Zig module: its root file (relative to the repository) and its own imports."""

    root: str
    dependencies: tuple[str, ...] = ()


#: The shared modules, by the name contracts import them with.
MODULES = {
    "cw": Module("contracts/lib/cw.zig"),
    "sim_tm": Module("contracts/sim_tm/sim_tm.zig", ("cw",)),
    "tendermint": Module("contracts/tendermint/tendermint.zig", ("cw", "sim_tm")),
}

#: Fixed code-generation flags. ``-rdynamic`` is what makes the ``export fn``s exported;
#: ReleaseSmall keeps floats out (ReleaseSafe pulls them in, and the VM rejects them).
BUILD_FLAGS = (
    "-target",
    "wasm32-freestanding",
    "-mcpu=mvp",
    "-fno-entry",
    "-rdynamic",
    "-O",
    "ReleaseSmall",
    "-fstrip",
)


def zig(*args: str, cache: Path) -> subprocess.CompletedProcess[bytes]:
    """Run the pinned Zig from the repository root with caches under ``cache``."""
    command = [
        sys.executable,
        "-m",
        "ziglang",
        *args,
        "--cache-dir",
        str(cache / "local"),
        "--global-cache-dir",
        str(cache / "global"),
    ]
    return subprocess.run(command, cwd=ROOT, check=False)


def contract_names() -> list[str]:
    """Every contract folder: ``contracts/<name>/main.zig``."""
    return sorted(
        folder.name
        for folder in SOURCES.iterdir()
        if folder.is_dir() and (folder / "main.zig").is_file()
    )


def imported_modules(source: Path) -> list[str]:
    """The shared modules a Zig file imports, in ``MODULES`` order."""
    text = source.read_text(encoding="utf-8")
    return [name for name in MODULES if f'@import("{name}")' in text]


def module_args(root: str, imports: list[str]) -> list[str]:
    """Zig's module flags for a root file that imports ``imports``: ``--dep`` for each, then
    ``-Mroot=…``, then every module reachable from them with its own dependencies."""
    args = [arg for name in imports for arg in ("--dep", name)]
    args.append(f"-Mroot={root}")
    pending, seen = list(imports), set()
    while pending:
        name = pending.pop(0)
        if name in seen:
            continue
        seen.add(name)
        module = MODULES[name]
        args += [arg for dependency in module.dependencies for arg in ("--dep", dependency)]
        args.append(f"-M{name}={module.root}")
        pending += module.dependencies
    return args


def build(name: str, destination: Path) -> Path:
    """Build contract ``name`` into ``destination/<name>.wasm``; exit on a compile error.

    Zig writes its intermediate object (``<name>.wasm.o``) beside the binary, so the build runs
    in a scratch directory and only the ``.wasm`` is copied out.
    """
    source = SOURCES / name / "main.zig"
    root = source.relative_to(ROOT).as_posix()
    out = destination / f"{name}.wasm"
    with tempfile.TemporaryDirectory(prefix="zig-build-") as scratch:
        built = Path(scratch) / "bin" / f"{name}.wasm"
        built.parent.mkdir()
        args = (
            "build-exe",
            *BUILD_FLAGS,
            *module_args(root, imported_modules(source)),
            f"-femit-bin={built}",
        )
        if zig(*args, cache=Path(scratch)).returncode != 0:
            sys.exit(f"build of contract {name!r} failed")
        out.write_bytes(built.read_bytes())
    return out


def sha256(path: Path) -> str:
    """The hex sha256 of a file: the checksum the VM gives the contract."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_all() -> int:
    """Rebuild every contract in place."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    for name in contract_names():
        out = build(name, OUTPUT)
        print(f"{name:<24} {sha256(out)}  {out.stat().st_size} bytes -> {out.relative_to(ROOT)}")
    return 0


def check() -> int:
    """Rebuild into a temporary directory and compare with the committed wasm files."""
    names = contract_names()
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="contracts-") as scratch:
        for name in names:
            fresh = sha256(build(name, Path(scratch)))
            committed_file = OUTPUT / f"{name}.wasm"
            if not committed_file.is_file():
                print(f"{name:<24} {fresh}  MISSING")
                failures.append(f"{committed_file.relative_to(ROOT)} is missing (fresh {fresh})")
                continue
            committed = sha256(committed_file)
            verdict = "OK" if committed == fresh else "DIFFERS"
            print(f"{name:<24} {fresh}  {verdict}")
            if committed != fresh:
                failures.append(
                    f"{committed_file.relative_to(ROOT)} differs from its fresh build: "
                    f"committed {committed}, fresh {fresh}"
                )
    for orphan in sorted(OUTPUT.glob("*.wasm")):
        if orphan.stem not in names:
            print(f"{orphan.stem:<24} {sha256(orphan)}  NO SOURCE")
            failures.append(
                f"{orphan.relative_to(ROOT)} has no source folder contracts/{orphan.stem}/"
            )
    for failure in failures:
        print(f"error: {failure}", file=sys.stderr)
    if failures:
        print("rebuild with `python contracts/build.py` and commit the result", file=sys.stderr)
    return 1 if failures else 0


def has_tests(source: Path) -> bool:
    """Whether a Zig file declares a top-level ``test`` block."""
    text = source.read_text(encoding="utf-8")
    return re.search(r'^test\s*(?:"|\{)', text, re.MULTILINE) is not None


def test() -> int:
    """Run the Zig tests of every shared module, and of every contract whose main.zig has
    tests."""
    roots = [(module.root, list(module.dependencies)) for module in MODULES.values()]
    for name in contract_names():
        root = f"contracts/{name}/main.zig"
        roots.append((root, imported_modules(ROOT / root)))
    runs = [
        (root, ["test", *module_args(root, imports)])
        for root, imports in roots
        if has_tests(ROOT / root)
    ]
    failed = []
    with tempfile.TemporaryDirectory(prefix="zig-cache-") as cache:
        for label, args in runs:
            print(f"zig test {label}", flush=True)
            if zig(*args, cache=Path(cache)).returncode != 0:
                failed.append(label)
    for label in failed:
        print(f"error: zig test {label} failed", file=sys.stderr)
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Build the Zig contracts into relayer_sim/contracts/*.wasm, reproducibly.",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--check",
        action="store_true",
        help="build into a temporary directory and compare each committed .wasm with its fresh "
        "build (sha256); exit 1 on any difference, missing file or .wasm without source",
    )
    mode.add_argument(
        "--test",
        action="store_true",
        help="run `zig test` on every shared module and on every contract main.zig that has "
        "tests; exit with their status",
    )
    args = parser.parse_args()
    if args.check:
        return check()
    if args.test:
        return test()
    return build_all()


if __name__ == "__main__":
    sys.exit(main())
