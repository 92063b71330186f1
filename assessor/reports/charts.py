"""Charts drawn on the server as standalone SVG: the domain radar and the perception heatmap.

Both return :class:`markupsafe.Markup` (a ``str``) holding a complete ``<svg>`` with an
accessible ``<title>`` that names it and gives every figure it draws (the tagged PDF's
alternative text for the figure); every piece of text inside is escaped here, so a
template may insert them as they are.  The web results page reuses both.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

MAX_LEVEL = 4
DEFAULT_ACCENT = "#1f4e79"
TARGET_COLOUR = "#b03a2e"
GRID_COLOUR = "#c8ccd2"
TEXT_COLOUR = "#2b2f36"
#: The report's own font first (DejaVu Sans by another name): a chart in the PDF then
#: embeds no second copy of the same font (two more font programs to subset and write).
FONT = "Report Sans, DejaVu Sans, Noto Sans, Liberation Sans, Arial, sans-serif"


def _num(value: float) -> str:
    """A coordinate with two decimals at most, without a trailing ``.0``."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _wrap(text: str, width: int) -> list[str]:
    """Words of ``text`` in lines of about ``width`` characters (at most three lines)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > 3:
        lines = [*lines[:2], " ".join(lines[2:])[: width - 1] + "…"]
    return lines


def _title(id_: str, heading: str, description: str) -> str:
    """The chart's text alternative: its heading and every figure it draws, in its
    ``<title>`` (the only alternative text WeasyPrint takes from an inline SVG into the
    tagged PDF's /Figure /Alt; a browser reads it as the image's name)."""
    return f'<title id="{id_}">{escape(heading)}: {escape(description)}</title>'


def _level(value: Any) -> float:
    if value is None:
        return 0.0
    return max(0.0, min(float(MAX_LEVEL), float(value)))


#: Line colours and dash patterns of each respondent's own line on the radar (told apart
#: by the dash as well as the colour).
RESPONDENT_LINES = (
    ("#6a3d9a", "1.5 2.5"),
    ("#1b7f5f", "7 3"),
    ("#8a5a00", "2 2 6 2"),
    ("#3b5bdb", "4 4"),
)


#: The radar's size (its height, in SVG units; its width is 1.5 times that).
RADAR_SIZE = 420


def radar_point(
    index: int, count: int, level: float, size: int = RADAR_SIZE
) -> tuple[float, float]:
    """Where domain ``index`` of ``count`` at ``level`` (0-4) sits on the radar."""
    angle = -math.pi / 2 + 2 * math.pi * index / max(count, 1)
    distance = size * 0.34 * level / MAX_LEVEL
    return size * 0.75 + distance * math.cos(angle), size * 0.5 + distance * math.sin(angle)


def radar_svg(
    domains: Sequence[Mapping[str, Any]],
    *,
    accent: str = DEFAULT_ACCENT,
    size: int = RADAR_SIZE,
    respondents: Sequence[tuple[str, Sequence[float | None]]] = (),
    text: bool = True,
) -> Markup:
    """A radar of each domain's maturity (0-4) against its target, as an SVG string.

    ``domains`` are the engine result's domains (``title``, ``maturity``, ``target``);
    ``respondents`` adds each respondent's own maturity line (a label and a level per
    domain, None where they gave none), drawn only with two respondents or more.
    Without ``text`` the words are left out (the report places them over the chart as
    HTML, :mod:`assessor.reports.chart_text`: WeasyPrint lays out SVG text a letter at a
    time); the scale's digits stay.
    """
    own = list(respondents)[: len(RESPONDENT_LINES)] if len(respondents) > 1 else []
    count = len(domains)
    centre_x, centre_y = size * 0.75, size * 0.5
    radius = size * 0.34
    parts: list[str] = []
    description = "; ".join(
        f"{d['title']}: maturity "
        + ("not answered" if d.get("maturity") is None else f"{float(d['maturity']):.1f}")
        + f" of 4, target {d.get('target', 3)}"
        for d in domains
    )
    for label, levels in own:
        description += f". {label}'s own answers: " + "; ".join(
            f"{d['title']} " + ("not answered" if v is None else f"{float(v):.1f}")
            for d, v in zip(domains, levels, strict=False)
        )
    parts.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_num(size * 1.5)} {size}" '
        f'width="{_num(size * 1.5)}" height="{size}" role="img" '
        'aria-labelledby="radar-title" class="chart radar">'
        f"{_title('radar-title', 'Maturity by domain against target', description)}"
    )

    def point(index: int, level: float) -> tuple[float, float]:
        return radar_point(index, count, level, size)

    def polygon(levels: Sequence[float]) -> str:
        return " ".join(
            f"{_num(x)},{_num(y)}" for x, y in (point(i, v) for i, v in enumerate(levels))
        )

    if count >= 3:
        for level in range(1, MAX_LEVEL + 1):
            parts.append(
                f'<polygon points="{polygon([level] * count)}" fill="none" '
                f'stroke="{GRID_COLOUR}" stroke-width="{1.2 if level == MAX_LEVEL else 0.7}"/>'
            )
    else:
        for level in range(1, MAX_LEVEL + 1):
            parts.append(
                f'<circle cx="{_num(centre_x)}" cy="{_num(centre_y)}" '
                f'r="{_num(radius * level / MAX_LEVEL)}" fill="none" stroke="{GRID_COLOUR}" '
                'stroke-width="0.7"/>'
            )
    for index in range(count):
        x, y = point(index, MAX_LEVEL)
        parts.append(
            f'<line x1="{_num(centre_x)}" y1="{_num(centre_y)}" x2="{_num(x)}" y2="{_num(y)}" '
            f'stroke="{GRID_COLOUR}" stroke-width="0.7"/>'
        )
    for level in range(1, MAX_LEVEL + 1):
        x, y = point(0, level)
        parts.append(
            f'<text x="{_num(x + 4)}" y="{_num(y + 3)}" font-size="9" fill="#6b7280" '
            f'font-family="{FONT}">{level}</text>'
        )
    if count:
        targets = [_level(d.get("target", 3)) for d in domains]
        maturity = [_level(d.get("maturity")) for d in domains]
        parts.append(
            f'<polygon points="{polygon(targets)}" fill="none" stroke="{TARGET_COLOUR}" '
            'stroke-width="1.6" stroke-dasharray="5 3"/>'
        )
        parts.append(
            f'<polygon points="{polygon(maturity)}" fill="{escape(accent)}" fill-opacity="0.28" '
            f'stroke="{escape(accent)}" stroke-width="2"/>'
        )
        for index, level_value in enumerate(maturity):
            x, y = point(index, level_value)
            parts.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="3" fill="{escape(accent)}"/>')
        for (_label, levels), (colour, dash) in zip(own, RESPONDENT_LINES, strict=False):
            line = [_level(v) for v in levels]
            parts.append(
                f'<polygon points="{polygon(line)}" fill="none" stroke="{colour}" '
                f'stroke-width="1.5" stroke-dasharray="{dash}"/>'
            )
    for index, domain in enumerate(domains if text else ()):
        x, y = point(index, MAX_LEVEL + 0.45)
        anchor = "middle" if abs(x - centre_x) < 1 else ("start" if x > centre_x else "end")
        lines = _wrap(str(domain["title"]), 22)
        value = domain.get("maturity")
        lines.append(
            "not answered" if value is None else f"{float(value):.1f} / {domain.get('target', 3)}"
        )
        top = (
            y - (len(lines) - 1) * 6
            if abs(y - centre_y) < radius * 0.5
            else (y - (len(lines) - 1) * 12 if y < centre_y else y)
        )
        spans = "".join(
            f'<tspan x="{_num(x)}" y="{_num(top + i * 12)}"'
            + (' font-weight="bold"' if i == len(lines) - 1 else "")
            + f">{escape(line)}</tspan>"
            for i, line in enumerate(lines)
        )
        parts.append(
            f'<text text-anchor="{anchor}" font-size="10" fill="{TEXT_COLOUR}" '
            f'font-family="{FONT}">{spans}</text>'
        )
    spacing = 16 if text else 18  # HTML words are larger than the SVG's
    legend_y = size - 14
    rows = [legend_y - spacing * (len(own) - n) for n in range(len(own))]
    target_x = 130 if text else 150
    parts.append(
        f'<rect x="8" y="{legend_y - 9}" width="14" height="10" fill="{escape(accent)}" '
        f'fill-opacity="0.28" stroke="{escape(accent)}"/>'
        f'<line x1="{target_x}" y1="{legend_y - 4}" x2="{target_x + 20}" y2="{legend_y - 4}" '
        f'stroke="{TARGET_COLOUR}" stroke-width="1.6" stroke-dasharray="5 3"/>'
    )
    if text:
        parts.append(
            f'<text x="28" y="{legend_y}" font-size="10" fill="{TEXT_COLOUR}" '
            f'font-family="{FONT}">Maturity (0-4)</text>'
            f'<text x="156" y="{legend_y}" font-size="10" fill="{TEXT_COLOUR}" '
            f'font-family="{FONT}">Target</text>'
        )
    for (label, _levels), (colour, dash), y in zip(own, RESPONDENT_LINES, rows, strict=False):
        parts.append(
            f'<line x1="8" y1="{y - 4}" x2="22" y2="{y - 4}" stroke="{colour}" '
            f'stroke-width="1.5" stroke-dasharray="{dash}"/>'
        )
        if text:
            parts.append(
                f'<text x="28" y="{y}" font-size="10" fill="{TEXT_COLOUR}" '
                f'font-family="{FONT}">{escape(label[:40])}: own answers</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every text above is escaped)


#: A count of 0 .. 4 or more findings in a cell, light to dark, per severity.
SEVERITY_SHADES = {
    "critical": ("#f6dede", "#8e1b1b"),
    "high": ("#f9e3dc", "#b03a2e"),
    "medium": ("#fbeedb", "#a85d12"),
    "low": ("#eef1f4", "#4f5d6b"),
}


def _shade(severity: str, count: int) -> str:
    if not count:
        return "#ffffff"
    light, dark = SEVERITY_SHADES[severity]
    share = min(count, 4) / 4
    mix = [
        round(
            int(light[i : i + 2], 16)
            + (int(dark[i : i + 2], 16) - int(light[i : i + 2], 16)) * share
        )
        for i in (1, 3, 5)
    ]
    return "#{:02x}{:02x}{:02x}".format(*mix)


#: The width of a character of the charts' 10-unit sans text, generous (DejaVu Sans, the
#: widest of :data:`FONT`, averages about 0.56 em): what a label may take.
CHAR_WIDTH = 6.2


def text_width(text: str, size: float = 10) -> float:
    """An upper estimate of ``text``'s width at ``size`` in the charts' font."""
    return len(text) * CHAR_WIDTH * size / 10


def fit_lines(text: str, width: float, lines: int = 2, size: float = 10) -> list[str]:
    """``text`` in at most ``lines`` lines, each within ``width`` (words kept whole; a word
    too long for the last line is cut with an ellipsis)."""
    chars = max(4, int(width * 10 / (CHAR_WIDTH * size)))
    wrapped: list[str] = []
    for word in text.split():
        if wrapped and len(wrapped[-1]) + 1 + len(word) <= chars:
            wrapped[-1] += " " + word
        else:
            wrapped.append(word)
    if len(wrapped) > lines:
        wrapped = [*wrapped[: lines - 1], " ".join(wrapped[lines - 1 :])]
    return [line if len(line) <= chars else line[: chars - 1] + "…" for line in wrapped]


def _end_label(lines: Sequence[str], right: float, middle: float) -> str:
    """A right-aligned label of one or two lines, centred on ``middle``."""
    first = middle - (len(lines) - 1) * 5.5
    spans = "".join(
        f'<tspan x="{_num(right)}" y="{_num(first + i * 11)}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return (
        f'<text text-anchor="end" font-size="10" fill="{TEXT_COLOUR}" '
        f'font-family="{FONT}">{spans}</text>'
    )


SEVERITY_COLUMNS = ("critical", "high", "medium", "low")


def severity_geometry(text: bool = True) -> tuple[int, int, int, int]:
    """The severity grid's width, row height, label column width and header height (SVG
    units): a row holds a label of two lines, in the SVG's words or in HTML (``text``
    False)."""
    return (330, 26, 150, 22) if text else (330, 26, 160, 22)


def severity_heatmap_svg(
    rows: Sequence[tuple[str, Mapping[str, int]]], *, width: int = 330, text: bool = True
) -> Markup:
    """A grid of how many findings of each severity (columns) each domain (rows) holds:
    the count in each cell, its shade darker with more.  ``rows`` are (domain title,
    {severity: count}).  Without ``text`` the domains and severities are left out (the
    report places them over the grid as HTML); the counts stay."""
    severities = SEVERITY_COLUMNS
    width, row, label_width, top = severity_geometry(text)
    cell = (width - label_width - 4) / len(severities)
    height = top + row * len(rows) + 6
    description = "; ".join(
        f"{title}: "
        + (
            ", ".join(f"{counts.get(s, 0)} {s}" for s in severities if counts.get(s, 0))
            or "no findings"
        )
        for title, counts in rows
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        'aria-labelledby="severity-title" class="chart severity-heatmap">'
        f"{_title('severity-title', 'Findings by severity and domain', description)}"
    ]
    for index, severity in enumerate(severities if text else ()):
        x = label_width + index * cell + cell / 2
        parts.append(
            f'<text x="{_num(x)}" y="14" text-anchor="middle" font-size="10" font-weight="bold" '
            f'fill="{TEXT_COLOUR}" font-family="{FONT}">{severity.capitalize()}</text>'
        )
    for number, (title, counts) in enumerate(rows):
        y = top + number * row
        if text:
            lines = fit_lines(title, label_width - 10)
            parts.append(_end_label(lines, label_width - 8, y + row / 2 + 3.5))
        for index, severity in enumerate(severities):
            count = int(counts.get(severity, 0))
            x = label_width + index * cell
            colour = "#ffffff" if count >= 3 else TEXT_COLOUR
            parts.append(
                f'<rect x="{_num(x + 1)}" y="{y + 1}" width="{_num(cell - 2)}" height="{row - 2}" '
                f'fill="{_shade(severity, count)}" stroke="#d5d9de" stroke-width="0.6"/>'
            )
            if count:
                parts.append(
                    f'<text x="{_num(x + cell / 2)}" y="{_num(y + row / 2 + 4)}" text-anchor="middle" '
                    f'font-size="10" font-weight="bold" fill="{colour}" '
                    f'font-family="{FONT}">{count}</text>'
                )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every text above is escaped)


def heat_colour(value: float | None) -> str:
    """White-to-red for a disagreement of 0 to 1; grey when unknown."""
    if value is None:
        return "#e5e7eb"
    value = max(0.0, min(1.0, float(value)))
    low, high = (236, 248, 241), (192, 57, 43)
    if value < 0.5:
        mid = (246, 214, 112)
        share = value / 0.5
        rgb = [round(lo + (mi - lo) * share) for lo, mi in zip(low, mid, strict=True)]
    else:
        mid = (246, 214, 112)
        share = (value - 0.5) / 0.5
        rgb = [round(mi + (hi - mi) * share) for mi, hi in zip(mid, high, strict=True)]
    return "#{:02x}{:02x}{:02x}".format(*rgb)


#: The disagreement heatmap's row height, label column width and top margin (SVG units).
HEATMAP_ROW, HEATMAP_LABELS, HEATMAP_TOP = 26, 230, 8


def heatmap_svg(
    perception_domains: Sequence[Mapping[str, Any]], *, width: int = 480, text: bool = True
) -> Markup:
    """A heatmap of how much respondents disagree in each domain (0 agree .. 1 opposite).

    ``perception_domains`` are the result's ``perception.domains`` (``title``, ``disagreement``).
    Without ``text`` the words and figures are left out (the report places them over the
    chart as HTML).
    """
    row, label_width, top = HEATMAP_ROW, HEATMAP_LABELS, HEATMAP_TOP
    cell_width = width - label_width - 60
    height = top + row * len(perception_domains) + 44
    description = "; ".join(
        f"{d['title']}: "
        + (
            "no shared answers"
            if d.get("disagreement") is None
            else f"{round(float(d['disagreement']) * 100)}%"
        )
        for d in perception_domains
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        'aria-labelledby="heatmap-title" class="chart heatmap">'
        f"{_title('heatmap-title', 'Disagreement between respondents by domain', description)}"
    ]
    for index, domain in enumerate(perception_domains):
        y = top + index * row
        value = domain.get("disagreement")
        label = "n/a" if value is None else f"{round(float(value) * 100)}%"
        if text:
            lines = fit_lines(str(domain["title"]), label_width - 10)
            parts.append(_end_label(lines, label_width - 8, y + row / 2 + 3))
        parts.append(
            f'<rect x="{label_width}" y="{y + 2}" width="{cell_width}" height="{row - 4}" '
            f'fill="{heat_colour(value)}" stroke="#ffffff"/>'
        )
        if value is not None:
            bar = cell_width * max(0.0, min(1.0, float(value)))
            parts.append(
                f'<rect x="{label_width}" y="{y + row - 6}" width="{_num(bar)}" height="3" '
                f'fill="{TEXT_COLOUR}" fill-opacity="0.55"/>'
            )
        if text:
            parts.append(
                f'<text x="{label_width + cell_width + 8}" y="{y + 16}" font-size="10" '
                f'font-weight="bold" fill="{TEXT_COLOUR}" font-family="{FONT}">{label}</text>'
            )
    legend_y = top + row * len(perception_domains) + 12
    steps = 10
    for step in range(steps):
        parts.append(
            f'<rect x="{_num(label_width + step * cell_width / steps)}" y="{legend_y}" '
            f'width="{_num(cell_width / steps + 0.5)}" height="8" '
            f'fill="{heat_colour((step + 0.5) / steps)}"/>'
        )
    if text:
        parts.append(
            f'<text x="{label_width}" y="{legend_y + 22}" font-size="9" fill="#6b7280" '
            f'font-family="{FONT}">agree</text>'
            f'<text x="{label_width + cell_width}" y="{legend_y + 22}" text-anchor="end" '
            f'font-size="9" fill="#6b7280" font-family="{FONT}">disagree</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every text above is escaped)
