"""Sécur'Pass ACS: an EMV 3-D Secure 2 issuer Access Control Server."""

__version__ = "0.1.0"
