"""Use cases: the only layer that combines protocol, risk, crypto, storage and notify."""
