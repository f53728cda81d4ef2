"""The runtime of a run: it starts the actors in one trio nursery on the simulated clock, fires
the timeline, records the trace and the logs, and checks the expectations."""
