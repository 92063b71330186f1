"""What the results page shows, in the report's order, read from the engine's result:
the summary, the findings (filtered), each responsibility's title, and every answer with
its comment.  Labels of answers are the result's own (never recomputed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assessor.questionnaire import Questionnaire
from assessor.reports import chapters, context, summary
from assessor.reports.disagreement_text import maturity_questions
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
        result, organization, titles, maturity_questions(questionnaire)
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
    )
