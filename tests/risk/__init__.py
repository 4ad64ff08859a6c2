"""Tests of the pure risk engine."""
