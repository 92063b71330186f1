"""The exports' rows for the progress since an earlier round and the remediation actions:
the XLSX sheets "Progress" and "Actions", the blocks after the answers in the CSV (the
JSON carries the same values under ``progress`` and ``actions``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from assessor.reports.labels import SEVERITY_LABELS, STATUS_LABELS, owner_short

ACTION_COLUMNS = (
    "finding key",
    "finding",
    "severity",
    "owner",
    "owner e-mail",
    "due",
    "status",
    "overdue",
    "evidence",
)


def _round(label: str, info: Mapping[str, Any]) -> tuple[Any, ...]:
    questionnaire = info["questionnaire"]
    return (
        label,
        info["title"],
        info["date"],
        f"{questionnaire['title']}, version {questionnaire['version']}",
        info["method_version"],
    )


def progress_rows(progress: Mapping[str, Any] | None) -> list[Sequence[Any]]:
    """The comparison with the earlier round as rows (none without one)."""
    if progress is None:
        return []
    rows: list[Sequence[Any]] = [
        ("round", "assessment", "date", "questionnaire", "method version"),
        _round("earlier round", progress["before"]),
        _round("this round", progress["after"]),
        (),
        ("measure", "before", "after", "change"),
    ]
    measures = [("Overall score", progress["overall"]), ("Ownership clarity", progress["clarity"])]
    for d in progress["domains"]:
        measures += [(f"{d['title']}: score", d["score"]), (f"{d['title']}: clarity", d["clarity"])]
    for name, m in measures:
        if m["before"] is None and m["after"] is None:
            continue  # clarity: absent from results of older methods
        rows.append((name, m["before"], m["after"], m["change"]))
    rows += [(), ("finding", "finding key", "title", "severity", "severity before")]
    findings = progress["findings"]
    for label, items in (
        ("closed", findings["closed"]),
        ("new", findings["new"]),
        ("persisting", findings["persisting"]),
        ("not compared", progress["left_out"]["findings"]),
    ):
        for f in items:
            rows.append(
                (
                    label,
                    f["key"],
                    f["title"],
                    SEVERITY_LABELS.get(f["severity"], f["severity"]),
                    SEVERITY_LABELS.get(f.get("severity_before") or "", ""),
                )
            )
    rows += [
        (),
        ("owner change", "title", "owners before", "owners after", "status before", "status after"),
    ]
    for o in progress["owners"]:
        rows.append(
            (
                o["responsibility"],
                o["title"],
                ", ".join(owner_short(c) for c in o["owners_before"]),
                ", ".join(owner_short(c) for c in o["owners_after"]),
                STATUS_LABELS.get(o["status_before"], o["status_before"]),
                STATUS_LABELS.get(o["status_after"], o["status_after"]),
            )
        )
    disagreements = progress["disagreements"]
    if disagreements["compared"]:
        rows += [(), ("disagreement", "question id", "question")]
        rows += [("closed", g["question"], g["text"]) for g in disagreements["closed"]]
        rows += [("new", g["question"], g["text"]) for g in disagreements["new"]]
    left = progress["left_out"]
    if not progress["same_questionnaire"]:
        rows += [(), ("left out", "what")]
        rows += [("domain of the earlier round only", t) for t in left["domains_before_only"]]
        rows += [("domain of this round only", t) for t in left["domains_after_only"]]
        rows += [("question of the earlier round only", q) for q in left["questions_before_only"]]
        rows += [("question of this round only", q) for q in left["questions_after_only"]]
        renamed = progress.get("renamed", [])
        if renamed:
            rows += [(), ("read as", "finding key then", "finding key now", "finding")]
            rows += [("renamed", r["before"], r["after"], r["title"]) for r in renamed]
    return rows


def action_rows(actions: Sequence[Mapping[str, Any]]) -> list[Sequence[Any]]:
    """The organisation's remediation actions as rows, under a header."""
    return [
        ACTION_COLUMNS,
        *(
            (
                a["finding_key"],
                a["title"],
                SEVERITY_LABELS.get(a["severity"], a["severity"]),
                a["owner_name"],
                a["owner_email"],
                a["due_date"] or "",
                a["status"],
                "yes" if a["overdue"] else "",
                a["evidence"],
            )
            for a in actions
        ),
    ]
