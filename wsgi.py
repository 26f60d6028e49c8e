"""WSGI entry point: `gunicorn wsgi:app`, and `flask --app wsgi ...` for the CLI."""

import gc

from campaigns import create_app

app = create_app()
# What loading the app allocated lives as long as the process: set it aside so that the
# collector's full passes in a busy worker skip those ~150,000 objects.
gc.collect()
gc.freeze()
