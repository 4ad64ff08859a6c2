"""The bank's sensitive operations beyond card payments (SP-1 … SP-6), asked for by the bank's
online-banking back end through ``/banking/v1`` (docs/banking-operations.md)."""
