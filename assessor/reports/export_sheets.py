"""The workbook's sheets (XLSX), each as rows: answers, findings, the responsibility
matrix, scores, disagreements, the roadmap and its initiatives, the summary, each
respondent's scores, the unresolved facts, progress, the voice (the consultant's, or in an
organisation's own workspace its own review) and actions.
The CSV writes the same rows, a block per sheet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from assessor.reports import export_progress, scoring_text
from assessor.reports.context import ReportInputs
from assessor.reports.disagreement_text import briefing_gaps
from assessor.reports.export_rows import (
    ANSWER_COLUMNS,
    COMPLETE,
    NOT_COUNTED,
    PROVISIONAL,
    answer_rows,
    band,
    domain_titles,
    is_number,
    range_text,
    status_of,
    summary_data,
    value_text,
)
from assessor.reports.export_voice import SHEET, voice_rows
from assessor.reports.labels import (
    KIND_LABELS,
    SEVERITY_LABELS,
    STATUS_LABELS,
    effort_label,
    owner_short,
    role_label,
    sector_label,
)


def sheets(result: Mapping[str, Any], inputs: ReportInputs) -> dict[str, list[Sequence[Any]]]:
    """The workbook's sheets by name, each as rows (the CSV writes each but the answers as
    a block of its own); sheets with no rows are left out."""
    titles = domain_titles(result, inputs)
    refs = _finding_refs(result)
    extra = {
        "Summary": _summary_sheet(result, inputs),
        "Respondent scores": _respondent_scores(result),
        "Unresolved facts": _unresolved_facts(result),
        "Roadmap initiatives": _initiatives(result),
    }
    return {
        "Answers": _answers(result, inputs),
        "Findings": _findings(result, titles, refs),
        "Responsibility matrix": _raci(result, titles),
        "Scores": _scores(result, inputs),
        "Perception": _perception(result, inputs, titles),
        "Roadmap": _roadmap(result, refs),
        "Ignored answers": _ignored(result),
        **{name: rows for name, rows in extra.items() if rows},
        **_extra_blocks(inputs, result),
    }


def _answers(result: Mapping[str, Any], inputs: ReportInputs) -> list[Sequence[Any]]:
    """Every answer and comment, one row each."""
    rows: list[Sequence[Any]] = [
        ANSWER_COLUMNS,
        *(
            [
                r["respondent"],
                role_label(r["role"]),
                r["section"],
                r["question_id"],
                r["question"],
                r["value"] if is_number(r["value"]) else value_text(r["value"]),
                r["label"],
                r["comment"],
                r["respondent_status"],
                r["result_status"],
            ]
            for r in answer_rows(result, inputs)
        ),
    ]
    return rows


def _findings(
    result: Mapping[str, Any], titles: Mapping[str, str], refs: Mapping[str, str]
) -> list[Sequence[Any]]:
    """The findings in their report order (F1, F2, ...), with their evidence."""
    rows: list[Sequence[Any]] = [
        (
            "ref",
            "id",
            "severity",
            "kind",
            "responsibility",
            "domain",
            "title",
            "recommendation",
            "who should act",
            "effort",
            "references",
            "weight",
            "evidence check",
            "evidence",
        )  # fmt: skip
    ]
    for f in sorted(result["findings"], key=lambda f: int(refs[f["id"]][1:])):
        rows.append(
            (
                refs[f["id"]],
                f["id"],
                SEVERITY_LABELS.get(f["severity"], f["severity"]),
                KIND_LABELS.get(f["kind"], f["kind"]),
                f.get("responsibility") or "",
                titles.get(f.get("domain") or "", f.get("domain") or ""),
                f["title"],
                f["recommendation"],
                owner_short(f["act"]),
                effort_label(f["effort"]),
                "; ".join(f["references"]),
                f["weight"],
                f["evidence"]["check"],
                _evidence_text(f),
            )
        )
    return rows


def _raci(result: Mapping[str, Any], titles: Mapping[str, str]) -> list[Sequence[Any]]:
    """The responsibility matrix: the model's owner against the owners named."""
    rows: list[Sequence[Any]] = [
        (
            "responsibility",
            "domain",
            "title",
            "accountable (model)",
            "consulted (model)",
            "status",
            "named owners",
        )  # fmt: skip
    ]
    for row in result["raci"]:
        rows.append(
            (
                row["responsibility"],
                titles.get(row.get("domain") or "", row.get("domain") or ""),
                row["title"],
                owner_short(row["accountable"]),
                ", ".join(owner_short(c) for c in row["consulted"]),
                STATUS_LABELS.get(row["status"], row["status"]),
                "; ".join(
                    f"{n['respondent']} ({role_label(n['role'])}): {owner_short(n['owner'])}"
                    for n in row["named"]
                ),
            )
        )
    return rows


def _scores(result: Mapping[str, Any], inputs: ReportInputs) -> list[Sequence[Any]]:
    """The assessment, its headline and measures, the respondents, then each domain."""
    rows: list[Sequence[Any]] = [
        ("Organisation", inputs.organization),
        ("Sector", sector_label(inputs.questionnaire, inputs.sector)),
        ("Size", inputs.size or ""),
        ("Assessment", inputs.assessment_title),
        ("Date", inputs.assessment_date.isoformat()),
        ("Questionnaire", f"{inputs.questionnaire.title}, version {inputs.questionnaire.version}"),
        ("Prepared by", inputs.firm_name or ""),
        ("Overall score", result["overall"]),
        ("Band", band(result)),
        ("Result", PROVISIONAL if result.get("provisional") else COMPLETE),
        ("Overall range (provisional)", range_text(result)),
        ("Completeness (%)", result["completeness"]),
        ("Ownership clarity (%)", result.get("clarity")),
        ("Practice score before the cap", result.get("practice", result["overall"])),
        ("Cap", scoring_text.cap_text(result)),
        ("Method version", result["method"].get("version")),
        ("Method", result["method"]["combination"]),
        ("Method description", result["method"]["description"]),
        (),
        ("respondent", "role", "completeness (%)", "questions shown", "answered", "status"),
        *(
            (
                r["name"],
                role_label(r["role"]),
                r["completeness"],
                r["shown"],
                r["answered"],
                status_of(inputs, index),
            )
            for index, r in enumerate(result["respondents"])
        ),
        *_waiting_rows(inputs),
        (),
        (
            "domain id",
            "domain",
            "score",
            "maturity",
            "target",
            "distance",
            "completeness (%)",
            "disagreement",
            "ownership clarity (%)",
        ),  # fmt: skip
        *(
            (
                d["id"],
                d["title"],
                scoring_text.domain_score(d),
                d["maturity"],
                d["target"],
                d["distance"],
                d["completeness"],
                d["disagreement"],
                d.get("clarity"),
            )  # fmt: skip
            for d in result["domains"]
        ),
    ]
    return rows


def _perception(
    result: Mapping[str, Any], inputs: ReportInputs, titles: Mapping[str, str]
) -> list[Sequence[Any]]:
    """Disagreement by domain, then every answer given differently, then the "don't know" answers listed for briefing."""
    rows: list[Sequence[Any]] = [
        ("domain id", "domain", "disagreement"),
        *((d["id"], d["title"], d["disagreement"]) for d in result["perception"]["domains"]),
        (),
        ("question id", "question", "responsibility", "domain", "respondent", "role", "answer"),
    ]
    for gap in result["perception"]["gaps"]:
        for answer in gap["answers"]:
            rows.append(
                (
                    gap["question"],
                    gap["text"],
                    gap.get("responsibility") or "",
                    titles.get(gap.get("domain") or "", gap.get("domain") or ""),
                    answer["respondent"],
                    role_label(answer["role"]),
                    answer["label"],
                )
            )
    briefed = [g for g in briefing_gaps(result) if g["question"] in inputs.questionnaire.questions]
    if briefed:
        rows += [
            (),
            (
                "question id",
                "question (\u201cdon't know\u201d where the others agree: for briefing)",
                "responsibility",
                "domain",
                "respondent",
                "role",
                "answer",
            ),
        ]
    section_of = inputs.questionnaire.section_of
    for gap in briefed:
        question = inputs.questionnaire.questions[gap["question"]]
        for answer in gap["answers"]:
            rows.append(
                (
                    gap["question"],
                    question.text,
                    question.responsibility or "",
                    section_of[gap["question"]].title,
                    answer["respondent"],
                    role_label(answer["role"]),
                    answer["label"],
                )
            )
    return rows


def _roadmap(result: Mapping[str, Any], refs: Mapping[str, str]) -> list[Sequence[Any]]:
    """The findings by when to act on them."""
    by_id = {f["id"]: f for f in result["findings"]}
    rows: list[Sequence[Any]] = [
        ("when", "ref", "finding id", "title", "who should act", "effort", "severity")
    ]
    for key, label in (
        ("quick_wins", "Quick wins"),
        ("next_90_days", "Next 90 days"),
        ("next_12_months", "Next 12 months"),
    ):
        for fid in result["roadmap"].get(key, []):
            f = by_id.get(fid)
            if f is None:
                continue
            rows.append(
                (
                    label,
                    refs[fid],
                    fid,
                    f["title"],
                    owner_short(f["act"]),
                    effort_label(f["effort"]),
                    SEVERITY_LABELS.get(f["severity"], f["severity"]),
                )
            )
    return rows


def _ignored(result: Mapping[str, Any]) -> list[Sequence[Any]]:
    """The answers the engine left out, and why."""
    rows: list[Sequence[Any]] = [
        ("respondent", "question id", "reason"),
        *((i["respondent"], i["question"], i["reason"]) for i in result.get("ignored", [])),
    ]
    return rows


def _summary_sheet(result: Mapping[str, Any], inputs: ReportInputs) -> list[Sequence[Any]]:
    data = summary_data(result, inputs)
    rows: list[Sequence[Any]] = [
        ("Organisation", inputs.organization),
        ("Headline", data["headline"]),
        ("Band", data["band"] or "none: the result is provisional"),
        ("Result", PROVISIONAL if data["provisional"] else COMPLETE),
        ("Overall score", data["overall"]),
        ("Overall range (provisional)", range_text(result)),
        ("Completeness (%)", data["completeness"]),
        ("Ownership clarity (%)", data["clarity"]),
        *(("Summary", paragraph) for paragraph in data["paragraphs"]),
        ("Disagreement", data["disagreement"]),
        (),
        ("most important risks", "ref", "severity", "title", "domain", "who should act"),
        *(
            (rank, g["ref"], g["severity"], g["title"], g["domain"], g["who should act"])
            for rank, g in enumerate(data["gaps"], start=1)
        ),
        (),
        ("first actions", "ref", "recommendation", "who should act", "effort"),
        *(
            (rank, a["ref"], a["recommendation"], a["who should act"], a["effort"])
            for rank, a in enumerate(data["first_actions"], start=1)
        ),
    ]
    return rows


def _respondent_scores(result: Mapping[str, Any]) -> list[Sequence[Any]]:
    """Each respondent's own scores (practice before any cap, per domain, clarity), then the
    combined ones."""
    domains = result["domains"]
    rows: list[Sequence[Any]] = [
        (
            "respondent",
            "role",
            "practice score (before any cap)",
            *(d["title"] for d in domains),
            "ownership clarity (%)",
            "answered (%)",
        )
    ]
    for r in result["respondents"]:
        own = {d["id"]: d.get("score") for d in r["scores"]["domains"]}
        rows.append(
            (
                r["name"],
                role_label(r["role"]),
                r["scores"].get("overall"),
                *(own.get(d["id"]) for d in domains),
                r["scores"].get("clarity"),
                r["completeness"],
            )
        )
    rows.append(
        (
            "Combined",
            "",
            result.get("practice", result["overall"]),
            *(scoring_text.domain_score(d) for d in domains),
            result.get("clarity"),
            result["completeness"],
        )
    )
    return rows


def _unresolved_facts(result: Mapping[str, Any]) -> list[Sequence[Any]]:
    """The facts the respondents answer differently (deciding a regulation, or resting a
    finding), one row per answer (findings depending on them are held at medium until they are settled)."""
    rows: list[Sequence[Any]] = [("question id", "fact", "respondent", "role", "answer")]
    for fact in result.get("unresolved_facts") or []:
        for answer in fact["answers"]:
            rows.append(
                (
                    fact["question"],
                    fact["text"],
                    answer["respondent"],
                    role_label(answer["role"]),
                    answer["label"],
                )
            )
    return rows


INITIATIVE_COLUMNS = (
    "initiative",
    "outcome",
    "owner",
    "horizon",
    "findings",
    "depends on",
)


def _initiatives(result: Mapping[str, Any]) -> list[Sequence[Any]]:
    """The roadmap's initiatives, where the result holds them (``initiatives``): one row
    each, its findings by number (F1 ...) and what it depends on by title.  Results kept
    before the roadmap had initiatives: no rows."""
    initiatives = result.get("initiatives")
    if not initiatives:
        return []
    numbers = {f["id"]: f"F{f['number']}" for f in result.get("findings", ())}
    titles = {item["id"]: item["title"] for item in initiatives}
    return [
        INITIATIVE_COLUMNS,
        *(
            (
                item["title"],
                item["outcome"],
                owner_short(item["owner"]),
                item["horizon"],
                ", ".join(numbers.get(f, f) for f in item["findings"]),
                "; ".join(titles.get(d, d) for d in item["depends_on"]),
            )
            for item in initiatives
        ),
    ]


def _finding_refs(result: Mapping[str, Any]) -> dict[str, str]:
    """F1, F2, ... as the engine numbers the findings (the report uses the same)."""
    return {f["id"]: f"F{f['number']}" for f in result["findings"]}


def _evidence_text(finding: Mapping[str, Any]) -> str:
    lines = []
    for answer in finding["evidence"]["answers"]:
        lines.append(
            f"{answer['question']} ({answer['text']}): {answer['respondent']} "
            f"({role_label(answer['role'])}) answered {answer['label']}"
        )
    return "\n".join(lines)


def _waiting_rows(inputs: ReportInputs) -> list[Sequence[Any]]:
    """The respondents still answering who are not counted, as a block of their own."""
    if not inputs.waiting:
        return []
    heading = ("still answering, not counted", "role", "status")
    return [
        (),
        heading,
        *((name, role_label(role), NOT_COUNTED) for name, role in inputs.waiting),
    ]


def _extra_blocks(
    inputs: ReportInputs, result: Mapping[str, Any] | None = None
) -> dict[str, list[Sequence[Any]]]:
    """The sheets (CSV blocks) of the progress since the earlier round, the voice
    (statuses, responses, the summary as edited) and the actions."""
    blocks = {"Progress": export_progress.progress_rows(inputs.progress)}
    if result is not None:
        blocks[SHEET[inputs.kind]] = voice_rows(result, inputs.voice, inputs.kind)
    if inputs.actions:
        blocks["Actions"] = export_progress.action_rows(inputs.actions)
    return {name: rows for name, rows in blocks.items() if rows}
