"""The runtime of a run: the simulated clock, the world the actors share, the trace, the logs."""
