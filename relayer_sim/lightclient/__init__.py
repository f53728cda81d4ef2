"""The simulated chain's light-client formats and the reference rules that verify them.

Pure data and rules, no I/O: the counterparty produces these formats, the Wasm contracts verify
them, and this package is the Python reference both are tested against.
"""
