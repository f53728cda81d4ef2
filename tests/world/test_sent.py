"""The log of sent packets forgets a packet only once every reader has passed it, and still
counts it as sent and delivered."""

from __future__ import annotations

from relayer_sim.lightclient.headers import Height
from relayer_sim.lightclient.packets import Packet
from relayer_sim.world import SentPacket, SentPackets


def _log(count: int) -> tuple[SentPackets, list[SentPacket]]:
    log = SentPackets()
    entries = [
        SentPacket(Packet(n, "transfer", "channel-0", "transfer", "channel-0", b"x"), Height(1, n))
        for n in range(1, count + 1)
    ]
    for entry in entries:
        log.append(entry)
    return log, entries


def test_a_packet_is_forgotten_once_every_reader_has_passed_it() -> None:
    log, entries = _log(10)
    log.read_up_to("r1", 6)
    assert log.first_kept() == 6 and len(log) == 10
    log.read_up_to("r2", 3)  # a reader behind the first: nothing more goes
    log.read_up_to("r1", 8)
    assert log.first_kept() == 6
    log.read_up_to("r2", 9)
    assert log.first_kept() == 8
    assert list(log.since(0)) == entries[8:]
    assert list(log.since(9)) == entries[9:]
    log.read_up_to("r1", 0)  # a restarted reader reads again from the start
    assert log.first_kept() == 8 and list(log.since(0)) == entries[8:]


def test_forgotten_packets_count_as_delivered() -> None:
    log, entries = _log(10)
    received = {entries[n].packet for n in (0, 1, 2, 3, 7)}
    log.read_up_to("r1", 4)
    assert log.delivered(received.__contains__) == 5
    assert log.delivered(received.__contains__, last=7) == 2  # packets 3..9: 3 and 7
    assert log.delivered(received.__contains__, last=20) == 5
