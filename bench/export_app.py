"""The benchmark app (wsgi:app with /bench/hello) plus /bench/pid, for the export's memory figures.

The export benchmark reads the serving worker's memory from /proc, so it asks the worker its pid.
"""

import os

from bench.app import app


def pid():
    """The pid of the process answering: the worker whose memory is read."""
    return str(os.getpid())


app.add_url_rule("/bench/pid", "bench_pid", pid)
