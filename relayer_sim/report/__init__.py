"""Human-facing output: tables and summaries rendered with rich."""
