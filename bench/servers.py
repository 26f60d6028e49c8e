"""gunicorn servers for the benchmark: started with one set of settings, polled, stopped."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


@dataclass
class Server:
    """A gunicorn process group serving one app on one port."""

    name: str
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 30) -> str:
        """The end of the server's error log, for failure reports."""
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def start(name: str, target: str, port: int, env: dict, settings: dict, logdir: Path) -> Server:
    """Start gunicorn for `target` (module:app) with the shared settings."""
    log = logdir / f"{name}.log"
    command = [
        GUNICORN,
        "--workers", str(settings["workers"]),
        "--worker-class", settings["worker_class"],
        "--threads", str(settings["threads"]),
        "--bind", f"127.0.0.1:{port}",
        "--error-logfile", str(log),
        "--log-level", "warning",
        target,
    ]  # fmt: skip
    process = subprocess.Popen(  # noqa: S603 -- our own venv's gunicorn, fixed arguments
        command, cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL
    )
    return Server(name, port, process, log)


def wait_until_up(server: Server, path: str, timeout: float = 60) -> None:
    """Poll `path` until it answers 200; raise with the server's log if it never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(server.url + path, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{server.name} did not come up on {server.url}{path}:\n{server.log_tail()}")


def stop(server: Server) -> None:
    """Stop the server's process group: TERM, then KILL if it lingers."""
    if server.process.poll() is not None:
        return
    group = os.getpgid(server.process.pid)
    os.killpg(group, signal.SIGTERM)
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(group, signal.SIGKILL)
        server.process.wait(timeout=10)
