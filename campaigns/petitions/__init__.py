"""Campaigns ("petitions", to keep clear of the package name): start, edit, review, find."""
