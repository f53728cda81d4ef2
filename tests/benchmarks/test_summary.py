"""``benchmarks/summary.py`` collects the benchmarks' JSON files into one and tabulates their
headline figures (benchmarks are scripts: their directory goes on the path, as when run)."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"

VM = {"vm_over_bare_ratio": 1.05, "repeat": 3}
HOST_PATH = {
    "updates": [
        {
            "format": "sim-tendermint",
            "consensus": "tm-ed25519",
            "validators": size,
            "adjacent": {
                "host_over_signatures_ratio": ratio,
                "fixed_cost_ms": fixed,
                "signatures_lifecycle_and_wasm_ratio": floor,
                "contract_lifecycle_and_wasm_ms": fixed / 2,
            },
            "skipping": {
                "host_over_signatures_ratio": ratio - 0.1,
                "fixed_cost_ms": fixed + 0.1,
                "signatures_lifecycle_and_wasm_ratio": floor + 0.1,
                "contract_lifecycle_and_wasm_ms": fixed / 4,
            },
        }
        for size, ratio, fixed, floor in ((4, 9.0, 0.3, 4.0), (150, 1.4, 2.0, 1.2))
    ],
    "blocks": [
        {
            "format": "tendermint",
            "consensus": "tm-secp256k1",
            "validators": 150,
            "block_over_signing_ratio": 1.2,
        }
    ],
}
LONG_RUN = {
    "days": 30,
    "last_over_first_day": 1.12,
    "last_over_second_day": 0.95,
    "peak_rss_mib": 180.5,
    "simulated_per_wall": 12_345.6,
}


@pytest.fixture
def summary(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    monkeypatch.delitem(sys.modules, "summary", raising=False)
    import summary

    return summary


def write(directory: Path, name: str, figures: Any) -> None:
    (directory / f"{name}.json").write_text(json.dumps(figures))


def rows(out: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["figure"]: row for row in out["headlines"] if "figure" in row}


def test_collects_every_file_and_tabulates_headlines(
    summary: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "vm", VM)
    write(tmp_path, "host_path", HOST_PATH)
    write(tmp_path, "long_run", LONG_RUN)
    write(tmp_path, "host_gas", {"messages": {"MsgStoreCode": {"sdk_gas": 1}}})
    write(tmp_path, "status_cache", {"no": "figures it knows"})
    names = "vm,host_gas,host_path,status_cache,long_run,scenarios"

    code = summary.main(["--collect-only", "--results", str(tmp_path), "--only", names])

    assert code == 1  # scenarios has no file
    out = json.loads((tmp_path / "bench.json").read_text())
    assert out["missing"] == ["scenarios"]
    assert out["runs"] == {}
    assert out["benchmarks"]["vm"] == VM
    assert out["benchmarks"]["host_path"] == HOST_PATH
    assert out["benchmarks"]["host_gas"]["messages"]["MsgStoreCode"] == {"sdk_gas": 1}
    headlines = rows(out)
    assert headlines["VM query / bare wasmtime-py"] == {
        "benchmark": "vm",
        "figure": "VM query / bare wasmtime-py",
        "value": 1.05,
        "unit": "x",
        "target": "<= 1.1",
        "met": True,
    }
    # the worse of the adjacent and the skipping update
    update = headlines["update / sigs, 150 val, ed25519, sim-tm"]
    assert (update["value"], update["target"], update["met"]) == (1.4, "<= 1.3", False)
    fixed = headlines["fixed cost, 4 val, ed25519, sim-tm"]
    assert (fixed["value"], fixed["unit"], fixed["met"]) == (0.4, "ms", True)
    # what no host can take off, under each: the worse update again, with no target
    floors = [row for row in out["headlines"] if row.get("figure", "").startswith("its floor")]
    assert [(row["value"], row["unit"], row["target"]) for row in floors] == [
        (1.3, "x", None),
        (0.15, "ms", None),
    ]
    block = headlines["block / signing, 150 val, secp256k1, tm"]
    assert (block["value"], block["met"]) == (1.2, True)
    assert headlines["CPU, day 30 / day 1"]["met"] is False  # 12 % is not within 10 %
    assert headlines["CPU, day 30 / day 2"]["met"] is True
    assert headlines["peak RSS, 30 days"]["met"] is True
    assert headlines["real-time, 30 days"]["target"] is None
    unreadable = [row for row in out["headlines"] if "problem" in row]
    assert [row["benchmark"] for row in unreadable] == ["status_cache"]

    *table_lines, where = capsys.readouterr().out.splitlines()
    assert where == f"(all figures: {tmp_path / 'bench.json'})"
    assert all(len(line) <= 80 for line in table_lines)
    table = "\n".join(table_lines)
    lines = [line.split() for line in table.splitlines()]
    assert ["VM", "query", "/", "bare", "wasmtime-py", "1.05x", "<=", "1.1", "yes"] in lines
    fixed_line = "fixed cost, 4 val, ed25519, sim-tm 0.4 ms < 0.5 ms yes"
    assert fixed_line.split() in lines
    assert ["real-time,", "30", "days", "12,346x"] in lines
    assert "host_gas" not in table  # collected, but it has no headline ratio


def test_a_stale_file_is_missing_after_a_run(summary: ModuleType, tmp_path: Path) -> None:
    write(tmp_path, "vm", VM)
    write(tmp_path, "long_run", LONG_RUN)
    old = time.time() - 3600
    os.utime(tmp_path / "vm.json", (old, old))

    collected = summary.collect(tmp_path, ["vm", "long_run"], since=time.time() - 60)

    assert collected == {"benchmarks": {"long_run": LONG_RUN}, "missing": ["vm"]}
