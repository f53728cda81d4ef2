"""``loads_bounded`` skips the tree walk only when the raw bytes rule out what it looks for."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from relayer_sim.vm.bounded_json import _plainly_within_limits, _tree_problem

#: Any character, with the ones that matter here (lone surrogates, NUL, brackets) made common.
characters = st.characters() | st.sampled_from(["\ud800", "\udfff", "\x00", "\\", "[", "{"])
texts = st.text(alphabet=characters, max_size=4)
values = st.recursive(
    st.none() | st.booleans() | st.integers() | texts,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(texts, children, max_size=3),
    max_leaves=40,
)


@given(values, st.booleans(), st.integers(min_value=1, max_value=6))
def test_the_shortcut_never_passes_what_the_walk_refuses(
    value: Any, ensure_ascii: bool, max_depth: int
) -> None:
    data = json.dumps(value, ensure_ascii=ensure_ascii).encode("utf-8", "surrogatepass")
    if _plainly_within_limits(data, max_depth):
        assert _tree_problem(json.loads(data), max_depth) is None


def test_a_raw_surrogate_is_not_plain() -> None:
    assert not _plainly_within_limits(b'"\xed\xa0\x80"', 128)
    assert _tree_problem(json.loads(b'"\xed\xa0\x80"'), 128) is not None
