"""One module per backend: its contenders (worker side) and its ``SUITE`` spec (orchestrator side)."""

SUITE_NAMES = ("memory", "filesystem", "s3", "azure", "gcs")
"""Suites in the order they run and appear in the report."""
