"""The words of the report's charts, as HTML paragraphs placed over each chart's SVG.

WeasyPrint lays out an SVG ``<text>`` one letter at a time (a text layout per glyph), so
the chart labels were a fifth of the scores chapter's cost; as paragraphs they are laid
out like any other line, in the report's font and at a size a reader can read.  The SVG
keeps its shapes, the radar's scale and the counts, and its ``<title>`` (the tagged PDF's
alternative text).

Each label is a dict: ``text`` (all bold with ``bold``), an optional bold ``value`` on a
line of its own, ``align``
(``start``, ``middle`` or ``end``: the CSS class ``at-…``) and ``style``, the box's
position in % of the chart (numbers only, built here).  The chart's box is as large as
its SVG (``position: relative``), so a % of it is a % of the SVG's viewBox.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from assessor.reports.charts import (
    HEATMAP_LABELS,
    HEATMAP_ROW,
    HEATMAP_TOP,
    MAX_LEVEL,
    RADAR_SIZE,
    SEVERITY_COLUMNS,
    radar_point,
    severity_geometry,
)

#: A label line's height in SVG units of each chart (the CSS sizes its words so:
#: report.css, .chart-label); and about how many characters fit in one SVG unit.
RADAR_LINE, RADAR_CHARS = 17.0, 0.125
SEVERITY_LINE, SEVERITY_CHARS = 11.8, 0.18
HEATMAP_LINE, HEATMAP_CHARS = 12.6, 0.16


def _pct(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") + "%"


def _lines(text: str, width_units: float, chars_per_unit: float) -> int:
    """About how many lines ``text`` takes in a box ``width_units`` wide."""
    per_line = max(1, int(width_units * chars_per_unit))
    lines, used = 1, 0
    for word in text.split():
        if used and used + 1 + len(word) > per_line:
            lines, used = lines + 1, len(word)
        else:
            used += (1 if used else 0) + len(word)
    return lines


def _label(
    text: str, align: str, style: str, value: str | None = None, bold: bool = False
) -> dict[str, Any]:
    return {"text": text, "value": value, "align": align, "style": style, "bold": bold}


def radar_labels(
    domains: Sequence[Mapping[str, Any]], respondents: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """The radar's words: each domain with its maturity against target beside its axis,
    and the legend's (``respondents``: the labels of each respondent's own line, as
    :func:`assessor.reports.charts.radar_svg` draws them)."""
    width, height = RADAR_SIZE * 1.5, float(RADAR_SIZE)
    centre_x, centre_y = width / 2, height / 2
    count = len(domains)
    labels = []
    for index, domain in enumerate(domains):
        x, y = radar_point(index, count, MAX_LEVEL + 0.45)
        value = domain.get("maturity")
        figure = (
            "not answered" if value is None else f"{float(value):.1f} / {domain.get('target', 3)}"
        )
        if abs(x - centre_x) < 1:
            align, box = "middle", 260.0
            horizontal = (
                f"left: {_pct((x - box / 2) / width * 100)}; width: {_pct(box / width * 100)}"
            )
        elif x > centre_x:
            align, box = "start", width - x - 4
            horizontal = f"left: {_pct(x / width * 100)}; width: {_pct(box / width * 100)}"
        else:
            align, box = "end", x - 4
            horizontal = (
                f"right: {_pct((width - x) / width * 100)}; width: {_pct(box / width * 100)}"
            )
        lines = _lines(str(domain["title"]), box, RADAR_CHARS) + 1
        if abs(y - centre_y) < RADAR_SIZE * 0.34 * 0.5:  # beside the chart: centred on the axis
            vertical = f"top: {_pct((y - lines * RADAR_LINE / 2) / height * 100)}"
        elif y < centre_y:  # above: grows upwards
            vertical = f"bottom: {_pct((height - y) / height * 100)}"
        else:
            vertical = f"top: {_pct((y - 4) / height * 100)}"
        labels.append(_label(str(domain["title"]), align, f"{horizontal}; {vertical}", figure))
    own = list(respondents) if len(respondents) > 1 else []
    legend_y = height - 14
    rows = [legend_y - 18 * (len(own) - n) for n in range(len(own))]
    for label, y in zip(own, rows, strict=False):
        labels.append(_legend(f"{label[:40]}: own answers", 28, y, width, height))
    labels.append(_legend("Maturity (0-4)", 28, legend_y, width, height))
    labels.append(_legend("Target", 176, legend_y, width, height))
    return labels


def _legend(text: str, x: float, baseline: float, width: float, height: float) -> dict[str, Any]:
    top = (baseline - RADAR_LINE * 0.75) / height * 100
    return _label(text, "start", f"left: {_pct(x / width * 100)}; top: {_pct(top)}")


def severity_labels(rows: Sequence[tuple[str, Mapping[str, int]]]) -> list[dict[str, Any]]:
    """The severity grid's words: each severity over its column, each domain before its
    row (two lines at most, centred on it)."""
    width, row, label_width, top = severity_geometry(text=False)
    height = float(top + row * len(rows) + 6)
    cell = (width - label_width - 4) / len(SEVERITY_COLUMNS)
    labels = [
        _label(
            severity.capitalize(),
            "middle",
            f"left: {_pct((label_width + index * cell) / width * 100)}; "
            f"width: {_pct(cell / width * 100)}; top: {_pct(5 / height * 100)}",
        )
        for index, severity in enumerate(SEVERITY_COLUMNS)
    ]
    box = label_width - 8
    for number, (title, _counts) in enumerate(rows):
        text = title if len(title) <= 52 else title[:51] + "…"
        lines = min(2, _lines(text, box, SEVERITY_CHARS))
        middle = top + number * row + row / 2
        labels.append(
            _label(
                text,
                "end",
                f"left: 0; width: {_pct(box / width * 100)}; "
                f"top: {_pct((middle - lines * SEVERITY_LINE / 2) / height * 100)}",
            )
        )
    return labels


def heatmap_labels(perception_domains: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The disagreement heatmap's words: each domain before its bar, its share after it,
    and the scale's two ends."""
    width = 480.0
    cell_width = width - HEATMAP_LABELS - 60
    height = HEATMAP_TOP + HEATMAP_ROW * len(perception_domains) + 44
    box = HEATMAP_LABELS - 8
    labels = []
    for index, domain in enumerate(perception_domains):
        value = domain.get("disagreement")
        share = "n/a" if value is None else f"{round(float(value) * 100)}%"
        title = str(domain["title"])
        title = title if len(title) <= 70 else title[:69] + "…"
        middle = HEATMAP_TOP + index * HEATMAP_ROW + HEATMAP_ROW / 2
        lines = min(2, _lines(title, box, HEATMAP_CHARS))
        labels.append(
            _label(
                title,
                "end",
                f"left: 0; width: {_pct(box / width * 100)}; "
                f"top: {_pct((middle - lines * HEATMAP_LINE / 2) / height * 100)}",
            )
        )
        labels.append(
            _label(
                share,
                "start",
                f"left: {_pct((HEATMAP_LABELS + cell_width + 8) / width * 100)}; "
                f"top: {_pct((middle - HEATMAP_LINE / 2) / height * 100)}",
                bold=True,
            )
        )
    legend = HEATMAP_TOP + HEATMAP_ROW * len(perception_domains) + 22
    labels.append(
        _label(
            "agree",
            "start",
            f"left: {_pct(HEATMAP_LABELS / width * 100)}; top: {_pct(legend / height * 100)}",
        )
    )
    labels.append(
        _label(
            "disagree",
            "end",
            f"right: {_pct((width - HEATMAP_LABELS - cell_width) / width * 100)}; "
            f"top: {_pct(legend / height * 100)}",
        )
    )
    return labels
