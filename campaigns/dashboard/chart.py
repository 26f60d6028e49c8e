"""A bar chart drawn on the server as inline SVG: no script, no CDN, allowed by the CSP.

The SVG is one image to assistive technology (role="img", named by its <title> and
described by its <desc>); the dashboard puts the same figures in a table beside it.
Colours come from classes in static/css/site.css: the CSP forbids inline styles.
"""

from datetime import date

from babel.dates import format_skeleton
from babel.numbers import format_compact_decimal
from flask_babel import format_date, format_decimal, get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 92, 8, 16, 36
X_LABELS = 4


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50... at or above value (at least 1)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def short_day(day: date) -> str:
    """A day as the locale writes it briefly, e.g. "Jan 5" or "5 janv."."""
    return format_skeleton("MMMd", day, locale=str(get_locale() or "en"))


def compact(value: int) -> str:
    """A count as the locale abbreviates it, e.g. "20K" or "1 M": axis labels stay short."""
    return format_compact_decimal(value, locale=str(get_locale() or "en"), fraction_digits=1)


def _bar(x: float, width: float, value: int, top: int, day: date) -> str:
    """One day's bar, with a tooltip naming the day and its count."""
    plot = HEIGHT - TOP - BOTTOM
    height = plot * value / top if top else 0
    y = TOP + plot - height
    tip = _("%(day)s: %(count)s", day=format_date(day, "medium"), count=format_decimal(value))
    return (
        f'<rect class="chart-bar" x="{x:.2f}" y="{y:.2f}" width="{width:.2f}" '
        f'height="{height:.2f}"><title>{escape(tip)}</title></rect>'
    )


def _axes(top: int, days: list[tuple[date, int]], slot: float) -> list[str]:
    """Grid lines with counts on the left, and a few day labels along the bottom."""
    parts = []
    base = HEIGHT - BOTTOM
    for fraction in (0, 0.5, 1):
        value = round(top * fraction)
        if fraction and value == round(top * (fraction - 0.5)):
            continue  # a top of 1 would label 0, 0 and 1
        y = base - (HEIGHT - TOP - BOTTOM) * fraction
        parts.append(
            f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.2f}" y2="{y:.2f}"/>'
            f'<text class="chart-label" x="{LEFT - 8}" y="{y:.2f}" text-anchor="end" '
            'dominant-baseline="middle">'
            f"{escape(compact(value))}</text>"
        )
    count = len(days)
    picks = sorted({round(i * (count - 1) / (X_LABELS - 1)) for i in range(X_LABELS)})
    for i in picks if count else ():
        x = LEFT + slot * (i + 0.5)
        anchor = "start" if i == 0 else "end" if i == count - 1 else "middle"
        x = LEFT if i == 0 else (WIDTH - RIGHT if i == count - 1 else x)
        parts.append(
            f'<text class="chart-label" x="{x:.2f}" y="{HEIGHT - 6}" text-anchor="{anchor}">'
            f"{escape(short_day(days[i][0]))}</text>"
        )
    return parts


def bar_chart(days: list[tuple[date, int]], *, title: str, desc: str, ident: str) -> Markup:
    """An accessible SVG bar chart of one count per day."""
    top = nice_ceiling(max((n for _, n in days), default=0))
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(days))
    width = max(1.0, slot * 0.75)
    bars = [
        _bar(LEFT + slot * i + (slot - width) / 2, width, n, top, day)
        for i, (day, n) in enumerate(days)
    ]
    body = "".join(_axes(top, days, slot) + bars)
    # Every piece of text in it went through escape(); the rest is numbers and constants.
    return Markup(  # noqa: S704
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" focusable="false" '
        f'aria-labelledby="{ident}-title" aria-describedby="{ident}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(desc)}</desc>{body}</svg>'
    )


def describe(days: list[tuple[date, int]]) -> str:
    """A sentence saying what the chart shows: the total and the busiest day."""
    total = sum(n for _, n in days)
    if not total:
        return _("No confirmed signatures on any of these days.")
    busiest, most = max(days, key=lambda item: (item[1], item[0]))
    return _(
        "%(total)s confirmed signatures from %(first)s to %(last)s; "
        "the busiest day was %(day)s with %(most)s.",
        total=format_decimal(total),
        first=format_date(days[0][0], "long"),
        last=format_date(days[-1][0], "long"),
        day=format_date(busiest, "long"),
        most=format_decimal(most),
    )
