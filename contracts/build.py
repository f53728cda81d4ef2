"""Build the Zig contracts in ``contracts/`` into ``relayer_sim/contracts/*.wasm``, reproducibly.

Every folder ``contracts/<name>/`` with a ``main.zig`` (except the shared library ``lib``) is one
contract; it is built against ``contracts/lib/cw.zig`` (imported as ``cw``) into
``relayer_sim/contracts/<name>.wasm``, which ships as package data.

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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "contracts"
LIBRARY = SOURCES / "lib"
OUTPUT = ROOT / "relayer_sim" / "contracts"

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
    """Every contract folder: ``contracts/<name>/main.zig``, except the library."""
    return sorted(
        folder.name
        for folder in SOURCES.iterdir()
        if folder.is_dir() and folder != LIBRARY and (folder / "main.zig").is_file()
    )


def build(name: str, destination: Path) -> Path:
    """Build contract ``name`` into ``destination/<name>.wasm``; exit on a compile error.

    Zig writes its intermediate object (``<name>.wasm.o``) beside the binary, so the build runs
    in a scratch directory and only the ``.wasm`` is copied out.
    """
    root = (SOURCES / name / "main.zig").relative_to(ROOT)
    library = (LIBRARY / "cw.zig").relative_to(ROOT)
    out = destination / f"{name}.wasm"
    with tempfile.TemporaryDirectory(prefix="zig-build-") as scratch:
        built = Path(scratch) / "bin" / f"{name}.wasm"
        built.parent.mkdir()
        args = (
            "build-exe",
            *BUILD_FLAGS,
            "--dep",
            "cw",
            f"-Mroot={root.as_posix()}",
            f"-Mcw={library.as_posix()}",
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
    """Run the Zig tests of the library, and of every contract whose main.zig has tests."""
    library = (LIBRARY / "cw.zig").relative_to(ROOT).as_posix()
    runs = [("contracts/lib/cw.zig", ["test", library])]
    for name in contract_names():
        root = (SOURCES / name / "main.zig").relative_to(ROOT).as_posix()
        if has_tests(ROOT / root):
            runs.append((root, ["test", "--dep", "cw", f"-Mroot={root}", f"-Mcw={library}"]))
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
        help="run `zig test` on contracts/lib/cw.zig and on every contract main.zig that has "
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
