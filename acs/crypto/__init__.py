"""The only home of cryptography and jwcrypto: PAN protection, keys, authentication values."""
