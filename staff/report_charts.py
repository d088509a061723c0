"""The report page's charts, drawn on the server as inline SVG.

No script runs (the console's Content-Security-Policy allows none inline) and nothing is
fetched: the page arrives with its charts. Colours and sizes are SVG attributes, not styles.
"""

from __future__ import annotations

from markupsafe import Markup, escape

BLUE = "#0b5cad"
GREEN = "#2e7d32"
GRID = "#dde3ea"
INK = "#1c2430"
MUTED = "#5b6675"


def _svg(width: int, height: int, title: str, body: list[str]) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" class="chart">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _text(
    x: float, y: float, text: str, *, size: int = 11, anchor: str = "start", fill: str = INK
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill}">{escape(text)}</text>'
    )


def trend(
    labels: list[str],
    counts: list[int],
    shares: list[float | None],
    *,
    title: str,
    count_name: str,
    share_name: str,
) -> Markup:
    """Bars of complaints received per period, and a line of the share on time (0–100 %)."""
    width, height, left, right, top, bottom = 720, 240, 40, 40, 28, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    most = max(counts, default=0) or 1
    step = plot_w / max(len(counts), 1)
    every = max(1, len(labels) // 12)  # at most a dozen labels under the axis
    body = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        f'stroke="{MUTED}"/>',
        _text(left - 6, top + 4, str(most), size=10, anchor="end", fill=MUTED),
        _text(left - 6, top + plot_h, "0", size=10, anchor="end", fill=MUTED),
        _text(left + plot_w + 6, top + 4, "100 %", size=10, fill=GREEN),
    ]
    points = []
    for i, (name, count, share) in enumerate(zip(labels, counts, shares, strict=True)):
        x = left + i * step
        bar = plot_h * count / most
        body.append(
            f'<rect x="{x + step * 0.15:.1f}" y="{top + plot_h - bar:.1f}" '
            f'width="{step * 0.7:.1f}" height="{bar:.1f}" fill="{BLUE}">'
            f"<title>{escape(name)}: {count}</title></rect>"
        )
        if i % every == 0:
            body.append(_text(x + step / 2, height - bottom + 16, name, size=10, anchor="middle"))
        if share is not None:
            points.append(f"{x + step / 2:.1f},{top + plot_h * (1 - share / 100):.1f}")
    if points:
        body.append(
            f'<polyline points="{" ".join(points)}" fill="none" stroke="{GREEN}" stroke-width="2"/>'
        )
        body.extend(
            f'<circle cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" r="3" fill="{GREEN}"/>'
            for p in points
        )
    body.append(f'<rect x="{left}" y="{height - 16}" width="10" height="10" fill="{BLUE}"/>')
    body.append(_text(left + 14, height - 7, count_name, size=10))
    body.append(f'<rect x="{left + 220}" y="{height - 16}" width="10" height="10" fill="{GREEN}"/>')
    body.append(_text(left + 234, height - 7, share_name, size=10))
    return _svg(width, height, title, body)


def bars(items: list[tuple[str, int]], *, title: str) -> Markup:
    """Horizontal bars, one per named group, with the count at the end of each."""
    width, row, left = 720, 24, 190
    height = max(row * len(items), row) + 8
    most = max((count for _, count in items), default=0) or 1
    body = []
    for i, (name, count) in enumerate(items):
        y = 4 + i * row
        length = (width - left - 60) * count / most
        body.append(_text(left - 8, y + 15, name, anchor="end"))
        body.append(
            f'<rect x="{left}" y="{y + 3}" width="{length:.1f}" height="{row - 8}" fill="{BLUE}"/>'
        )
        body.append(_text(left + length + 6, y + 15, str(count), fill=MUTED))
    return _svg(width, height, title, body)
