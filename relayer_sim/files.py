"""Opening a file a user named, safely: only a regular file, only up to a size cap.

A path on a command line can be a FIFO (reading blocks until a writer comes), a device
(``/dev/zero`` never ends), a directory or a file of gigabytes. Each is refused before a byte is
read: the file is opened without blocking and ``fstat`` of the open descriptor, not of the path,
says what it is, so the answer holds for what is read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class FileRefused(Exception):
    """A named file that is not read: missing, unreadable, not a regular file, or too big."""

    def __init__(self, path: Path, expected: str, got: str) -> None:
        self.path, self.expected, self.got = path, expected, got
        super().__init__(path, expected, got)

    def __str__(self) -> str:
        return f"{self.path}: expected {self.expected} (got {self.got})"


def open_regular(path: Path, limit: int) -> BinaryIO:
    """``path`` opened for reading, once it is known to be a regular file of at most ``limit``
    bytes; ``FileRefused`` says what it is otherwise."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise FileRefused(path, "an existing file", "no such file") from None
    except (OSError, ValueError) as error:  # ValueError: a NUL byte in the path
        reason = error.strerror if isinstance(error, OSError) else None
        raise FileRefused(path, "a readable file", reason or str(error)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = next((name for test, name in _KINDS if test(info.st_mode)), "a special file")
            raise FileRefused(path, "a regular file", kind)
        if info.st_size > limit:
            raise FileRefused(
                path, f"a file of at most {format_size(limit)}", format_size(info.st_size)
            )
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them (see ``open_regular``);
    a file that grew past ``limit`` since it was checked is refused too."""
    with open_regular(path, limit) as file:
        try:
            data = file.read(limit + 1)
        except OSError as error:
            raise FileRefused(path, "a readable file", error.strerror or str(error)) from None
    if len(data) > limit:
        raise FileRefused(path, f"a file of at most {format_size(limit)}", "a larger file")
    return data


def format_size(size: int) -> str:
    """``1048576`` → ``1 MiB``; whole units where they fit, bytes otherwise."""
    for unit, name in ((GIB, "GiB"), (MIB, "MiB"), (KIB, "KiB")):
        if size >= unit:
            amount = size / unit
            return f"{amount:.0f} {name}" if size % unit == 0 else f"{amount:.1f} {name}"
    return f"{size} B"
