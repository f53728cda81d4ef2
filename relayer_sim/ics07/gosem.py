"""The few Go semantics the 07-tendermint rules inherit: fixed-width integer arithmetic,
``time.Time`` ``Sub`` and ``UnixNano``, and ibc-go's ``SetRevisionNumber`` (its
``ParseChainID`` and ``IsRevisionFormat`` are in ``relayer_sim.lightclient.store``).

Times are exact integers of nanoseconds since the Unix epoch (years 1 to 9999 need more than 64
bits); where Go converts to a fixed width, the helpers here do the same conversion.
"""

from __future__ import annotations

from typing import Final

INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1
UINT64_MOD: Final = 2**64
NANOS: Final = 1_000_000_000
#: Go's ``time.Time{}`` (0001-01-01 UTC) in nanoseconds since the Unix epoch.
GO_ZERO_TIME_NS: Final = -62135596800 * NANOS


def int64(value: int) -> int:
    """``int64(value)``: the two's complement wrap of Go's conversion."""
    return (value + 2**63) % UINT64_MOD - 2**63


def uint64(value: int) -> int:
    return value % UINT64_MOD


def div(a: int, b: int) -> int:
    """Go's integer division, truncating toward zero."""
    quotient = abs(a) // abs(b)
    return quotient if (a < 0) == (b < 0) else -quotient


def safe_mul(a: int, b: int) -> tuple[int, bool]:
    """CometBFT ``safeMul`` over int64: the product and whether it overflowed (Go's check,
    including its wrap of ``-MinInt64``)."""
    if a == 0 or b == 0:
        return 0, False
    abs_b = int64(-b) if b < 0 else b
    abs_a = int64(-a) if a < 0 else a
    if abs_a > div(INT64_MAX, abs_b):
        return 0, True
    return int64(a * b), False


def time_sub(t: int, u: int) -> int:
    """``t.Sub(u)``: a ``time.Duration``, saturated at the int64 bounds as Go does."""
    return max(INT64_MIN, min(INT64_MAX, t - u))


def unix_nano(time_ns: int) -> int:
    """``uint64(t.UnixNano())``: Go's wrapping conversion (undefined outside 1678-2262, where
    Go's int64 arithmetic wraps; this is that wrap)."""
    return uint64(time_ns)


def set_revision_number(chain_id: str, revision: int) -> str:
    """ibc-go ``SetRevisionNumber`` for a chain id in revision format: the last ``-``-separated
    part replaced by ``strconv.Itoa(int(revision))``."""
    head, _, _ = chain_id.rpartition("-")
    return f"{head}-{int64(revision)}"


#: Go's ``unicode.IsSpace``: the Unicode White_Space characters (Python's ``str.isspace`` also
#: counts U+001C..U+001F, which Go does not).
GO_SPACE: Final = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)


def trim_space(text: str) -> str:
    """``strings.TrimSpace``."""
    return text.strip(GO_SPACE)
