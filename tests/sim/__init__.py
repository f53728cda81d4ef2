"""Runs of whole scenarios; shared here: a scenario text moved to the tendermint wire format."""

from __future__ import annotations


def in_tendermint_format(text: str) -> str:
    """``text`` (a scenario with no ``[counterparty]`` table, on sim-tendermint contracts) with
    the counterparty in the tendermint format and every client on the tendermint contracts."""
    moved = text.replace('"sim-tendermint-v1"', '"tendermint-v1"')
    moved = moved.replace('"sim-tendermint-v2"', '"tendermint-v2"')
    assert "[counterparty]" not in moved and "[[clients]]" in moved
    return moved.replace("[[clients]]", '[counterparty]\nformat = "tendermint"\n\n[[clients]]', 1)
