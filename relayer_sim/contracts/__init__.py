"""The light-client contracts we build from ``contracts/`` (Zig), shipped as package data."""

from __future__ import annotations

from importlib.resources import files


def contract_names() -> list[str]:
    """Names of the shipped contracts (file names without ``.wasm``)."""
    return sorted(
        entry.name.removesuffix(".wasm")
        for entry in files(__name__).iterdir()
        if entry.name.endswith(".wasm")
    )


def load_contract(name: str) -> bytes:
    """The built wasm of a shipped contract; ``FileNotFoundError`` names the known ones."""
    resource = files(__name__).joinpath(f"{name}.wasm")
    if not resource.is_file():
        known = ", ".join(contract_names()) or "none"
        raise FileNotFoundError(f"no shipped contract named {name!r} (known: {known})")
    return resource.read_bytes()
