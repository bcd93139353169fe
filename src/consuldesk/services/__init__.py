"""Use cases: each one transaction that returns what changed."""
