"""The parts of report v2 built from the result beyond the scores: the five most
important risks with their actions, each respondent's own maturity, the severity by
domain counts, the responsibility grid and the roadmap's initiatives.

Everything here reads the result dict (``Result.to_dict()``) and returns plain values,
as :mod:`assessor.reports.context` does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from assessor.engine.organisation_fit import OwnerFit, owner_fit, structure_holding
from assessor.engine.questionnaire_index import index_for
from assessor.questionnaire.schema import Questionnaire
from assessor.questionnaire.schema_base import ROLES_HELD
from assessor.reports.labels import SEVERITY_LABELS, owner_short, role_label
from assessor.reports.summary import top_gaps
from assessor.reports.text_width import text_width

SEVERITIES = ("critical", "high", "medium", "low")
#: Where nobody is named: the grid's last column.
NOBODY = "NONE"
#: The RACI fit in plain words (the grid's last column).
FIT_WORDS = {
    "expected": "As expected",
    "acceptable": "Acceptable",
    "awaiting_lead": "Assign in writing",
    "misplaced": "Misplaced",
    "shared_without_lead": "Shared, no lead",
    "orphaned": "Nobody owns it",
    "disputed": "Owners disagree",
    "unanswered": "Not answered",
    "not_applicable": "Not applicable",
}
#: The grid's Fit column is narrow: its words break after these (a line each).
FIT_BREAKS = frozenset({"Shared,", "Nobody", "Owners", "Not", "Assign"})
#: Why a row is not applicable, after its title.
MOOT_NOTES = {
    True: "not applicable: one person in both roles",
    False: "not applicable: not asked of this organisation",
}
#: What each horizon asks: when the work starts (a project started within 30 days takes
#: the months its effort says), whatever the severities the initiatives hold.
HORIZON_NOTES = {
    "30 days": "Start within the month: the decisions and the most urgent work. A project "
    "started here runs for the months its effort says.",
    "90 days": "Start this quarter.",
    "12 months": "Plan for the year.",
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


def raci_grid(
    result: Mapping[str, Any],
    domain_titles: Mapping[str, str],
    questionnaire: Questionnaire | None = None,
) -> dict[str, Any]:
    """The responsibility matrix as a grid: a row per responsibility (grouped by domain),
    a column per role the model or a respondent names; in each cell the model's mark (A
    accountable, C consulted) and the respondents who named that role as the owner.

    Each row carries the organisation-fit verdict that ownership clarity counts (the
    engine's ``fit``): ✓ for one accountable owner who fits (the model's, or an acceptable
    alternative, with its note), ✗ for one who does not (misplaced, shared with no lead,
    nobody, owners disputed), – where no owner is known; so the ✓ rows over the marked
    ones are the clarity the scores show.  A named owner that does not fit is highlighted
    (``mismatch``).  ``questionnaire`` tells a row the organisation's structure makes moot
    (its owner question hidden from everyone) from one left unanswered."""
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
    judge = _OwnerJudge(result, questionnaire)
    groups: list[dict[str, Any]] = []
    for row in result["raci"]:
        domain = row.get("domain")
        if not groups or groups[-1]["domain"] != domain:
            groups.append(
                {
                    "domain": domain,
                    "title": domain_titles.get(domain or "", "Other"),
                    "rows": [],
                    "clear": 0,
                    "known": 0,
                }
            )
        fit = row.get("fit") or FIT_FROM_STATUS.get(row["status"], "unanswered")
        moot = fit == "unanswered" and judge.moot(row["responsibility"])
        cells: list[dict[str, Any]] = []
        for code in columns:
            model = "A" if code == row["accountable"] else "C" if code in row["consulted"] else ""
            named = [
                short.get(n["respondent"], role_label(n["role"]))
                for n in row["named"]
                if n["owner"] == code
            ]
            fits = bool(named) and judge.fits(row, fit, code)
            cells.append(
                {
                    "model": model,
                    "named": named,
                    "mismatch": bool(named) and not fits,
                    "match": fits,
                }
            )
        verdict = "not_applicable" if moot else fit
        group = groups[-1]
        if fit != "unanswered":
            group["known"] += 1
            group["clear"] += fit in CLEAR_FITS
        group["rows"].append(
            {
                "id": row["responsibility"],
                "title": row["title"],
                "cells": cells,
                "status": row["status"],
                "fit_code": verdict,
                "fit": FIT_WORDS.get(verdict, verdict.replace("_", " ").capitalize()),
                "fit_lines": _fit_lines(
                    FIT_WORDS.get(verdict, verdict.replace("_", " ").capitalize())
                ),
                "fit_class": FIT_CLASSES.get(verdict, "unanswered"),
                "note": (
                    MOOT_NOTES[judge.same_person]
                    if moot
                    else judge.note(row)
                    if fit == "acceptable"
                    else ""
                ),
                "mark": "✓" if fit in CLEAR_FITS else "–" if fit == "unanswered" else "✗",
                "mismatch": fit not in CLEAR_FITS and fit != "unanswered",
            }
        )
    clear = sum(g["clear"] for g in groups)
    known = sum(g["known"] for g in groups)
    for group in groups:
        group["tally"] = _tally(group["clear"], group["known"])
    labels = [_column_label(c) for c in columns]
    rows = [row for group in groups for row in group["rows"]]
    layout = grid_layout(labels, rows)
    for row in rows:
        row["lines"] = max(_row_lines(row["cells"], layout["widths"]), len(row["fit_lines"]))
    return {
        "columns": [{"code": c, "label": label} for c, label in zip(columns, labels, strict=True)],
        "layout": layout,
        "groups": groups,
        "respondents": [
            {
                "short": short.get(r["name"], r["role"]),
                "name": r["name"],
                "role": r["role"],
                "legend": _legend(short.get(r["name"], r["role"]), r),
            }
            for r in respondents
        ],
        "clear": clear,
        "known": known,
        "clarity": percent_down(clear, known) if known else None,
        "tally": _tally_sentence(clear, known),
        "awaiting": any(row["fit_code"] == "awaiting_lead" for row in rows),
    }


#: The verdicts of ownership clarity that count as clear (``assessor.engine.method.CLEAR``).
CLEAR_FITS = frozenset({"expected", "acceptable"})
#: A verdict for results kept before the engine judged the fit: the model's status.
FIT_FROM_STATUS = {
    "aligned": "expected",
    "misplaced": "misplaced",
    "orphaned": "orphaned",
    "ambiguous": "disputed",
    "unanswered": "unanswered",
}
#: The stylesheet's class of each verdict (red for those that are not clear).
FIT_CLASSES = {
    "expected": "aligned",
    "acceptable": "aligned",
    "awaiting_lead": "ambiguous",
    "misplaced": "misplaced",
    "shared_without_lead": "ambiguous",
    "orphaned": "orphaned",
    "disputed": "ambiguous",
    "unanswered": "unanswered",
    "not_applicable": "unanswered",
}


def percent_down(part: int, whole: int) -> int:
    """``part`` of ``whole`` as a whole percentage, rounded down, as the engine's clarity."""
    return 100 if whole == 0 else (100 * part) // whole


def _fit_lines(words: str) -> list[str]:
    """The Fit column's words in lines: "Shared," / "no lead", "Owners" / "disagree"."""
    first, _, rest = words.partition(" ")
    return [first, rest] if first in FIT_BREAKS and rest else [words]


def _tally(clear: int, known: int) -> str:
    """A domain's share of clear owners: "2 of 3 fit (66%)"; "" where none is known."""
    if not known:
        return ""
    return f"{clear} of {known} fit ({percent_down(clear, known)}%)"


def _tally_sentence(clear: int, known: int) -> str:
    if not known:
        return "No owner was named, so ownership clarity cannot be measured."
    return f"{clear} ✓ of {known}: ownership clarity {percent_down(clear, known)}%."


def _legend(mark: str, respondent: Mapping[str, Any]) -> str:
    """How the grid's mark for a respondent is read: "CISO = Mikkel Thorsen", or
    "CIO/CISO = Ray Delgado (CIO and CISO)" where the mark is not the role's label."""
    label = role_label(respondent["role"])
    base = mark.rsplit(" ", 1)[0] if mark[-1:].isdigit() else mark
    return f"{mark} = {respondent['name']}" + ("" if base == label else f" ({label})")


class _OwnerJudge:
    """How a named owner fits, where the result's row alone does not say: per role in a
    row whose owners are disputed, the acceptable alternative's note, and whether a row
    nobody answered was hidden from everyone (moot for this organisation's structure)."""

    def __init__(self, result: Mapping[str, Any], questionnaire: Questionnaire | None) -> None:
        self.questionnaire = questionnaire
        self.facts: Mapping[str, Any] = result.get("context") or {}
        respondents = result["respondents"]
        hidden = [set(r.get("hidden") or ()) for r in respondents]
        self.owner_questions: dict[str, str] = {}
        self.model: Any = None
        held: tuple[str, ...] = ()
        if questionnaire is not None:
            for question in questionnaire.questions.values():
                if question.kind == "owner" and question.responsibility:
                    self.owner_questions.setdefault(question.responsibility, question.id)
            self.model = index_for(questionnaire).organisation
            held = structure_holding(questionnaire, self.facts)
        self.hidden_from_all = set.intersection(*hidden) if hidden else set()
        self.same_person = any(
            rule.same_person and rule.id in held for rule in getattr(self.model, "structure", ())
        ) or any(r["role"] in ROLES_HELD for r in respondents)

    def moot(self, responsibility: str) -> bool:
        question = self.owner_questions.get(responsibility)
        return question is not None and question in self.hidden_from_all

    def _owner_fit(self, responsibility: str, code: str) -> OwnerFit | None:
        if self.questionnaire is None or responsibility not in self.model.responsibilities:
            return None
        try:
            return owner_fit(self.questionnaire, responsibility, code, self.facts)
        except (KeyError, ValueError):
            return None

    def fits(self, row: Mapping[str, Any], fit: str, code: str) -> bool:
        """Whether ``code``, named for ``row``, is an owner who fits: the row's verdict
        where everyone named it, else judged on its own (the model's owner where the
        questionnaire has no model)."""
        if fit != "disputed":
            return fit in CLEAR_FITS
        found = self._owner_fit(row["responsibility"], code)
        if found is None:
            return bool(code == row["accountable"])
        return found.status in CLEAR_FITS

    def note(self, row: Mapping[str, Any]) -> str:
        """Why an acceptable owner fits: the model's note for the alternative named."""
        codes = {n["owner"] for n in row["named"]}
        if len(codes) != 1:
            return ""
        code = codes.pop()
        found = self._owner_fit(row["responsibility"], code)
        if found is not None and found.note:
            return found.note
        model = self.model.responsibilities.get(row["responsibility"]) if self.model else None
        for alternative in getattr(model, "alternatives", ()):
            if alternative.role == code:
                return str(alternative.note)
        return ""


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
    fit_words = [line for row in rows for line in row.get("fit_lines") or [row["fit"]]]
    fit = max([_percent(line, bold=False) for line in fit_words] + [_percent("Fit")]) + 1.2
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
    return {"EXEC": "CEO / board", "SHARED": "Jointly", "NONE": "Nobody"}.get(
        code, owner_short(code)
    )


#: A respondent's mark in the grid's narrow cells where the role's label is long.
CELL_MARKS = {
    "CIO_CISO": "CIO/CISO",
    "PRIVACY": "Privacy",
    "COMPLIANCE": "Compliance",
    "EXTERNAL": "External",
}


def _short_names(respondents: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """A short mark per respondent for the grid's cells: the role in words, numbered when
    two respondents share it (CIO, CISO, CIO/CISO; Other 1, Other 2)."""
    roles = [r["role"] for r in respondents]
    marks: dict[str, str] = {}
    for index, respondent in enumerate(respondents):
        role = respondent["role"]
        mark = CELL_MARKS.get(role) or role_label(role)
        if roles.count(role) > 1:
            marks[respondent["name"]] = f"{mark} {roles[: index + 1].count(role)}"
        else:
            marks[respondent["name"]] = mark
    return marks


def roadmap_intro(groups: Sequence[Mapping[str, Any]]) -> str:
    """The roadmap chapter's first sentence, counting its initiatives."""
    count = sum(len(group["items"]) for group in groups)
    if count == 1:
        return (
            "The findings grouped into one initiative, with the role that owns it and the "
            "findings it closes, by when to act: within 30 days, 90 days or 12 months."
        )
    return (
        f"The findings grouped into {count} initiatives, each with the role that owns it and "
        "the findings it closes, by when to act: within 30 days, 90 days or 12 months. An "
        "initiative another depends on is never due after it."
    )


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
                "owner": owner_short(initiative["owner"]),
                "findings": [f["ref"] for f in closes],
                "worst": SEVERITY_LABELS[SEVERITIES[worst]],
                "depends_on": [
                    f"R{numbers[dep]} {titles[dep]}" for dep in initiative["depends_on"]
                ],
            }
        )
    return groups
