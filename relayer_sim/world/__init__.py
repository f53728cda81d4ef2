"""What the actors of a run share and act in: the chains, the simulated clock whose turns they
take, the trace they write to. Below both the actors (``relayer_sim.relayer``) and the runtime
that starts them (``relayer_sim.sim``), so that neither reaches up into the other."""

from relayer_sim.world.channels import OpenChannel
from relayer_sim.world.clock import SimClock
from relayer_sim.world.sent import SentPacket, SentPackets
from relayer_sim.world.world import TraceSink, World

__all__ = ["OpenChannel", "SentPacket", "SentPackets", "SimClock", "TraceSink", "World"]
