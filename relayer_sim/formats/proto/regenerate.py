"""Regenerate the protobuf message classes from ``schema/``, reproducibly.

protoc (pinned through the dev dependency ``grpcio-tools``) writes ``<name>_pb2.py`` and, for
mypy, ``<name>_pb2.pyi`` for each schema, at the schema's own path below this package. Its
imports between schemas are absolute (``from tendermint.types import types_pb2``), so they are
rewritten to this package (``from relayer_sim.formats.proto.tendermint.types import types_pb2``),
as is the module name the classes record, and every generated directory gets an empty
``__init__.py``. The output is a pure function of the schemas and the pinned protoc, so it is
committed, and ``make test`` runs ``--check``: regenerate into a temporary directory and fail if
any committed file differs, is missing, or is extra.

Usage::

    python -m relayer_sim.formats.proto.regenerate           # rewrite the generated modules
    python -m relayer_sim.formats.proto.regenerate --check   # compare them with a fresh build
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCHEMA = HERE / "schema"
PACKAGE = "relayer_sim.formats.proto"

#: The top-level proto packages of the schemas: their generated trees are ours to replace.
ROOTS = ("cosmos", "ibc", "tendermint")

_ROOT = "|".join(ROOTS)
_IMPORT = re.compile(rf"^from ((?:{_ROOT})(?:\.\w+)*) import ", re.MULTILINE)
_MODULE_NAME = re.compile(rf"(BuildTopDescriptorsAndMessages\(DESCRIPTOR, ')((?:{_ROOT})\.)")


def generate(output: Path) -> None:
    """Write the generated modules for every schema into ``output`` (which must be empty)."""
    schemas = sorted(path.relative_to(SCHEMA).as_posix() for path in SCHEMA.rglob("*.proto"))
    command = [
        sys.executable,
        "-m",
        "grpc_tools.protoc",
        f"-I{SCHEMA}",
        f"--python_out={output}",
        f"--pyi_out={output}",
        *schemas,
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"protoc failed:\n{result.stderr}")
    for module in sorted(output.rglob("*_pb2.py*")):
        text = _IMPORT.sub(rf"from {PACKAGE}.\1 import ", module.read_text(encoding="utf-8"))
        module.write_text(_MODULE_NAME.sub(rf"\1{PACKAGE}.\2", text), encoding="utf-8")
    for directory in sorted(path for path in output.rglob("*") if path.is_dir()):
        (directory / "__init__.py").touch()


def generated_files(root: Path) -> dict[str, bytes]:
    """The generated files below ``root``, by relative path."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for name in ROOTS
        for path in sorted((root / name).rglob("*"))
        if path.is_file() and path.suffix in (".py", ".pyi")
    }


def drift() -> list[str]:
    """The generated files that differ from a fresh regeneration (empty when in sync)."""
    with tempfile.TemporaryDirectory() as scratch:
        fresh_root = Path(scratch)
        generate(fresh_root)
        fresh = generated_files(fresh_root)
    committed = generated_files(HERE)
    return sorted(
        name for name in fresh.keys() | committed.keys() if fresh.get(name) != committed.get(name)
    )


def regenerate() -> None:
    """Replace the generated trees in this package with a fresh regeneration."""
    with tempfile.TemporaryDirectory() as scratch:
        fresh_root = Path(scratch)
        generate(fresh_root)
        for name in ROOTS:
            shutil.rmtree(HERE / name, ignore_errors=True)
            shutil.copytree(fresh_root / name, HERE / name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    if not parser.parse_args().check:
        regenerate()
        return
    stale = drift()
    if stale:
        listing = "\n  ".join(stale)
        raise SystemExit(
            f"generated protobuf modules differ from their schemas:\n  {listing}\n"
            "run: python -m relayer_sim.formats.proto.regenerate"
        )
    print(f"protobuf modules match their schemas ({len(generated_files(HERE))} files)")


if __name__ == "__main__":
    main()
