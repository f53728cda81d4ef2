"""Whether a Python ``str`` is text that Go, Rust, msgpack and UTF-8 files can hold.

Python decodes the JSON escape ``\\ud800`` and undecodable file names to lone surrogates; no
UTF-8 encoding exists for them, so every edge that passes text on (contract answers, host
messages, traces) refuses them with this one check.
"""

from __future__ import annotations


def is_utf8(text: str) -> bool:
    """False for a ``str`` holding a lone surrogate, the one thing UTF-8 cannot encode."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True
