"""The benchmark harness: profiles, measurement, worker processes, statistics and reports.

``benchmarks/run.py`` is the entry point. The orchestrator (``orchestrate``) starts the
emulators a suite needs, then runs every measurement in a fresh worker process
(``worker``) forked from a server that has the SDKs already imported, so each sample
starts from the same memory state and its CPU time is the client's alone.
"""
