"""Simulators of the parties around the ACS: merchant shop, DS / 3DS Server, the Banxo phone."""
