"""Webhooks: signed JSON events sent to organizers' HTTPS endpoints, with retries (issue 6)."""
