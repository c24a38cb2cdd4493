"""Charts as inline SVG, drawn at build time with drawsvg: no JavaScript, no requests.

Why drawsvg and not a charting library is written down in the contributors' guide
(``guide/contributing-charts.md``); in short, the charts need things the charting
libraries tried would not give without rewriting their output: byte-identical
output for reproducible builds, colours that follow the theme's light and dark
schemes, fill patterns so severity is not told by colour alone, ``<title>`` and
``<desc>`` for screen readers, medians and 90th percentiles marked on
distributions, and small files.

Every chart is an ``<svg role="img">`` named by its ``<title>`` and described by
its ``<desc>``. Colours are CSS custom properties (``--pmkb-c-<style>``, set in
``assets/pmkb.css`` for each colour scheme); the same colours are written as
presentation attributes too, so an SVG copied out of the page still draws.

drawsvg escapes text content but writes attribute values as given, so only
numbers and the constants and ids of this module ever go into attributes; values
from frontmatter go into text content (:func:`_text`) only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import drawsvg as draw

from postmortem_kb.core.units import format_minutes

WIDTH = 720
FONT = 12
TITLE_FONT = 15

_SAFE_ID = re.compile(r"[a-z][a-z0-9-]*")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class Style:
    """How one series is drawn: its colour (light scheme) and its fill pattern."""

    colour: str
    pattern: str  # solid | diagonal | dots | horizontal | cross


STYLES: dict[str, Style] = {
    "sev0": Style("#a50f15", "solid"),
    "sev1": Style("#d44a00", "diagonal"),
    "sev2": Style("#8a6100", "dots"),
    "sev3": Style("#2166ac", "horizontal"),
    "sev4": Style("#5f6b7a", "cross"),
    "incident": Style("#2166ac", "solid"),
    "near-miss": Style("#8a6100", "diagonal"),
    "opened": Style("#5f6b7a", "diagonal"),
    "closed": Style("#1b7837", "solid"),
    "overdue": Style("#a50f15", "solid"),
    "bar": Style("#2166ac", "solid"),
}
"""Series styles; ``assets/pmkb.css`` sets ``--pmkb-c-<name>`` for both schemes."""

FOREGROUND = "#3b3b3b"
BACKGROUND = "#ffffff"


@dataclass(frozen=True, slots=True)
class Series:
    """A named row of values, drawn in one of :data:`STYLES`."""

    style: str
    label: str
    values: Sequence[float]


@dataclass(frozen=True, slots=True)
class Category:
    """An x-axis category: its full name (tooltips) and a short two-line label."""

    name: str
    line1: str
    line2: str = ""


@dataclass(frozen=True, slots=True)
class Row:
    """One row of a distribution chart: durations in minutes and their markers."""

    label: str
    style: str
    values: Sequence[float]
    median: float | None
    p90: float | None


# --- building blocks -----------------------------------------------------------------


def _r(value: float) -> float:
    """Coordinates with one decimal: smaller files, same picture."""
    return round(value, 1)


def _text(value: object) -> str:
    """Frontmatter text for SVG text content: one line, only characters XML allows.

    drawsvg escapes ``&``, ``<`` and ``>``; control characters (which YAML's ``"\\x01"``
    can produce) would still make the SVG malformed, so they are dropped.
    """
    return _XML_INVALID.sub("", " ".join(str(value).split()))


def _short(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "\u2026"


class _Desc(draw.Title):
    """The ``<desc>`` element, which drawsvg does not define (same content model)."""

    TAG_NAME = "desc"


class _Canvas:
    """A drawing with its accessible name and description, and shared patterns."""

    def __init__(
        self,
        chart_id: str,
        title: str,
        desc: str,
        height: int,
        width: int = WIDTH,
        kind: str = "pmkb-chart-full",
    ):
        if not _SAFE_ID.fullmatch(chart_id):
            raise ValueError(f"chart id {chart_id!r} must match {_SAFE_ID.pattern}")
        self.id = chart_id
        self.width = width
        self.height = height
        self.drawing = draw.Drawing(
            width,
            height,
            id_prefix=f"{chart_id}-d",
            id=chart_id,
            class_=f"pmkb-chart {kind}",
            role="img",
            aria_labelledby=f"{chart_id}-title {chart_id}-desc",
            font_family="sans-serif",
            font_size=FONT,
            fill=FOREGROUND,
        )
        self.drawing.append(draw.Title(_text(title), id=f"{chart_id}-title"))
        self.drawing.append(_Desc(_text(desc), id=f"{chart_id}-desc"))
        self._patterns: dict[str, draw.Pattern] = {}

    def add(self, element: draw.DrawingElement) -> None:
        self.drawing.append(element)

    def fill(self, style: str) -> draw.Pattern | str:
        """The fill of a ``style``: a pattern defined once per chart, or a plain colour."""
        spec = STYLES[style]
        if spec.pattern == "solid":
            return spec.colour
        if style not in self._patterns:
            pattern = draw.Pattern(6, 6, id=f"{self.id}-{style}")
            pattern.append(
                draw.Rectangle(0, 0, 6, 6, fill=spec.colour, class_=f"pmkb-fill-{style}")
            )
            pattern.append(_pattern_mark(spec.pattern))
            self._patterns[style] = pattern
        return self._patterns[style]

    def shape_class(self, style: str) -> str:
        """Solid shapes take their colour from CSS; patterned ones from their pattern."""
        return f"pmkb-fill-{style}" if STYLES[style].pattern == "solid" else "pmkb-patterned"

    def title(self, text: str) -> None:
        self.add(
            draw.Text(
                _text(text), TITLE_FONT, 12, 22, font_weight="bold", class_="pmkb-chart-title"
            )
        )

    def legend(self, entries: Sequence[tuple[str, str, str]], y: float, x: float = 12) -> None:
        """Legend entries (kind, style, label) in one row; kind is box, line or mark."""
        for kind, style, label in entries:
            group = draw.Group(class_="pmkb-legend")
            if kind == "box":
                group.append(
                    draw.Rectangle(
                        x,
                        y - 10,
                        12,
                        12,
                        fill=self.fill(style),
                        class_=self.shape_class(style),
                        stroke=FOREGROUND,
                        stroke_width=0.5,
                    )
                )
            elif kind == "line":
                group.append(
                    draw.Line(
                        x,
                        y - 4,
                        x + 16,
                        y - 4,
                        stroke=STYLES[style].colour,
                        stroke_width=2,
                        class_=f"pmkb-stroke-{style}",
                    )
                )
                group.append(self._hollow_dot(x + 8, y - 4, style))
            else:
                group.append(self._marker(kind, x + 6, y - 4, style))
            width = 16 if kind == "line" else 12
            group.append(draw.Text(_text(label), FONT, x + width + 5, y))
            self.add(group)
            x += width + 5 + 7 * len(label) + 18

    def _hollow_dot(self, x: float, y: float, style: str) -> draw.Circle:
        return draw.Circle(
            _r(x),
            _r(y),
            3.5,
            fill=BACKGROUND,
            stroke=STYLES[style].colour,
            stroke_width=2,
            class_=f"pmkb-dot-{style}",
        )

    def _marker(self, kind: str, x: float, y: float, style: str) -> draw.DrawingElement:
        if kind == "dot":
            return _incident_dot(x, y, style)
        dash = "4,3" if kind == "p90" else None
        return draw.Line(
            x,
            y - 7,
            x,
            y + 7,
            stroke=FOREGROUND,
            stroke_width=3 if kind == "median" else 2,
            stroke_dasharray=dash,
            class_=f"pmkb-{kind}",
        )

    def axis_labels(self, x_label: str, y_label: str, plot: _Plot) -> None:
        self.add(
            draw.Text(
                _text(x_label),
                FONT,
                _r(plot.left + plot.width / 2),
                self.height - 6,
                text_anchor="middle",
                class_="pmkb-axis-label",
            )
        )
        cy = _r(plot.top + plot.height / 2)
        self.add(
            draw.Text(
                _text(y_label),
                FONT,
                14,
                cy,
                text_anchor="middle",
                transform=f"rotate(-90 14 {cy})",
                class_="pmkb-axis-label",
            )
        )

    def no_data(self, plot: _Plot, message: str) -> None:
        self.add(
            draw.Text(
                _text(message),
                FONT + 2,
                _r(plot.left + plot.width / 2),
                _r(plot.top + plot.height / 2),
                text_anchor="middle",
                font_style="italic",
                class_="pmkb-no-data",
            )
        )

    def svg(self) -> str:
        return self.drawing.as_svg(header="").strip()


def _pattern_mark(kind: str) -> draw.DrawingElement:
    """The marks drawn over a pattern's colour, in the page's background colour."""
    if kind == "dots":
        return draw.Circle(3, 3, 1.3, fill=BACKGROUND, class_="pmkb-mark-dot")
    paths = {
        "diagonal": "M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2",
        "horizontal": "M0,3 h6",
        "cross": "M0,0 l6,6 M6,0 l-6,6",
    }
    return draw.Path(d=paths[kind], stroke=BACKGROUND, stroke_width=1.2, class_="pmkb-mark")


def _incident_dot(x: float, y: float, style: str, radius: float = 4.5) -> draw.Circle:
    return draw.Circle(
        _r(x),
        _r(y),
        _r(radius),
        fill=STYLES[style].colour,
        fill_opacity=0.75,
        stroke=BACKGROUND,
        stroke_width=1,
        class_=f"pmkb-fill-{style} pmkb-dot",
    )


@dataclass(frozen=True, slots=True)
class _Plot:
    left: float
    top: float
    width: float
    height: float

    @property
    def bottom(self) -> float:
        return self.top + self.height

    @property
    def right(self) -> float:
        return self.left + self.width


def nice_step(maximum: float, ticks: int = 5) -> int:
    """A 1, 2 or 5 times a power of ten step giving at most ``ticks`` whole-number steps."""
    if maximum <= ticks:
        return 1
    raw = maximum / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return int(factor * power)
    return int(10 * power)  # pragma: no cover - the loop always returns


def _count_axis(canvas: _Canvas, plot: _Plot, maximum: float, *, across: bool = False) -> int:
    """Grid lines and labels for counts from 0, up the plot or, for bars lying down,
    ``across`` it; returns the top of the scale."""
    step = nice_step(max(maximum, 1))
    top = max(step, math.ceil(max(maximum, 1) / step) * step)
    group = draw.Group(class_="pmkb-x-axis" if across else "pmkb-y-axis")
    for value in range(0, top + 1, step):
        if across:
            x = _r(plot.left + value / top * plot.width)
            ends, at, anchor = (x, plot.top, x, plot.bottom), (x, plot.bottom + 16), "middle"
        else:
            y = _r(plot.bottom - value / top * plot.height)
            ends, at, anchor = (plot.left, y, plot.right, y), (plot.left - 6, y + 4), "end"
        group.append(
            draw.Line(
                *ends,
                stroke=FOREGROUND,
                stroke_opacity=0.5 if value == 0 else 0.15,
                class_="pmkb-axis" if value == 0 else "pmkb-grid",
            )
        )
        group.append(draw.Text(str(value), FONT, *at, text_anchor=anchor, class_="pmkb-tick"))
    canvas.add(group)
    return top


def _x_labels(canvas: _Canvas, plot: _Plot, categories: Sequence[Category]) -> None:
    band = plot.width / max(len(categories), 1)
    every = max(1, math.ceil(len(categories) * 46 / plot.width))
    group = draw.Group(class_="pmkb-x-axis", text_anchor="middle")
    previous_line2 = None
    for index, category in enumerate(categories):
        if index % every:
            continue
        x = _r(plot.left + band * (index + 0.5))
        group.append(
            draw.Text(_text(category.line1), FONT, x, plot.bottom + 16, class_="pmkb-tick")
        )
        if category.line2 and category.line2 != previous_line2:
            group.append(
                draw.Text(_text(category.line2), FONT, x, plot.bottom + 30, class_="pmkb-tick")
            )
        previous_line2 = category.line2
    canvas.add(group)


# --- charts ------------------------------------------------------------------------------


def column_chart(
    chart_id: str,
    title: str,
    desc: str,
    categories: Sequence[Category],
    series: Sequence[Series],
    *,
    x_label: str,
    y_label: str,
    stacked: bool = True,
    line: Series | None = None,
    empty: str = "No incidents in this period",
) -> str:
    """Columns per category, stacked or side by side, with an optional line of counts."""
    canvas = _Canvas(chart_id, title, desc, height=320)
    canvas.title(title)
    entries = [("box", s.style, s.label) for s in series]
    if line is not None:
        entries.append(("line", line.style, line.label))
    canvas.legend(entries, y=46)
    plot = _Plot(left=56, top=74, width=WIDTH - 56 - 16, height=320 - 74 - 58)
    n = len(categories)
    totals = [sum(s.values[i] for s in series) for i in range(n)]
    peaks = [max((s.values[i] for s in series), default=0) for i in range(n)]
    highest = max([*(totals if stacked else peaks), *(line.values if line else [])], default=0)
    top = _count_axis(canvas, plot, highest)
    _x_labels(canvas, plot, categories)
    canvas.axis_labels(x_label, y_label, plot)
    if n == 0 or highest == 0:
        canvas.no_data(plot, empty)
    band = plot.width / max(n, 1)

    def y_of(value: float) -> float:
        return plot.bottom - value / top * plot.height

    bars = draw.Group(class_="pmkb-bars")
    for index, category in enumerate(categories):
        if stacked:
            width = min(band * 0.7, 48)
            x = plot.left + band * index + (band - width) / 2
            base = 0.0
            for s in series:
                value = s.values[index]
                if value:
                    bars.append(
                        _bar(canvas, s, category, x, y_of(base + value), width, value, top, plot)
                    )
                base += value
            if totals[index]:
                bars.append(
                    draw.Text(
                        _count(totals[index]),
                        FONT - 1,
                        _r(x + width / 2),
                        _r(y_of(totals[index]) - 4),
                        text_anchor="middle",
                        class_="pmkb-value",
                    )
                )
        else:
            group_width = min(band * 0.8, 28 * len(series))
            width = group_width / max(len(series), 1)
            for k, s in enumerate(series):
                value = s.values[index]
                if value:
                    x = plot.left + band * index + (band - group_width) / 2 + k * width
                    bars.append(
                        _bar(canvas, s, category, x, y_of(value), width - 1, value, top, plot)
                    )
    canvas.add(bars)
    if line is not None and n:
        points = [
            (_r(plot.left + band * (i + 0.5)), _r(y_of(v))) for i, v in enumerate(line.values)
        ]
        flat = [c for point in points for c in point]
        path = draw.Lines(
            *flat,
            close=False,
            fill="none",
            stroke=STYLES[line.style].colour,
            stroke_width=2,
            class_=f"pmkb-stroke-{line.style} pmkb-line",
        )
        canvas.add(path)
        for (x, y), category, value in zip(points, categories, line.values, strict=True):
            dot = canvas._hollow_dot(x, y, line.style)
            dot.append_title(f"{_text(category.name)}: {_text(line.label)} {_count(value)}")
            canvas.add(dot)
    return canvas.svg()


def _count(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _bar(
    canvas: _Canvas,
    series: Series,
    category: Category,
    x: float,
    y: float,
    width: float,
    value: float,
    top: float,
    plot: _Plot,
) -> draw.Rectangle:
    height = value / top * plot.height
    rect = draw.Rectangle(
        _r(x),
        _r(y),
        _r(width),
        _r(height),
        fill=canvas.fill(series.style),
        stroke=BACKGROUND,
        stroke_width=0.75,
        class_=f"{canvas.shape_class(series.style)} pmkb-bar",
    )
    rect.append_title(f"{_text(category.name)}: {_text(series.label)} {_count(value)}")
    return rect


def bar_list(
    chart_id: str,
    title: str,
    desc: str,
    items: Sequence[tuple[str, int]],
    *,
    x_label: str,
    y_label: str,
    empty: str = "No incidents in this period",
) -> str:
    """Horizontal bars, largest first: labels on the left, counts at the bar ends."""
    row = 24
    label_width = 190
    height = 48 + max(len(items), 2) * row + 44
    canvas = _Canvas(chart_id, title, desc, height=height)
    canvas.title(title)
    plot = _Plot(left=label_width + 24, top=40, width=WIDTH - label_width - 24 - 48, height=0)
    plot = _Plot(plot.left, plot.top, plot.width, max(len(items), 2) * row)
    top = _count_axis(canvas, plot, max((n for _, n in items), default=0), across=True)
    canvas.axis_labels(x_label, y_label, plot)
    if not items:
        canvas.no_data(plot, empty)
    bars = draw.Group(class_="pmkb-bars")
    for index, (label, count) in enumerate(items):
        y = plot.top + index * row
        name = _text(label)
        text = draw.Text(
            _short(name, 28),
            FONT,
            plot.left - 8,
            _r(y + row / 2 + 4),
            text_anchor="end",
            class_="pmkb-tick",
        )
        text.append_title(name)
        bars.append(text)
        width = count / top * plot.width
        rect = draw.Rectangle(
            plot.left,
            _r(y + 4),
            _r(width),
            row - 8,
            fill=STYLES["bar"].colour,
            class_="pmkb-fill-bar pmkb-bar",
        )
        rect.append_title(f"{name}: {count}")
        bars.append(rect)
        bars.append(
            draw.Text(
                str(count),
                FONT,
                _r(plot.left + width + 5),
                _r(y + row / 2 + 4),
                class_="pmkb-value",
            )
        )
    canvas.add(bars)
    return canvas.svg()


DURATION_TICKS = (0, 1, 5, 15, 30, 60, 120, 240, 480, 1440, 2880, 10080, 43200)

DOTS_PER_ROW = 150
"""Up to this many incidents a row draws a dot for each. Beyond, it draws a dot per
column of :data:`DOT_COLUMN` pixels, its area in proportion to the incidents in it:
thousands of single dots would be a blur, and a heavy page."""
DOT_COLUMN = 7.0


def format_tick(minutes: float) -> str:
    if minutes < 60:
        return f"{minutes:g} min"
    if minutes < 1440:
        return f"{minutes / 60:g} h"
    if minutes < 10080:
        return f"{minutes / 1440:g} d"
    return f"{minutes / 10080:g} w"


def distribution_chart(
    chart_id: str,
    title: str,
    desc: str,
    rows: Sequence[Row],
    *,
    x_label: str,
    y_label: str,
) -> str:
    """One row per group: a dot per incident on a log scale, median and p90 marked
    (past :data:`DOTS_PER_ROW` incidents in a row, a dot per column of them).

    The scale is log10(1 + minutes), so a two-minute detection and a nine-hour outage
    both stay readable, and zero minutes still has a place.
    """
    row_height = 36
    height = 66 + len(rows) * row_height + 44
    canvas = _Canvas(chart_id, title, desc, height=height)
    canvas.title(title)
    grouped = any(len(row.values) > DOTS_PER_ROW for row in rows)
    canvas.legend(
        [
            ("dot", "bar", "incidents (larger: more)" if grouped else "one incident"),
            ("median", "bar", "median"),
            ("p90", "bar", "90th percentile"),
        ],
        y=46,
    )
    plot = _Plot(left=112, top=62, width=WIDTH - 100 - 170, height=len(rows) * row_height)
    highest = max((v for row in rows for v in row.values), default=0.0)
    domain = math.log10(1 + max(highest * 1.2, 60))

    def x_of(minutes: float) -> float:
        return plot.left + math.log10(1 + max(minutes, 0)) / domain * plot.width

    axis = draw.Group(class_="pmkb-x-axis")
    last = -1e9
    for tick in DURATION_TICKS:
        x = x_of(tick)
        if x > plot.right + 0.5 or x - last < 40:
            continue
        last = x
        axis.append(
            draw.Line(
                _r(x),
                plot.top,
                _r(x),
                plot.bottom,
                stroke=FOREGROUND,
                stroke_opacity=0.5 if tick == 0 else 0.15,
                class_="pmkb-axis" if tick == 0 else "pmkb-grid",
            )
        )
        axis.append(
            draw.Text(
                format_tick(tick),
                FONT,
                _r(x),
                plot.bottom + 16,
                text_anchor="middle",
                class_="pmkb-tick",
            )
        )
    canvas.add(axis)
    canvas.axis_labels(x_label, y_label, plot)
    for index, row in enumerate(rows):
        top = plot.top + index * row_height
        middle = top + row_height / 2
        group = draw.Group(class_="pmkb-row")
        if index:
            group.append(
                draw.Line(
                    plot.left - 86,
                    top,
                    plot.right + 160,
                    top,
                    stroke=FOREGROUND,
                    stroke_opacity=0.1,
                    class_="pmkb-grid",
                )
            )
        group.append(
            draw.Text(_text(row.label), FONT, plot.left - 82, _r(middle - 2), font_weight="bold")
        )
        count = len(row.values)
        group.append(
            draw.Text(
                f"{count} incident{'' if count == 1 else 's'}",
                FONT - 1,
                plot.left - 82,
                _r(middle + 11),
                class_="pmkb-tick",
            )
        )
        if not row.values:
            group.append(
                draw.Text(
                    "no timed incidents",
                    FONT,
                    plot.left + 8,
                    _r(middle + 4),
                    font_style="italic",
                    class_="pmkb-no-data",
                )
            )
        if len(row.values) > DOTS_PER_ROW:
            _grouped_dots(group, row, x_of, middle)
        else:
            _single_dots(group, row, x_of, middle)
        for kind, value in (("median", row.median), ("p90", row.p90)):
            if value is None:
                continue
            marker = canvas._marker(kind, _r(x_of(value)), _r(middle), row.style)
            marker.append_title(f"{_text(row.label)} {kind}: {format_minutes(value)}")
            group.append(marker)
        if row.median is not None:
            group.append(
                draw.Text(
                    f"median {format_minutes(row.median)}",
                    FONT - 1,
                    plot.right + 12,
                    _r(middle - 2),
                    class_="pmkb-value",
                )
            )
            group.append(
                draw.Text(
                    f"p90 {format_minutes(row.p90)}",
                    FONT - 1,
                    plot.right + 12,
                    _r(middle + 12),
                    class_="pmkb-value",
                )
            )
        canvas.add(group)
    return canvas.svg()


def _single_dots(
    group: draw.Group, row: Row, x_of: Callable[[float], float], middle: float
) -> None:
    """A dot per incident, moved up or down a lane where it would hide another."""
    placed: list[tuple[float, float]] = []
    for value in sorted(row.values):
        x = x_of(value)
        # Values come in order, so only dots less than 7 px to the left can collide.
        placed = [(px, py) for px, py in placed if abs(px - x) < 7]
        offsets = (0, -7, 7, -14, 14)
        lane = next(
            (o for o in offsets if all(abs(px - x) >= 7 or py != o for px, py in placed)),
            0,
        )
        placed.append((x, lane))
        dot = _incident_dot(x, middle + lane, row.style)
        dot.append_title(f"{_text(row.label)}: {format_minutes(value)}")
        group.append(dot)


def _grouped_dots(
    group: draw.Group, row: Row, x_of: Callable[[float], float], middle: float
) -> None:
    """A dot per occupied column, its area in proportion to its incidents."""
    columns: dict[int, list[float]] = {}
    for value in sorted(row.values):
        columns.setdefault(int(x_of(value) // DOT_COLUMN), []).append(value)
    largest = max(len(values) for values in columns.values())
    for column, values in sorted(columns.items()):
        radius = 2.5 + 7.5 * math.sqrt(len(values) / largest)
        dot = _incident_dot((column + 0.5) * DOT_COLUMN, middle, row.style, radius)
        span = format_minutes(values[0])
        if values[-1] != values[0]:
            span += f" to {format_minutes(values[-1])}"
        count = f"{len(values)} incident{'' if len(values) == 1 else 's'}"
        dot.append_title(f"{_text(row.label)}: {count}, {span}")
        group.append(dot)


def sparkline(chart_id: str, title: str, desc: str, values: Sequence[float], style: str) -> str:
    """A word-sized column chart; the text beside it carries the numbers."""
    width, height = 150, 30
    canvas = _Canvas(chart_id, title, desc, height=height, width=width, kind="pmkb-sparkline")
    highest = max(values, default=0) or 1
    band = width / max(len(values), 1)
    canvas.add(
        draw.Line(
            0,
            height - 0.5,
            width,
            height - 0.5,
            stroke=FOREGROUND,
            stroke_opacity=0.4,
            class_="pmkb-axis",
        )
    )
    for index, value in enumerate(values):
        if not value:
            continue
        bar_height = max(2.0, value / highest * (height - 3))
        canvas.add(
            draw.Rectangle(
                _r(band * index + 1),
                _r(height - 1 - bar_height),
                _r(max(band - 2, 1)),
                _r(bar_height),
                fill=STYLES[style].colour,
                class_=f"pmkb-fill-{style} pmkb-bar",
            )
        )
    return canvas.svg()
