"""Outcomes: updates to signers, decision makers' responses, and victories."""
