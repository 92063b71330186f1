"""What every export holds, as values: each answer as a row, the executive summary as the
report states it, and how the exports name a result's and a respondent's state.  The
formats (``exports``) and the workbook's sheets (``export_sheets``) are built from these.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assessor.reports import scoring_text, summary
from assessor.reports.context import ReportInputs
from assessor.reports.disagreement_text import maturity_questions, topics
from assessor.reports.labels import SEVERITY_LABELS, effort_label, owner_short

ANSWER_COLUMNS = (
    "respondent",
    "role",
    "section",
    "question_id",
    "question",
    "value",
    "label",
    "comment",
    "respondent_status",
    "result_status",
)

#: How exports name a result under 80% answered (its score a range, no band), and others.
PROVISIONAL = "provisional"
COMPLETE = "complete"
#: How exports name a counted respondent's state (``status_of``).
SUBMITTED = "submitted"
INCLUDED_IN_PROGRESS = "in progress (included)"
#: The state of a respondent still answering who is not counted (listed apart).
NOT_COUNTED = "in progress (not counted)"


def value_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(value_text(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def status_of(inputs: ReportInputs, index: int) -> str:
    """How the exports name the state of the counted respondent at ``index``."""
    return INCLUDED_IN_PROGRESS if inputs.still_answering(index) else SUBMITTED


def answer_rows(result: Mapping[str, Any], inputs: ReportInputs) -> list[dict[str, Any]]:
    """One row per answer (or comment) of each respondent, in questionnaire order, as the
    engine's result holds them (whether shown, the label)."""
    questionnaire = inputs.questionnaire
    questions = questionnaire.questions
    section_of = questionnaire.section_of
    result_status = PROVISIONAL if result.get("provisional") else COMPLETE
    rows = []
    for index, respondent in enumerate(result["respondents"]):
        status = status_of(inputs, index)
        for answer in respondent["answers"]:
            qid = answer["question"]
            rows.append(
                {
                    "respondent": respondent["name"],
                    "role": respondent["role"],
                    "section": section_of[qid].title,
                    "question_id": qid,
                    "question": questions[qid].text,
                    "value": answer["value"],
                    "label": answer["label"],
                    "comment": answer["comment"],
                    "respondent_status": status,
                    "result_status": result_status,
                    "shown": answer["shown"],
                }
            )
    return rows


def band(result: Mapping[str, Any]) -> str:
    """The score's band, or why there is none (a provisional result has none)."""
    if result.get("provisional"):
        return "none: the result is provisional"
    return summary.score_band(result["overall"])[0]


def range_text(result: Mapping[str, Any]) -> str:
    span = result.get("range")
    return f"{span['low']} to {span['high']}" if result.get("provisional") and span else ""


def domain_titles(result: Mapping[str, Any], inputs: ReportInputs) -> dict[str, str]:
    titles = {s.id: s.title for s in inputs.questionnaire.sections}
    titles.update({d["id"]: d["title"] for d in result["domains"]})
    return titles


def _finding_brief(f: Mapping[str, Any], titles: Mapping[str, str]) -> dict[str, Any]:
    return {
        "ref": f"F{f['number']}",
        "number": f["number"],
        "id": f["id"],
        "title": f["title"],
        "severity": SEVERITY_LABELS.get(f["severity"], f["severity"]),
        "domain": titles.get(f.get("domain") or "", ""),
        "who should act": owner_short(f["act"]),
        "effort": effort_label(f["effort"]),
        "recommendation": f["recommendation"],
    }


def summary_data(result: Mapping[str, Any], inputs: ReportInputs) -> dict[str, Any]:
    """The executive summary as the report states it: the headline, the band (None when
    provisional), completeness, the range, the three to five most important findings and
    the first actions (with their finding numbers), the disagreement headline."""
    titles = domain_titles(result, inputs)
    told = summary.executive_summary(
        result,
        inputs.organization,
        titles,
        maturity_questions(inputs.questionnaire),
        topics(inputs.questionnaire),
    )
    span = result.get("range")
    return {
        "headline": scoring_text.headline(result),
        "band": told["band"],
        "overall": result["overall"],
        "provisional": bool(result.get("provisional")),
        "range": dict(span) if result.get("provisional") and span else None,
        "completeness": result["completeness"],
        "clarity": result.get("clarity"),
        "paragraphs": told["paragraphs"],
        "gaps": [_finding_brief(f, titles) for f in summary.top_gaps(result["findings"])],
        "first_actions": [_finding_brief(f, titles) for f in summary.first_actions(result)],
        "disagreement": told["disagreement"],
        "unresolved_facts": len(result.get("unresolved_facts") or []),
    }
