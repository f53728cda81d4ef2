"""Sweeps: a scenario run over a grid of parameter values and seeds, each run the ordinary one
(the same trace bytes as ``relayer-sim run`` with those values), its headline metrics a row of
a table. Runs are keyed by a hash of their resolved scenario, so a sweep resumes where it
stopped; they are independent, so an engine runs them in parallel (``engines``)."""
