"""AReq → ARes: read the facts, decide, compute the proof, store, answer."""
