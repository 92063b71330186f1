"""The parts of report v2 built from the result beyond the scores: the five most
important risks with their actions, each respondent's own maturity, the severity by
domain counts, the responsibility grid and the roadmap's initiatives.

Everything here reads the result dict (``Result.to_dict()``) and returns plain values,
as :mod:`assessor.reports.context` does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from assessor.questionnaire.schema import Questionnaire
from assessor.reports.labels import OWNER_SHORT, SEVERITY_LABELS, owner_short
from assessor.reports.summary import top_gaps
from assessor.reports.text_width import text_width

SEVERITIES = ("critical", "high", "medium", "low")
#: Where nobody is named: the grid's last column.
NOBODY = "NONE"
#: The RACI fit in plain words (the grid's last column).
FIT_WORDS = {
    "aligned": "As expected",
    "misplaced": "Other owner",
    "orphaned": "Nobody owns it",
    "ambiguous": "Owners disagree",
    "unanswered": "Not answered",
}
HORIZON_NOTES = {
    "30 days": "Decisions and urgent fixes: start now, done within a month.",
    "90 days": "High-severity work to close this quarter.",
    "12 months": "Lower-priority and structural work to plan for the year.",
}


def risks(findings: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The five most important risks (three at least where there are), each with the
    action that reads on its own: what to do, who, the effort, the finding's number."""
    return [
        {
            "ref": f["ref"],
            "number": f["number"],
            "title": f["title"],
            "severity": f["severity"],
            "severity_label": f["severity_label"],
            "domain": f["domain_title"],
            "recommendation": f["recommendation"],
            "act": f["act_label"],
            "effort": f["effort"],
        }
        for f in top_gaps(findings)
    ]


def respondent_maturity(
    result: Mapping[str, Any], questionnaire: Questionnaire
) -> list[tuple[str, list[float | None]]]:
    """Each respondent's own maturity per domain (the weighted mean of the maturity
    levels they gave, as the engine takes the combined one), in the result's domain order."""
    weights: dict[str, tuple[str, float]] = {}
    for section in questionnaire.sections:
        for question in section.questions:
            if question.kind == "maturity" and not question.context:
                weights[question.id] = (section.id, question.weight)
    order = [d["id"] for d in result["domains"]]
    lines = []
    for respondent in result["respondents"]:
        sums: dict[str, list[float]] = {}
        for answer in respondent["answers"]:
            found = weights.get(answer["question"])
            value = answer["value"]
            if found is None or isinstance(value, bool) or not isinstance(value, int | float):
                continue
            if not answer.get("shown", True):
                continue
            domain, weight = found
            total = sums.setdefault(domain, [0.0, 0.0])
            total[0] += weight * value
            total[1] += weight
        levels: list[float | None] = [
            round(sums[d][0] / sums[d][1], 1) if d in sums and sums[d][1] else None for d in order
        ]
        lines.append((f"{respondent['name']} ({respondent['role']})", levels))
    return lines


def severity_by_domain(
    result: Mapping[str, Any], domain_titles: Mapping[str, str]
) -> list[tuple[str, dict[str, int]]]:
    """How many findings of each severity each domain holds (domains in the result's
    order; findings without a domain under "Across domains")."""
    rows: dict[str, dict[str, int]] = {
        d["id"]: dict.fromkeys(SEVERITIES, 0) for d in result["domains"]
    }
    other = dict.fromkeys(SEVERITIES, 0)
    for finding in result["findings"]:
        counts = rows.get(finding.get("domain") or "", other)
        if finding["severity"] in counts:
            counts[finding["severity"]] += 1
    table = [(domain_titles.get(d, d), counts) for d, counts in rows.items()]
    if any(other.values()):
        table.append(("Across domains", other))
    return table


def raci_grid(result: Mapping[str, Any], domain_titles: Mapping[str, str]) -> dict[str, Any]:
    """The responsibility matrix as a grid: a row per responsibility (grouped by domain),
    a column per role the model or a respondent names; in each cell the model's mark (A
    accountable, C consulted) and the respondents who named that role as the owner.  A
    named owner that is not the model's is a mismatch (highlighted)."""
    used: list[str] = []
    for row in result["raci"]:
        for code in (row["accountable"], *row["consulted"], *(n["owner"] for n in row["named"])):
            if code not in used:
                used.append(code)
    preferred = ["EXEC", "CIO", "CISO", "SHARED"]
    columns = [c for c in preferred if c in used]
    columns += sorted(c for c in used if c not in preferred and c != NOBODY)
    if NOBODY in used:
        columns.append(NOBODY)
    respondents = result["respondents"]
    short = _short_names(respondents)
    groups: list[dict[str, Any]] = []
    for row in result["raci"]:
        domain = row.get("domain")
        if not groups or groups[-1]["domain"] != domain:
            groups.append(
                {"domain": domain, "title": domain_titles.get(domain or "", "Other"), "rows": []}
            )
        cells: list[dict[str, Any]] = []
        for code in columns:
            model = "A" if code == row["accountable"] else "C" if code in row["consulted"] else ""
            named = [
                short.get(n["respondent"], n["role"]) for n in row["named"] if n["owner"] == code
            ]
            cells.append(
                {
                    "model": model,
                    "named": named,
                    "mismatch": bool(named) and code != row["accountable"],
                    "match": bool(named) and code == row["accountable"],
                }
            )
        groups[-1]["rows"].append(
            {
                "id": row["responsibility"],
                "title": row["title"],
                "cells": cells,
                "status": row["status"],
                "fit": FIT_WORDS.get(row["status"], row["status"]),
                "mismatch": row["status"] != "aligned",
            }
        )
    labels = [_column_label(c) for c in columns]
    rows = [row for group in groups for row in group["rows"]]
    layout = grid_layout(labels, rows)
    for row in rows:
        row["lines"] = _row_lines(row["cells"], layout["widths"])
    return {
        "columns": [{"code": c, "label": label} for c, label in zip(columns, labels, strict=True)],
        "layout": layout,
        "groups": groups,
        "respondents": [
            {"short": short.get(r["name"], r["role"]), "name": r["name"], "role": r["role"]}
            for r in respondents
        ],
    }


#: The grid is drawn as rows of paragraphs, each cell placed at its column (a table of
#: this size was the report's costliest chapter), so the columns' widths are set here, in
#: % of the line, from what they hold, measured in the report's font: GRID_POINT is 1% of
#: the narrower paper's line (A4: 178 mm), GRID_PAD a cell's room either side.
GRID_SIZE, GRID_POINT, GRID_PAD = 7.0, 5.05, 0.6
GRID_MIN_TITLE = 34.0


def _cell_text(cell: Mapping[str, Any]) -> list[str]:
    return [word for word in [cell["model"], *cell["named"]] if word]


def _percent(text: str, bold: bool = True) -> float:
    """How much of the line ``text`` takes in the grid's type, in %."""
    return text_width(text, GRID_SIZE, bold) / GRID_POINT


def _lines(words: Sequence[str], width: float, bold: bool = True) -> int:
    """About how many lines ``words`` take in a column ``width`` % wide."""
    lines, line = 1, ""
    for word in words:
        attempt = f"{line} {word}" if line else word
        if line and _percent(attempt, bold) > width - GRID_PAD:
            lines, line = lines + 1, word
        else:
            line = attempt
    return lines


def _two_lines(words: Sequence[str]) -> float:
    """The narrowest width (in %) that holds ``words`` on two lines at most."""
    if len(words) < 2:
        return _percent(" ".join(words))
    return min(
        max(_percent(" ".join(words[:cut])), _percent(" ".join(words[cut:])))
        for cut in range(1, len(words))
    )


def grid_layout(columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Where each role column (``columns``: their labels) and the fit column sit, in % of
    the line: each as wide as its longest cell on one line (or its label's longest word),
    the responsibility's text taking the rest; and how many lines the header needs."""
    widths = []
    for index, label in enumerate(columns):
        need = _two_lines(label.split())
        for row in rows:
            need = max(need, _percent(" ".join(_cell_text(row["cells"][index]))))
        widths.append(min(14.0, max(4.5, need + GRID_PAD)))
    fit = max([_percent(row["fit"], bold=False) for row in rows] + [_percent("Fit")]) + 1.2
    spare = 100 - fit - sum(widths) - GRID_MIN_TITLE
    if spare < 0:  # many roles: every role column gives up its share
        widths = [w + spare * w / sum(widths) for w in widths]
    title = 100 - fit - sum(widths)
    lefts = [title + sum(widths[:index]) for index in range(len(widths))]
    head = max([_lines(label.split(), w) for label, w in zip(columns, widths, strict=True)] + [1])
    return {
        "title": round(title, 2),
        "widths": [round(w, 2) for w in widths],
        "lefts": [round(left, 2) for left in lefts],
        "fit_left": round(100 - fit, 2),
        "fit_width": round(fit, 2),
        "head_lines": head,
    }


def _row_lines(cells: Sequence[Mapping[str, Any]], widths: Sequence[float]) -> int:
    """The lines the fullest cell of a row needs (a row is at least that tall: its cells
    are placed over it and would otherwise run into the next row)."""
    return max(
        [_lines(_cell_text(cell), width) for cell, width in zip(cells, widths, strict=True)] + [1]
    )


def _column_label(code: str) -> str:
    return {"EXEC": "CEO / board", "SHARED": "CIO + CISO jointly", "NONE": "Nobody"}.get(
        code, owner_short(code)
    )


def _short_names(respondents: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """A short mark per respondent for the grid's cells: the role, numbered when two
    respondents share it (CIO, CISO; OTHER 1, OTHER 2)."""
    roles = [r["role"] for r in respondents]
    marks: dict[str, str] = {}
    for index, respondent in enumerate(respondents):
        role = respondent["role"]
        if roles.count(role) > 1:
            marks[respondent["name"]] = f"{role} {roles[: index + 1].count(role)}"
        else:
            marks[respondent["name"]] = role
    return marks


def roadmap(
    result: Mapping[str, Any], findings: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The roadmap's initiatives in the plan's order, grouped by horizon; each with its
    owner, the findings it closes (by number) and the initiatives it depends on.  A
    result stored before the roadmap had initiatives has none: []."""
    initiatives = result.get("initiatives")
    if not initiatives:
        return []
    by_id = {f["id"]: f for f in findings}
    titles = {i["id"]: i["title"] for i in initiatives}
    numbers = {i["id"]: n for n, i in enumerate(initiatives, start=1)}
    groups: list[dict[str, Any]] = []
    for number, initiative in enumerate(initiatives, start=1):
        if not groups or groups[-1]["horizon"] != initiative["horizon"]:
            groups.append(
                {
                    "horizon": initiative["horizon"],
                    "note": HORIZON_NOTES.get(initiative["horizon"], ""),
                    "items": [],
                }
            )
        closes = [by_id[fid] for fid in initiative["findings"] if fid in by_id]
        worst = min((SEVERITIES.index(f["severity"]) for f in closes), default=3)
        groups[-1]["items"].append(
            {
                "number": number,
                "ref": f"R{number}",
                "title": initiative["title"],
                "outcome": initiative["outcome"],
                "owner": OWNER_SHORT.get(initiative["owner"], initiative["owner"]),
                "findings": [f["ref"] for f in closes],
                "worst": SEVERITY_LABELS[SEVERITIES[worst]],
                "depends_on": [
                    f"R{numbers[dep]} {titles[dep]}" for dep in initiative["depends_on"]
                ],
            }
        )
    return groups
