"""The host's stores: prefixes, caches, SDK gas metering and the app hash."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relayer_sim.host.errors import InvalidMessage, OutOfGas
from relayer_sim.host.store import (
    CacheStore,
    GasKV,
    GasMeter,
)
from relayer_sim.vm import MemoryStorage, Storage, WasmVM
from relayer_sim.vm.storage import PrefixStore, prefix_end
from tests.conftest import ENV, b64

Model = dict[bytes, bytes]
Ops = list[tuple[str, bytes, bytes]]

keys = st.binary(max_size=3)
bounds = st.one_of(st.none(), keys)
operations = st.lists(
    st.tuples(st.sampled_from(["set", "delete"]), keys, st.binary(min_size=1, max_size=3)),
    max_size=30,
)


def model_scan(
    model: Model, start: bytes | None, end: bytes | None, ascending: bool
) -> list[tuple[bytes, bytes]]:
    selected = [
        (key, value)
        for key, value in sorted(model.items())
        if (start is None or key >= start) and (end is None or key < end)
    ]
    return selected if ascending else selected[::-1]


def apply_ops(store: Storage, model: Model, ops: Ops) -> None:
    for op, key, value in ops:
        if op == "set":
            store.set(key, value)
            model[key] = value
        else:
            store.delete(key)
            model.pop(key, None)


def assert_view(store: Storage, model: Model, start: bytes | None, end: bytes | None) -> None:
    for ascending in (True, False):
        assert list(store.scan(start, end, ascending)) == model_scan(model, start, end, ascending)
    assert list(store.scan(None, None, True)) == model_scan(model, None, None, True)
    for key in [*model, b"", b"\x00", b"zz"]:
        assert store.get(key) == model.get(key)


# -- prefixes -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "end"),
    [
        (b"ab", b"ac"),
        (b"a\xff", b"b"),
        (b"a\xfe\xff\xff", b"a\xff"),
        (b"\xff\xff", None),
        (b"", None),
    ],
)
def test_prefix_end_is_the_first_key_past_the_prefix(prefix: bytes, end: bytes | None) -> None:
    assert prefix_end(prefix) == end


def test_prefixes_do_not_see_each_other() -> None:
    parent = MemoryStorage({b"a0": b"neighbour", b"a": b"bare"})
    first, second = PrefixStore(parent, b"a/"), PrefixStore(parent, b"b/")
    first.set(b"k", b"1")
    second.set(b"k", b"2")
    first.set(b"", b"empty key")
    assert parent.items() == {
        b"a0": b"neighbour",
        b"a": b"bare",
        b"a/k": b"1",
        b"a/": b"empty key",
        b"b/k": b"2",
    }
    assert first.get(b"k") == b"1" and second.get(b"k") == b"2"
    assert list(first.scan(None, None, True)) == [(b"", b"empty key"), (b"k", b"1")]
    assert list(second.scan(None, None, False)) == [(b"k", b"2")]
    second.delete(b"k")
    assert first.get(b"k") == b"1" and second.get(b"k") is None


def test_a_prefix_ending_in_ff_covers_exactly_its_keys() -> None:
    inside = {b"\x01\xff": b"bare prefix", b"\x01\xff\x00": b"a", b"\x01\xff\xff\xff": b"b"}
    outside = {b"\x01\xfe\xff": b"below", b"\x02": b"above", b"\x02\x00": b"above too"}
    store = PrefixStore(MemoryStorage(inside | outside), b"\x01\xff")
    assert list(store.scan(None, None, True)) == [
        (b"", b"bare prefix"),
        (b"\x00", b"a"),
        (b"\xff\xff", b"b"),
    ]
    everything_above = PrefixStore(
        MemoryStorage({b"\xff\xfe": b"x", b"\xff\xff\x07": b"y"}), b"\xff\xff"
    )
    assert list(everything_above.scan(None, None, False)) == [(b"\x07", b"y")]


@given(operations, st.sampled_from([b"p", b"p\xff", b"\xff"]), bounds, bounds)
@settings(max_examples=50)
def test_prefix_store_is_the_parent_seen_through_the_prefix(
    ops: Ops, prefix: bytes, start: bytes | None, end: bytes | None
) -> None:
    parent = MemoryStorage()
    apply_ops(parent, {}, ops)  # keys under and around the prefix
    store, model = PrefixStore(parent, prefix), dict[bytes, bytes]()
    for key, value in parent.items().items():
        if key.startswith(prefix):
            model[key[len(prefix) :]] = value
    assert_view(store, model, start, end)


# -- caches ---------------------------------------------------------------------------------------


def test_cache_overlay_replaces_hides_and_adds_in_order() -> None:
    parent = MemoryStorage({b"a": b"1", b"b": b"2", b"c": b"3"})
    cache = CacheStore(parent)
    cache.set(b"b", b"two")
    cache.delete(b"c")
    cache.set(b"bb", b"new")
    cache.delete(b"missing")
    assert list(cache.scan(None, None, True)) == [(b"a", b"1"), (b"b", b"two"), (b"bb", b"new")]
    assert list(cache.scan(b"b", None, False)) == [(b"bb", b"new"), (b"b", b"two")]
    assert cache.get(b"c") is None and cache.get(b"a") == b"1"
    assert cache.changes() == [(b"b", b"two"), (b"bb", b"new"), (b"c", None), (b"missing", None)]
    assert parent.items() == {b"a": b"1", b"b": b"2", b"c": b"3"}


@given(operations, operations, bounds, bounds)
@settings(max_examples=50)
def test_cache_behaves_like_a_dict_and_writes_through(
    parent_ops: Ops, cache_ops: Ops, start: bytes | None, end: bytes | None
) -> None:
    parent, model = MemoryStorage(), dict[bytes, bytes]()
    apply_ops(parent, model, parent_ops)
    before = parent.items()
    cache = CacheStore(parent)
    apply_ops(cache, model, cache_ops)
    assert_view(cache, model, start, end)
    assert parent.items() == before
    cache.write()
    assert parent.items() == model
    assert cache.changes() == []
    assert_view(cache, model, start, end)


@given(operations, operations)
@settings(max_examples=50)
def test_discarded_cache_leaves_the_parent_as_it_was(parent_ops: Ops, cache_ops: Ops) -> None:
    parent = MemoryStorage()
    apply_ops(parent, {}, parent_ops)
    before = parent.items()
    cache = CacheStore(parent)
    apply_ops(cache, {}, cache_ops)
    cache.discard()
    assert parent.items() == before
    assert_view(cache, before, None, None)


@given(operations, operations, operations, bounds, bounds)
@settings(max_examples=50)
def test_nested_caches_commit_one_level_at_a_time(
    base_ops: Ops, block_ops: Ops, tx_ops: Ops, start: bytes | None, end: bytes | None
) -> None:
    base, model = MemoryStorage(), dict[bytes, bytes]()
    apply_ops(base, model, base_ops)
    committed = dict(model)
    block = CacheStore(base)
    apply_ops(block, model, block_ops)
    after_block = dict(model)

    failed_tx = CacheStore(block)
    apply_ops(failed_tx, {}, tx_ops)
    failed_tx.discard()
    assert_view(block, after_block, start, end)

    tx = CacheStore(block)
    apply_ops(tx, model, tx_ops)
    assert_view(tx, model, start, end)
    assert_view(block, after_block, start, end)
    tx.write()
    assert_view(block, model, start, end)
    assert base.items() == committed
    block.write()
    assert base.items() == model


# -- gas ------------------------------------------------------------------------------------------


def test_meter_counts_and_stops_at_its_limit() -> None:
    meter = GasMeter(5000)
    meter.consume(4000, "ReadFlat")
    assert (meter.consumed, meter.remaining, meter.limit) == (4000, 1000, 5000)
    meter.consume(1000, "ReadFlat")  # exactly at the limit is allowed
    assert meter.remaining == 0
    with pytest.raises(OutOfGas) as raised:
        meter.consume(1, "WriteFlat")
    assert (raised.value.limit, raised.value.wanted, raised.value.descriptor) == (
        5000,
        5001,
        "WriteFlat",
    )
    assert (meter.consumed, meter.remaining) == (5000, 0)


def test_infinite_meter_never_runs_out() -> None:
    meter = GasMeter(None)
    meter.consume(10**30, "WriteFlat")
    assert (meter.consumed, meter.remaining, meter.limit) == (10**30, None, None)


def test_meter_refuses_negative_amounts_and_limits() -> None:
    for limit in (-1, 1.5, "10", True):
        with pytest.raises(InvalidMessage):  # a sender's limit: the transaction fails
            GasMeter(limit)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        GasMeter(10).consume(-1, "ReadFlat")


def metered(items: Model, limit: int | None = None) -> tuple[GasKV, MemoryStorage]:
    parent = MemoryStorage(items)
    return GasKV(parent, GasMeter(limit)), parent


def test_get_costs_flat_plus_key_and_value_bytes() -> None:
    store, _ = metered({b"key": b"value"})
    assert store.get(b"key") == b"value"
    assert store.meter.consumed == 1000 + 3 * 3 + 3 * 5
    assert store.get(b"nope") is None
    assert store.meter.consumed == 1024 + 1000 + 3 * 4


def test_set_delete_and_has_costs() -> None:
    store, parent = metered({})
    store.set(b"key", b"value")
    assert store.meter.consumed == 2000 + 30 * 3 + 30 * 5
    assert store.has(b"key") and not store.has(b"other")
    assert store.meter.consumed == 2240 + 2 * 1000
    store.delete(b"key")
    store.delete(b"never there")  # charged all the same
    assert store.meter.consumed == 4240 + 2 * 1000
    assert parent.items() == {}


ITEMS = {b"a": b"1", b"bb": b"22", b"ccc": b"333"}


@pytest.mark.parametrize(
    ("start", "end", "ascending", "seek", "steps"),
    [
        # the seek pays the first pair's bytes (3 per byte) and a flat 30; so does every step
        (None, None, True, 3 * 2 + 30, [3 * 2 + 30, 3 * 4 + 30, 3 * 6 + 30]),
        (None, None, False, 3 * 6 + 30, [3 * 6 + 30, 3 * 4 + 30, 3 * 2 + 30]),
        (b"b", b"c", True, 3 * 4 + 30, [3 * 4 + 30]),
        # an empty range still pays the flat seek
        (b"x", None, True, 30, []),
    ],
)
def test_iteration_costs_as_the_sdk_gas_iterator(
    start: bytes | None, end: bytes | None, ascending: bool, seek: int, steps: list[int]
) -> None:
    for taken in range(len(steps) + 1):
        store, _ = metered(ITEMS)
        pairs = store.scan(start, end, ascending)
        assert store.meter.consumed == seek  # charged on opening, before any pair is taken
        for _ in range(taken):
            next(pairs)
        assert store.meter.consumed == seek + sum(steps[:taken])
    assert next(pairs, None) is None
    assert store.meter.consumed == seek + sum(steps)  # the end of the range costs nothing more


def test_running_out_on_a_write_leaves_the_parent_untouched() -> None:
    store, parent = metered({b"key": b"old"}, limit=2000 + 30 * 3 + 30 * 5 - 1)
    with pytest.raises(OutOfGas) as raised:
        store.set(b"key", b"value")
    assert raised.value.descriptor == "WritePerByte"
    assert raised.value.wanted == 2240
    assert parent.items() == {b"key": b"old"}
    assert store.meter.remaining == 0


def test_running_out_on_a_delete_keeps_the_key() -> None:
    store, parent = metered({b"key": b"old"}, limit=999)
    with pytest.raises(OutOfGas) as raised:
        store.delete(b"key")
    assert raised.value.descriptor == "Delete"
    assert parent.items() == {b"key": b"old"}


def test_running_out_while_iterating_names_the_step() -> None:
    store, _ = metered(ITEMS, limit=36 + 36 + 10)
    pairs = store.scan(None, None, True)
    assert next(pairs) == (b"a", b"1")
    with pytest.raises(OutOfGas) as raised:
        next(pairs)
    assert raised.value.descriptor == "ValuePerByte"


def test_a_contract_runs_on_a_prefixed_metered_cache(vm: WasmVM, probe: bytes) -> None:
    committed = MemoryStorage({b"clients/08-wasm-0/seen": b"yes"})
    cache = CacheStore(committed)
    meter = GasMeter(None)
    store = PrefixStore(GasKV(cache, meter), b"clients/08-wasm-0/")
    prefixed = len(b"clients/08-wasm-0/")

    read = vm.query(
        probe, ENV, json.dumps({"db_read": {"key": b64(b"seen")}}).encode(), store, 10**10
    )
    assert read.data_json() == {"value": b64(b"yes")}
    assert meter.consumed == 1000 + 3 * (prefixed + 4) + 3 * 3

    before = meter.consumed
    command = {"db_write": {"key": b64(b"k"), "value": b64(b"value")}}
    assert vm.sudo(probe, ENV, json.dumps(command).encode(), store, 10**10).ok
    assert meter.consumed - before == 2000 + 30 * (prefixed + 1) + 30 * 5
    assert committed.get(b"clients/08-wasm-0/k") is None
    cache.write()
    assert committed.get(b"clients/08-wasm-0/k") == b"value"


def test_a_contract_out_of_sdk_gas_stops_with_the_hosts_error(vm: WasmVM, probe: bytes) -> None:
    store = GasKV(MemoryStorage({b"k": b"v"}), GasMeter(500))
    command = json.dumps({"db_read": {"key": b64(b"k")}}).encode()
    with pytest.raises(OutOfGas) as raised:
        vm.query(probe, ENV, command, store, 10**10)
    assert (raised.value.descriptor, raised.value.wanted) == ("ReadFlat", 1000)
