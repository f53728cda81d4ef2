"""Where commands write, checked before any work is done: an hour's run must not end in
"cannot write". Each check raises ``BadInput`` naming the path."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

from relayer_sim.commands.errors import BadInput


def output_directory(path: Path) -> Path:
    """``path``, created with its parents if need be, once it is a directory."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise BadInput(f"{path}: expected a directory for the output (got a file)") from None
    except OSError as error:
        raise BadInput(f"{path}: cannot create the output directory: {_why(error)}") from None
    return path


def output_file(path: Path) -> Path:
    """``path``, once a file can be written there: in an existing directory, and a regular
    file if it exists (writing to a FIFO would block, to a directory fail)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if not path.parent.is_dir():
            raise BadInput(f"{path}: cannot write: no directory {path.parent}") from None
        return path
    except OSError as error:
        raise BadInput(f"{path}: cannot write: {_why(error)}") from None
    if not stat.S_ISREG(mode):
        kind = "a directory" if stat.S_ISDIR(mode) else "a special file"
        raise BadInput(f"{path}: expected a regular file for the output (got {kind})")
    return path


def write_output(path: Path, write: Callable[[Path], object]) -> None:
    """``write(path)``, a write that can still fail (a full disk, a directory made read-only
    since ``output_file``), as ``BadInput``."""
    try:
        write(path)
    except OSError as error:
        raise BadInput(f"{path}: cannot write: {_why(error)}") from None


def _why(error: OSError) -> str:
    return error.strerror or str(error)
