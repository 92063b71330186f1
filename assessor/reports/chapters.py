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
                "lines": _cell_lines(cells, len(columns)),
            }
        )
    return {
        "columns": [{"code": c, "label": _column_label(c)} for c in columns],
        "layout": grid_layout(len(columns)),
        "groups": groups,
        "respondents": [
            {"short": short.get(r["name"], r["role"]), "name": r["name"], "role": r["role"]}
            for r in respondents
        ],
    }


#: The grid's widths in % of the line (the report draws it as rows of paragraphs, each
#: cell placed at its column: a table of this size was the report's costliest chapter):
#: the responsibility, then the role columns sharing GRID_ROLES, then the fit.
GRID_TITLE, GRID_ROLES, GRID_FIT = 43.0, 45.0, 12.0
#: About how many characters of a cell's 7pt bold text fit on one line of 1% of width.
GRID_CHARS_PER_PERCENT = 1.15


def grid_layout(count: int) -> dict[str, Any]:
    """Where each of ``count`` role columns and the fit column sit, in % of the line."""
    width = GRID_ROLES / max(count, 1)
    return {
        "title": GRID_TITLE,
        "width": round(width, 2),
        "lefts": [round(GRID_TITLE + index * width, 2) for index in range(count)],
        "fit_left": GRID_TITLE + GRID_ROLES,
        "fit_width": GRID_FIT,
    }


def _cell_lines(cells: Sequence[Mapping[str, Any]], count: int) -> int:
    """The lines the fullest cell of a row needs (a row is at least that tall: its
    cells are placed over it and would otherwise run into the next row)."""
    per_line = max(1, int(GRID_ROLES / max(count, 1) * GRID_CHARS_PER_PERCENT))
    lines = 1
    for cell in cells:
        words = [w for w in [cell["model"], *cell["named"]] if w]
        used, need = 0, 1
        for word in words:
            if used and used + 1 + len(word) > per_line:
                need, used = need + 1, len(word)
            else:
                used += (1 if used else 0) + len(word)
        lines = max(lines, need)
    return lines


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
