"""Reaching outside: wake-ups between requests and processes, SMS, push, the DS client."""
