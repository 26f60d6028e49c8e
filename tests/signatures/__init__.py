"""Tests of signing: the public pages, the count and the account list."""
