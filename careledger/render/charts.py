"""Charts as inline SVG, drawn at build time from the public view: no script, no image files, readable in print.

Each chart is an `<svg role="img">` with a title and a text description of every value, so a screen reader (or a
page printed in black and white) gets the same numbers; the tables next to each chart hold them too.

Font sizes are in viewBox units: a chart drawn narrower than its viewBox shrinks its text with it. So a chart is
drawn at the width at which its smallest text is READABLE_PX pixels (its `width` and `height` attributes; never wider
than its viewBox), and the stylesheets do not shrink it further (no inline style: the pages' Content-Security-Policy
allows none); on a narrow screen a wider chart scrolls sideways in its own labelled box (`chart-scroll`, focusable
for the keyboard) instead of the whole page, as the tables do.
"""

from __future__ import annotations

import math
import re

from markupsafe import Markup, escape

from ..views.public import Status, Week

BAR = "#1d4f91"
LIGHT = "#d0d7de"
INK = "#1f2328"
MUTED = "#59636e"


READABLE_PX = 10.5  # the smallest text of a chart on screen, in CSS pixels


def min_width(width: int, body: list[str]) -> int:
    """The narrowest the chart may be drawn (CSS pixels) with its smallest text still READABLE_PX."""
    smallest = min((float(size) for size in re.findall(r'font-size="([0-9.]+)"', "".join(body))), default=None)
    return width if smallest is None else min(width, math.ceil(width * READABLE_PX / smallest))


def _svg(chart_id: str, width: int, height: int, title: str, desc: str, body: list[str]) -> Markup:
    shown = min_width(width, body)
    return Markup(
        f'<div class="chart-scroll" role="region" aria-label="图：{escape(title)}" tabindex="0">'
        f'<svg class="chart" id="{chart_id}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'viewBox="0 0 {width} {height}" width="{shown}" height="{math.ceil(height * shown / width)}">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(desc)}</desc>'
        + "".join(body) + "</svg></div>")


def on_time_chart(chart_id: str, rows: tuple[Status, ...], title: str, k: int) -> Markup:
    """Horizontal bars: the on-time visit rate of each row (village or cadre), 0–100 %. Narrow enough to fit a
    390 px phone whole (the first screen's chart): its smallest text, 12 units, stays READABLE_PX there."""
    label_w, bar_w, row_h, top = 104, 236, 30, 24
    width, height = label_w + bar_w + 52, top + row_h * len(rows) + 26
    body = [f'<text x="{label_w}" y="14" font-size="12" fill="{MUTED}">按时走访率（0–100%）</text>']
    for tick in (0, 50, 100):
        x = label_w + bar_w * tick // 100
        body.append(f'<line x1="{x}" y1="{top - 4}" x2="{x}" y2="{height - 22}" stroke="{LIGHT}" stroke-width="1"></line>'
                    f'<text x="{x}" y="{height - 6}" font-size="12" fill="{MUTED}" text-anchor="middle">{tick}%</text>')
    parts = []
    for i, row in enumerate(rows):
        y = top + i * row_h
        body.append(f'<text x="{label_w - 8}" y="{y + 19}" font-size="14" fill="{INK}" text-anchor="end">'
                    f'{escape(row.label)}</text>')
        if row.on_time.percent is None:
            body.append(f'<text x="{label_w + 6}" y="{y + 19}" font-size="13" fill="{MUTED}">不足 {k} 人，不计算</text>')
            parts.append(f"{row.label} 不计算")
            continue
        w = bar_w * row.on_time.percent // 100
        body.append(f'<rect x="{label_w}" y="{y + 5}" width="{w}" height="{row_h - 10}" fill="{BAR}"></rect>'
                    f'<text x="{label_w + w + 6}" y="{y + 19}" font-size="13" fill="{INK}">{escape(row.on_time.text)}</text>')
        parts.append(f"{row.label} {row.on_time.text}")
    return _svg(chart_id, width, height, title, "；".join(parts), body)


def weeks_chart(chart_id: str, weeks: tuple[Week, ...], title: str) -> Markup:
    """Vertical bars: visits recorded in each week (the last one runs to the as-of date)."""
    left, bar_slot, plot_h, top = 36, 46, 160, 20
    width, height = left + bar_slot * len(weeks) + 10, top + plot_h + 44
    peak = max([w.visits for w in weeks] + [1])
    scale = _nice(peak)
    body = []
    for tick in (0, scale // 2, scale):
        y = top + plot_h - plot_h * tick // scale
        body.append(f'<line x1="{left}" y1="{y}" x2="{width - 6}" y2="{y}" stroke="{LIGHT}" stroke-width="1"></line>'
                    f'<text x="{left - 6}" y="{y + 4}" font-size="11" fill="{MUTED}" text-anchor="end">{tick}</text>')
    for i, week in enumerate(weeks):
        x = left + i * bar_slot + 8
        h = plot_h * week.visits // scale
        y = top + plot_h - h
        last = i == len(weeks) - 1
        body.append(f'<rect x="{x}" y="{y}" width="{bar_slot - 16}" height="{h}" fill="{LIGHT if last else BAR}"></rect>'
                    f'<text x="{x + (bar_slot - 16) // 2}" y="{y - 4}" font-size="11" fill="{INK}" '
                    f'text-anchor="middle">{week.visits}</text>'
                    f'<text x="{x + (bar_slot - 16) // 2}" y="{top + plot_h + 16}" font-size="11" fill="{MUTED}" '
                    f'text-anchor="middle">{escape(week.label)}</text>')
    body.append(f'<text x="{left}" y="{height - 6}" font-size="11" fill="{MUTED}">每周一起算；浅色为本周（截至基准日）</text>')
    desc = "；".join(f"{w.label} 起一周 {w.visits} 次" for w in weeks)
    return _svg(chart_id, width, height, title, desc, body)


def _nice(peak: int) -> int:
    """A round upper bound for the axis (an even number, so the middle tick is whole)."""
    for step in (10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000):
        if peak <= step:
            return step
    return (peak // 10000 + 1) * 10000


SERIES = ("#1d4f91", "#b45309", "#15803d", "#7e22ce", "#be123c", "#0e7490", "#4d7c0f", "#57534e")
DASHES = ("", "6 3", "2 3", "8 3 2 3")  # told apart in black and white too


def rate_lines_chart(chart_id: str, months: tuple[str, ...], series: list[tuple[str, tuple]], title: str) -> Markup:
    """Lines: a percentage (0–100) per month for each labelled series; a month with None leaves a break."""
    left, slot, plot_h, top, legend_w = 40, 56, 200, 16, 150
    width = left + slot * max(len(months), 1) + legend_w
    height = top + plot_h + 40
    body = []
    for tick in (0, 25, 50, 75, 100):
        y = top + plot_h - plot_h * tick // 100
        body.append(f'<line x1="{left}" y1="{y}" x2="{left + slot * len(months)}" y2="{y}" stroke="{LIGHT}" '
                    f'stroke-width="1"></line><text x="{left - 6}" y="{y + 4}" font-size="11" fill="{MUTED}" '
                    f'text-anchor="end">{tick}%</text>')
    for i, month in enumerate(months):
        body.append(f'<text x="{left + slot * i + slot // 2}" y="{top + plot_h + 16}" font-size="11" fill="{MUTED}" '
                    f'text-anchor="middle">{escape(month)}</text>')
    parts = []
    for n, (label, values) in enumerate(series):
        colour, dash = SERIES[n % len(SERIES)], DASHES[(n // len(SERIES) + n) % len(DASHES)]
        points = [(left + slot * i + slot // 2, top + plot_h - plot_h * v / 100) for i, v in enumerate(values)
                  if v is not None]
        runs, run = [], []
        for i, v in enumerate(values):
            if v is None:
                runs.append(run)
                run = []
            else:
                run.append(f"{left + slot * i + slot // 2},{top + plot_h - plot_h * v / 100:.1f}")
        runs.append(run)
        for r in runs:
            if len(r) > 1:
                body.append(f'<polyline points="{" ".join(r)}" fill="none" stroke="{colour}" stroke-width="2"'
                            + (f' stroke-dasharray="{dash}"' if dash else "") + "></polyline>")
        body += [f'<circle cx="{x}" cy="{y:.1f}" r="3" fill="{colour}"></circle>' for x, y in points]
        ly = top + 14 + 18 * n
        lx = left + slot * len(months) + 12
        body.append(f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 22}" y2="{ly - 4}" stroke="{colour}" stroke-width="2"'
                    + (f' stroke-dasharray="{dash}"' if dash else "") + f'></line><text x="{lx + 28}" y="{ly}" '
                    f'font-size="12" fill="{INK}">{escape(label)}</text>')
        parts.append(f"{label}：" + "，".join(f"{m} {'无' if v is None else f'{v}%'}" for m, v in zip(months, values)))
    height = max(height, top + 18 * len(series) + 20)
    return _svg(chart_id, width, height, title, "；".join(parts), body)


def month_bars_chart(chart_id: str, months: tuple[str, ...], values: tuple[int, ...], title: str, unit: str) -> Markup:
    """Vertical bars: a count per month (the last month runs to the as-of date)."""
    left, slot, plot_h, top = 36, 56, 160, 20
    width, height = left + slot * max(len(months), 1) + 10, top + plot_h + 44
    scale = _nice(max(list(values) + [1]))
    body = []
    for tick in (0, scale // 2, scale):
        y = top + plot_h - plot_h * tick // scale
        body.append(f'<line x1="{left}" y1="{y}" x2="{width - 6}" y2="{y}" stroke="{LIGHT}" stroke-width="1"></line>'
                    f'<text x="{left - 6}" y="{y + 4}" font-size="11" fill="{MUTED}" text-anchor="end">{tick}</text>')
    for i, (month, value) in enumerate(zip(months, values)):
        x = left + i * slot + 10
        h = plot_h * value // scale
        y = top + plot_h - h
        body.append(f'<rect x="{x}" y="{y}" width="{slot - 20}" height="{h}" fill="{BAR}"></rect>'
                    f'<text x="{x + (slot - 20) // 2}" y="{y - 4}" font-size="11" fill="{INK}" '
                    f'text-anchor="middle">{value}</text>'
                    f'<text x="{x + (slot - 20) // 2}" y="{top + plot_h + 16}" font-size="11" fill="{MUTED}" '
                    f'text-anchor="middle">{escape(month)}</text>')
    body.append(f'<text x="{left}" y="{height - 6}" font-size="11" fill="{MUTED}">最后一个月截至基准日</text>')
    return _svg(chart_id, width, height, title, "；".join(f"{m} {v} {unit}" for m, v in zip(months, values)), body)
