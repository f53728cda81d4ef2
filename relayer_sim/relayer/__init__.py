"""Relayers and the misbehaviour monitor: the off-chain actors that move headers and packets."""
