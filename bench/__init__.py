"""`make bench`: the signing path, count.json and the campaign page under load (run.py)."""
