"""Accounts: registration, verification, log in, passwords, roles."""
