"""What the results page shows, in the report's order, read from the engine's result:
the summary, the findings (filtered), each responsibility's title, and every answer with
its comment.  Labels of answers are the result's own (never recomputed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from assessor.questionnaire import Questionnaire
from assessor.reports import chapters, context, summary
from assessor.reports.disagreement_text import maturity_questions, topics
from assessor.reports.summary import score_band
from assessor.web import finding_filters

#: The page's chapters: (anchor, title), in the report's order.
CHAPTERS = (
    ("summary", "Summary"),
    ("method", "Method and scope"),
    ("scores", "Scores"),
    ("matrix", "Who owns what"),
    ("findings", "Findings"),
    ("disagreements", "Disagreements"),
    ("roadmap", "Roadmap"),
    ("answers", "Answers and comments"),
)


@dataclass(frozen=True)
class _Only:
    """The report inputs the appendix reads: the questionnaire."""

    questionnaire: Questionnaire


@dataclass(frozen=True)
class ResultsView:
    band: str | None
    #: The three to five most important findings, and the first actions (finding dicts).
    gaps: list[Mapping[str, Any]]
    actions: list[Mapping[str, Any]]
    #: The summary's disagreement headline.
    disagreement: str
    filtered: finding_filters.Filtered
    domain_titles: dict[str, str]
    #: A responsibility's title by its id (STR-1 is never the only label shown).
    responsibilities: dict[str, str]
    #: (respondent name, question id) -> that respondent's comment.
    comments: dict[tuple[str, str], str]
    #: The answers' sections: {"title", "questions": [{"text", "answers": [...]}]}.
    answer_sections: list[dict[str, Any]]
    disagreement_count: int
    #: The roadmap's initiatives by horizon, as the report's chapter has them; [] for a
    #: result kept before the roadmap had initiatives.
    initiatives: list[dict[str, Any]]
    #: The matrix's counts by how each owner fits, adding up to the ownership clarity.
    matrix_counts: str = ""
    #: "RID:OWNER" -> whether that owner, named for that responsibility, fits here.
    owner_fits: dict[str, bool] = field(default_factory=dict)


def results_view(
    result: Mapping[str, Any],
    questionnaire: Questionnaire,
    organization: str,
    args: Mapping[str, str],
    more: Sequence[finding_filters.FindingFilter] = (),
) -> ResultsView:
    titles = {s.id: s.title for s in questionnaire.sections}
    titles.update({d["id"]: d["title"] for d in result["domains"]})
    told = summary.executive_summary(
        result, organization, titles, maturity_questions(questionnaire), topics(questionnaire)
    )
    provisional = bool(result.get("provisional"))
    comments = {
        (r["name"], a["question"]): a["comment"]
        for r in result["respondents"]
        for a in r["answers"]
        if a["comment"]
    }
    appendix = context._appendix(result, _Only(questionnaire))  # type: ignore[arg-type]
    facts = result.get("unresolved_facts") or []
    grid = chapters.raci_grid(result, titles, questionnaire)
    return ResultsView(
        band=None if provisional else score_band(result["overall"])[0],
        gaps=summary.top_gaps(result["findings"]),
        actions=summary.first_actions(result),
        disagreement=told["disagreement"],
        filtered=finding_filters.apply(result, args, more),
        domain_titles=titles,
        responsibilities={r["responsibility"]: r["title"] for r in result["raci"]},
        comments=comments,
        answer_sections=appendix["sections"],
        disagreement_count=len(facts) + len(result["perception"]["gaps"]),
        initiatives=chapters.roadmap(
            result, [{**f, "ref": f"F{f['number']}"} for f in result["findings"]]
        ),
        matrix_counts=_matrix_counts(grid),
        owner_fits={
            f"{row['id']}:{column['code']}": cell["match"]
            for group in grid["groups"]
            for row in group["rows"]
            for column, cell in zip(grid["columns"], row["cells"], strict=True)
            if cell["named"]
        },
    )


#: How the matrix's counts name each verdict on an owner.
COUNTED = {
    "expected": "as expected",
    "acceptable": "with an acceptable alternative owner",
    "awaiting_lead": "held by a role that fits once named in writing as the security lead",
    "misplaced": "owned by another role",
    "shared_without_lead": "shared with no lead",
    "orphaned": "nobody owns",
    "disputed": "with owners in dispute",
    "unanswered": "not answered",
    "not_applicable": "not applicable",
}


def _matrix_counts(grid: Mapping[str, Any]) -> str:
    """ "33 responsibilities: 30 as expected, 1 acceptable, 2 shared, no lead. 31 ✓ of 33:
    ownership clarity 93%." (the report's grid's verdicts, counted)."""
    rows = [row for group in grid["groups"] for row in group["rows"]]
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["fit_code"]] = counts.get(row["fit_code"], 0) + 1
    told = ", ".join(
        f"{n} {COUNTED.get(code, code.replace('_', ' '))}" for code, n in counts.items()
    )
    return f"{len(rows)} responsibilities: {told}. {grid['tally']}"
