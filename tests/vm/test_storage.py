"""MemoryStorage and the per-call WriteBuffer agree with a plain dict model."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from relayer_sim.vm.storage import MemoryStorage, PrefixStore, WriteBuffer

keys = st.binary(min_size=0, max_size=3)
operations = st.lists(
    st.tuples(st.sampled_from(["set", "delete"]), keys, st.binary(min_size=1, max_size=3)),
    max_size=30,
)
bounds = st.one_of(st.none(), keys)
Ops = list[tuple[str, bytes, bytes]]


def model_scan(
    model: dict[bytes, bytes], start: bytes | None, end: bytes | None, ascending: bool
) -> list[tuple[bytes, bytes]]:
    selected = [
        (k, v)
        for k, v in sorted(model.items())
        if (start is None or k >= start) and (end is None or k < end)
    ]
    return selected if ascending else selected[::-1]


def apply_ops(target: MemoryStorage | WriteBuffer, model: dict[bytes, bytes], ops: Ops) -> None:
    for op, key, value in ops:
        if op == "set":
            target.set(key, value)
            model[key] = value
        else:
            target.delete(key)
            model.pop(key, None)


@given(operations, operations, bounds, bounds, st.booleans())
def test_write_buffer_view_matches_model(
    base_ops: Ops,
    buffered_ops: Ops,
    start: bytes | None,
    end: bytes | None,
    ascending: bool,
) -> None:
    base, model = MemoryStorage(), dict[bytes, bytes]()
    apply_ops(base, model, base_ops)
    before = base.items()
    buffer = WriteBuffer(base)
    apply_ops(buffer, model, buffered_ops)
    assert list(buffer.scan(start, end, ascending)) == model_scan(model, start, end, ascending)
    for key in {k for _, k, _ in base_ops + buffered_ops}:
        assert buffer.get(key) == model.get(key)
    assert base.items() == before  # nothing reaches the base before apply
    buffer.apply()
    assert base.items() == model
    assert list(base.scan(start, end, ascending)) == model_scan(model, start, end, ascending)


def test_an_iterator_reads_each_pair_when_it_reaches_it() -> None:
    """An open iterator holds no copy: a key removed or changed before it is reached is skipped
    or seen with its new value."""
    base = MemoryStorage({b"a": b"1", b"c": b"3", b"e": b"5", b"g": b"7"})
    buffer = WriteBuffer(base)
    pairs = buffer.scan(None, None, True)
    assert next(pairs) == (b"a", b"1")
    buffer.delete(b"c")
    buffer.set(b"e", b"five")
    assert list(pairs) == [(b"e", b"five"), (b"g", b"7")]


def test_a_prefix_store_of_a_prefix_store_is_one_layer() -> None:
    base = MemoryStorage({b"ibc/x": b"0", b"ibc/clients/1/a": b"1", b"ibc/clients/2/a": b"2"})
    client = PrefixStore(PrefixStore(base, b"ibc/"), b"clients/1/")
    assert client.parent is base and client.prefix == b"ibc/clients/1/"
    client.set(b"b", b"3")
    assert base.get(b"ibc/clients/1/b") == b"3"
    assert list(client.scan(None, None, True)) == [(b"a", b"1"), (b"b", b"3")]
