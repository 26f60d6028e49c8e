"""Moderation: the review queue, claims, decisions, hiding, reports and revisions."""
