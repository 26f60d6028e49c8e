"""Running wrk with the benchmark's Lua scripts and reading what they report."""

import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
# After the sign deadline, time for requests in flight to be answered before wrk stops.
DRAIN_SECONDS = 3


@dataclass
class Load:
    """How hard each run pushes: wrk threads, connections, seconds."""

    threads: int
    connections: int
    seconds: int


@dataclass
class Run:
    """What one wrk run reported."""

    label: str
    statuses: dict[int, int] = field(default_factory=dict)
    errors: tuple[int, ...] = (0, 0, 0, 0)
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    requests: int = 0
    seconds: float = 0.0
    sent: int = 0
    answered: int = 0
    output: str = ""

    @property
    def rate(self) -> float:
        """Responses per second over the run."""
        return self.requests / self.seconds if self.seconds else 0.0


def _parse(label: str, output: str) -> Run:
    """Read the `bench:` lines the Lua scripts print in done()."""
    run = Run(label, output=output)
    lines = [line[len("bench:") :] for line in output.splitlines() if line.startswith("bench:")]
    for key, value in re.findall(r"(\w+)=([\d,]+)", " ".join(lines)):
        if key.isdigit():
            run.statuses[int(key)] = int(value)
        elif key == "errors":
            run.errors = tuple(int(v) for v in value.split(","))
        elif key in ("p50_us", "p99_us"):
            setattr(run, key.replace("_us", "_ms"), int(value) / 1000)
        elif key == "duration_us":
            run.seconds = int(value) / 1e6
        else:
            setattr(run, key, int(value))
    if "p50_us" not in output:
        raise RuntimeError(f"wrk reported nothing for {label}:\n{output}")
    return run


def _wrk(load: Load, seconds: int, script: str, url: str, args: list[str]) -> str:
    """Run wrk once; its output."""
    command = [
        "wrk", f"-t{load.threads}", f"-c{load.connections}", f"-d{seconds}s",
        "--timeout", "10s", "-s", str(HERE / script), url, "--", *args,
    ]  # fmt: skip
    done = subprocess.run(  # noqa: S603 -- wrk from PATH, arguments built here
        command, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def get(label: str, load: Load, url: str, seconds: int | None = None) -> Run:
    """GET url as fast as the server answers for the run's seconds."""
    return _parse(label, _wrk(load, seconds or load.seconds, "get.lua", url, []))


def sign(label: str, load: Load, url: str, form: dict, seconds: int | None = None) -> Run:
    """POST the form with unique emails until a deadline, then let every answer arrive.

    form: path, cookie, prefix, suffix, tag. The deadline is a whole Unix second, so the
    signing window is between `seconds` and one second longer; rates come from the rows'
    own timestamps, not from this window.
    """
    seconds = seconds or load.seconds
    deadline = int(time.time()) + 1 + seconds
    args = [form["path"], form["cookie"], form["prefix"], form["suffix"], form["tag"]]
    output = _wrk(load, seconds + 1 + DRAIN_SECONDS, "sign.lua", url, [*args, str(deadline)])
    return _parse(label, output)
