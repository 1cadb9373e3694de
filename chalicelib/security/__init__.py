"""Secrets handling: password hashing, random tokens and their digests, tenant-scoped credentials."""
