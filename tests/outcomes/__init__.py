"""Tests for outcomes: updates, responses, victories."""
