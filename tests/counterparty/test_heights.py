"""Packed heights answer and prune as a dict of heights would, across revisions."""

from __future__ import annotations

import pytest

from relayer_sim.counterparty.heights import HeightIndex
from relayer_sim.lightclient.headers import Height


def test_heights_answer_and_prune_like_a_dict() -> None:
    index, reference = HeightIndex(), {}
    for revision, count in ((1, 300), (2, 50), (3, 200)):
        for height in range(1, count + 1):
            at = Height(revision, height)
            index.append(at, revision * 1000 + height)
            reference[at] = revision * 1000 + height
    for below in (Height(1, 5), Height(1, 250), Height(2, 0), Height(2, 60), Height(3, 180)):
        index.prune(below)
        reference = {at: value for at, value in reference.items() if at >= below}
        for probe in (Height(1, 4), Height(1, 300), Height(2, 1), Height(3, 179), Height(3, 199)):
            assert index.get(probe) == reference.get(probe)
        assert index.oldest_value() == next(iter(reference.values()))
    assert index.get(Height(3, 201)) is None
    with pytest.raises(ValueError):
        index.append(Height(3, 202), 0)
