"""End-to-end HTTP benchmarks: the library through a real ASGI server and load generator (see runner)."""
