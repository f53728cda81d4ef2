"""The contracts a scenario names: a shipped one by its name (``sim-tendermint-v1``), or one the
user brings, by the path of its ``.wasm`` or ``.wasm.gz`` file.

A contract file is read and checked when the scenario is read, as ``MsgStoreCode`` would check
it (gzip inflated to at most the host's 3 MiB, then the VM's static checks and compilation), so
a file that is missing, unreadable, too large or not a contract the host accepts is refused
with its field, not mid-run. It is relative to the scenario file's directory (absolute paths
are taken as they are) and is named in traces and reports as the scenario writes it.

Each shipped light-client contract reads one counterparty wire format, told by its name:
``sim-tendermint-*`` reads ``sim-tendermint``, ``tendermint-*`` reads ``tendermint``. A
contract the user brings may read either; the scenario's ``[counterparty] format`` says which.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final, Literal

from relayer_sim.contracts import load_contract
from relayer_sim.files import MIB, FileRefused, read_regular
from relayer_sim.vm.code_check import check_code

#: The wire formats a counterparty speaks (DESIGN.md §6a).
Format = Literal["sim-tendermint", "tendermint"]
SIM_TENDERMINT: Final = "sim-tendermint"
TENDERMINT: Final = "tendermint"
#: Shipped contracts read the format their name starts with; the longest prefix first.
_FORMAT_PREFIXES: Final = ((f"{SIM_TENDERMINT}-", SIM_TENDERMINT), (f"{TENDERMINT}-", TENDERMINT))
#: How a scenario value says it is a file rather than a shipped contract's name.
CONTRACT_FILE_SUFFIXES: Final = (".wasm", ".wasm.gz")
#: The largest contract file read (here and by ``contract check``). Code over the host's 3 MiB
#: is still read, to be refused with the host's reason; a file this large cannot be a contract.
MAX_CODE_FILE: Final = 16 * MIB


@dataclass(frozen=True)
class ContractCode:
    """What governance stores: ``code`` as ``MsgStoreCode`` carries it (raw wasm, or gzip, which
    the host inflates itself) and ``checksum``, the sha256 of the raw wasm."""

    code: bytes
    checksum: bytes


class ContractFile(str):
    """A contract a scenario names by its file. The text is the path as the scenario writes it,
    which traces and reports show; ``path`` is where it was read, ``contract`` what it holds."""

    path: Path
    contract: ContractCode

    def __new__(cls, written: str, path: Path, contract: ContractCode) -> ContractFile:
        self = super().__new__(cls, written)
        self.path, self.contract = path, contract
        return self

    def __reduce__(self) -> tuple[type[ContractFile], tuple[str, Path, ContractCode]]:
        return ContractFile, (str(self), self.path, self.contract)


def is_contract_file(value: str) -> bool:
    """Whether a scenario's contract ``value`` names a file rather than a shipped contract."""
    return value.endswith(CONTRACT_FILE_SUFFIXES)


def format_read_by(contract: str) -> str | None:
    """The wire format a shipped contract reads, as its name says; ``None`` for a contract file
    (it may read either) and for a name that says none."""
    if isinstance(contract, ContractFile):
        return None
    return next((fmt for prefix, fmt in _FORMAT_PREFIXES if contract.startswith(prefix)), None)


def contract_code(contract: str) -> ContractCode:
    """The code of a contract a scenario names (a ``ContractFile``, or a shipped contract)."""
    if isinstance(contract, ContractFile):
        return contract.contract
    return _shipped(contract)


@cache
def _shipped(name: str) -> ContractCode:
    code = load_contract(name)
    return ContractCode(code, hashlib.sha256(code).digest())


def read_contract_file(path: Path) -> ContractCode:
    """The contract in the file at ``path``, once it is a regular, readable file of at most
    ``MAX_CODE_FILE`` bytes holding code ``MsgStoreCode`` accepts; ``FileRefused`` says why not
    (the host's first reason, for code it would refuse)."""
    code = read_regular(path, MAX_CODE_FILE)
    digest = hashlib.sha256(code).digest()
    checksum = _ACCEPTED.get(digest)
    if checksum is None:
        verdict = check_code(code)
        if verdict.checksum is None or not verdict.accepted:
            reasons = verdict.reasons
            more = f" and {len(reasons) - 1} more" if len(reasons) > 1 else ""
            raise FileRefused(path, "a contract store_code accepts", f"{reasons[0]}{more}")
        checksum = _ACCEPTED[digest] = verdict.checksum
    return ContractCode(code, checksum)


#: sha256 of a file's bytes → the checksum of the code in it, for code already found acceptable
#: (checking compiles the code: a scenario read twice, or from two folders, compiles it once).
_ACCEPTED: dict[bytes, bytes] = {}
