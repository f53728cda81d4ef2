"""What people read: a run's metrics computed from its trace, the live display, tables rendered
with rich, and the self-contained HTML report with its plots."""
