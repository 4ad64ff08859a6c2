"""Fault runs: kill -9 during challenges, the DS down then up (see __main__.py)."""
