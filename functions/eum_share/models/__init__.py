"""Pydantic models: what the doors accept, what the states pass, what the ledger stores."""
