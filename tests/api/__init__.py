"""Tests of the JSON API, API keys and the OSDI view."""
