"""The benchmark's verdicts: medians, ratios against the targets, and the exactness checks."""

import re
import statistics

# A's rate divided by B's must reach these (issue 4, "Benchmark: make bench").
TARGETS = {"sign": 0.5, "count": 0.6, "page": 0.9}
TITLES = {
    "sign": "sign POST / baseline INSERT",
    "count": "count.json / hello",
    "page": "page @{n:,} / page @100",
}
LINE = "-" * 116


def page_count(html: str) -> int | None:
    """The big count number shown on a campaign page."""
    match = re.search(r'class="big-count"[^>]*>\s*<strong[^>]*>([^<]+)<', html)
    return int(re.sub(r"\D", "", match.group(1))) if match else None


def _side(runs: list) -> tuple[float, float, float]:
    """Median rate, p50 and p99 (ms) of one side's runs (sign runs or plain wrk runs)."""
    plain = [getattr(r, "run", r) for r in runs]
    return (
        statistics.median(r.rate for r in runs),
        statistics.median(r.p50_ms for r in plain),
        statistics.median(r.p99_ms for r in plain),
    )


def ratios(results: dict) -> dict[str, float]:
    """A's median rate over B's, per benchmark."""
    out = {}
    for key, sides in results.items():
        b = _side(sides["b"])[0]
        out[key] = _side(sides["a"])[0] / b if b else 0.0
    return out


def summary(results: dict, checks: list[tuple[str, bool]], rounds: int, seeded: int) -> None:
    """Print the table: medians, ratios, targets, PASS or MISS; then the exactness checks."""
    print(f"\n{LINE}\nSUMMARY: medians of {rounds} alternated runs each; latency p50/p99 in ms")
    print(LINE)
    print(
        f"{'benchmark':<30} {'A':>16} {'A p50/p99':>15} {'B':>16} {'B p50/p99':>15} "
        f"{'ratio':>6} {'target':>7}  result"
    )
    for key, ratio in ratios(results).items():
        unit = "sig/s" if key == "sign" else "req/s"
        a, a50, a99 = _side(results[key]["a"])
        b, b50, b99 = _side(results[key]["b"])
        verdict = "PASS" if ratio >= TARGETS[key] else "MISS"
        print(
            f"{TITLES[key].format(n=seeded):<30} {a:>10.1f} {unit} {a50:>7.1f}/{a99:<7.1f} "
            f"{b:>10.1f} {unit} {b50:>7.1f}/{b99:<7.1f} {ratio:>6.2f} "
            f"{'>=' + str(TARGETS[key]):>7}  {verdict}"
        )
    print(LINE)
    for title, ok in checks:
        print(f"{title:<108} {'PASS' if ok else 'FAIL'}")
    print(LINE)


def row_checks(sign: dict) -> list[tuple[str, bool]]:
    """Rows written equal 303 answers, over every sign run of each side."""
    checks = []
    for side, name in (("a", "real sign POST"), ("b", "baseline INSERT")):
        # The warm-up runs signed too: they are checked with the rest.
        runs = sign[side] + sign["warm-up"][slice(0, 1) if side == "a" else slice(1, 2)]
        rows = sum(r.rows for r in runs)
        answers = sum(r.run.statuses.get(303, 0) for r in runs)
        title = f"{name}: rows written {rows:,} = 303 answers {answers:,} (every request answered)"
        checks.append((title, all(r.exact for r in runs)))
    return checks
