"""Paper signatures: organizers upload a CSV of signatures gathered offline (issue 6)."""
