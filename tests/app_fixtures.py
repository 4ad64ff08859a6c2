"""App-level fixtures (the ACS app over a real database); loaded from conftest.py."""
