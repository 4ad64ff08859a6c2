"""Challenges: browser, app (JWE) and decoupled, their endings and their timeouts."""
