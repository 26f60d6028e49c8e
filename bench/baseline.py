"""The baseline: a minimal Flask app that performs one INSERT per POST and answers 303.

It is served with the same gunicorn settings as the real app and uses the same engine
options (pool size, pre-ping), so the ratio shows what the real sign path adds on top.
"""

import os
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Flask, redirect, request

from bench.schema import TABLE, engine_url
from campaigns.config import Defaults


def create_baseline() -> Flask:
    """The app: POST /sign inserts one row; GET /health answers once the server is up."""
    app = Flask(__name__)
    engine = sa.create_engine(
        engine_url(os.environ["DATABASE_URL"]), **Defaults.SQLALCHEMY_ENGINE_OPTIONS
    )
    insert = sa.insert(TABLE)

    @app.post("/sign")
    def sign():
        """One INSERT per POST, in its own transaction."""
        row = {"email": request.form["email"], "created_at": datetime.now(UTC)}
        with engine.begin() as conn:
            conn.execute(insert, row)
        return redirect("/signed", 303)

    @app.get("/health")
    def health():
        """The server answers."""
        return "ok"

    return app


app = create_baseline()
