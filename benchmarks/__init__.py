"""Benchmark harness for the ACS: one entry point, ``python -m benchmarks.run`` (see README.md)."""
