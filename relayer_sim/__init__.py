"""relayer-sim: a deterministic simulator of IBC relaying into an 08-wasm host."""

from importlib.metadata import version

__version__ = version("relayer-sim")
