"""Server-rendered SVG bar charts for the dashboard: no script, no CDN, no library.

Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` naming what it shows;
the template puts the same figures in a table beside it (screen readers, no colour needed).
Colours are dark enough on white for WCAG's 3:1 of graphical objects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from markupsafe import Markup

__all__ = ["PALETTE", "bars"]

PALETTE = ("#0b4f8a", "#a2261b", "#1d6b34", "#7a4a00", "#5b2a86", "#006d77", "#4a5361", "#8a0b5b")
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 720, 240, 48, 36, 12


def bars(
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    stacked: bool = True,
    unit: str = "",
) -> Markup:
    """A bar chart of ``series`` (name → one value per label), stacked or side by side."""
    names = list(series)
    columns = [[float(series[n][i]) for n in names] for i in range(len(labels))]
    top = max([*(sum(c) if stacked else max(c, default=0) for c in columns), 1.0])
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP
    slot = plot_w / max(len(labels), 1)
    parts = [_axis(top, unit, plot_h)]
    for i, label in enumerate(labels):
        x0, base = LEFT + i * slot + slot * 0.15, 0.0
        width = slot * 0.7 / (1 if stacked else max(len(names), 1))
        for k, name in enumerate(names):
            value = columns[i][k]
            h = plot_h * value / top
            x = x0 if stacked else x0 + k * width
            y = TOP + plot_h - h - (plot_h * base / top if stacked else 0)
            tip = f"{label} — {name} : {_num(value)}{unit}"
            parts.append(_rect(x, y, width, h, PALETTE[k % len(PALETTE)], tip))
            base += value if stacked else 0
        if len(labels) <= 16 or i % 2 == 0:
            cx = LEFT + i * slot + slot / 2
            parts.append(f'<text x="{cx:.1f}" y="{HEIGHT - BOTTOM + 14}" text-anchor="middle" '
                         f'font-size="11" fill="#1b1f24">{escape(label)}</text>')  # fmt: skip
    parts.append(_legend(names))
    desc = f"{title}, par jour, de {labels[0]} à {labels[-1]}" if labels else title
    body = "".join(parts)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} {HEIGHT + 20}" '
        f'width="100%" aria-labelledby="t-{id(series)} d-{id(series)}">'
        f'<title id="t-{id(series)}">{escape(title)}</title>'
        f'<desc id="d-{id(series)}">{escape(desc)}</desc>{body}</svg>'
    )


def _rect(x: float, y: float, width: float, height: float, colour: str, tip: str) -> str:
    box = f'x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}"'
    return f'<rect {box} fill="{colour}"><title>{escape(tip)}</title></rect>'


def _axis(top: float, unit: str, plot_h: float) -> str:
    lines = [f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - 8}" y2="{TOP + plot_h}" '
             'stroke="#4a5361"/>']  # fmt: skip
    for fraction in (0.5, 1.0):
        y = TOP + plot_h * (1 - fraction)
        lines.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
                     f'fill="#1b1f24">{escape(_num(top * fraction) + unit)}</text>')  # fmt: skip
        lines.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - 8}" y2="{y:.1f}" '
                     'stroke="#c9ced6" stroke-dasharray="3 3"/>')  # fmt: skip
    return "".join(lines)


def _legend(names: Sequence[str]) -> str:
    items, x = [], LEFT
    for k, name in enumerate(names):
        items.append(f'<rect x="{x}" y="{HEIGHT + 4}" width="10" height="10" '
                     f'fill="{PALETTE[k % len(PALETTE)]}"/>'
                     f'<text x="{x + 14}" y="{HEIGHT + 13}" font-size="11" fill="#1b1f24">'
                     f"{escape(name)}</text>")  # fmt: skip
        x += 24 + 7 * len(name)
    return "".join(items)


def _num(value: float) -> str:
    return (
        f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}".replace(".", ",")
    )
