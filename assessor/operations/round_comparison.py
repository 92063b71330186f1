"""Two delivered results of one organisation side by side: what moved between rounds.

:func:`compare` is pure: it reads two ``Result`` dicts as each round delivered them (never
a re-score) and the questionnaires they were scored on, and returns plain values that the
results page, the PDF annex and the exports print.  Findings are matched by
:func:`assessor.operations.finding_keys.finding_key`.  Across questionnaire versions, only
what both versions hold is compared: domains and questions asked in one version only are
listed as left out, and so is a finding raised in one round only whose evidence rests on
a question (or a domain) the other version does not have.  The newer version's data says
how the older one's questions and finding keys read in it (``earlier_versions``): the
older round is read in the newer one's terms, and the comparison lists what it renamed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from assessor.operations.finding_keys import finding_key
from assessor.questionnaire import Questionnaire
from assessor.questionnaire.schema import EarlierVersion
from assessor.reports.labels import SEVERITY_RANK


@dataclass(frozen=True)
class Round:
    """One round as the comparison names it: its delivered result and what it was made of."""

    assessment_id: int
    title: str
    day: date
    result: Mapping[str, Any]
    questionnaire: Questionnaire


def _change(before: Any, after: Any) -> Any:
    """``after - before`` (one decimal for maturities); None when either is missing."""
    if not (isinstance(before, int | float) and isinstance(after, int | float)):
        return None
    change = after - before
    return round(change, 1) if isinstance(change, float) else change


def _measure(before: Any, after: Any) -> dict[str, Any]:
    return {"before": before, "after": after, "change": _change(before, after)}


def _round_info(item: Round) -> dict[str, Any]:
    questionnaire = item.result["questionnaire"]
    return {
        "assessment_id": item.assessment_id,
        "title": item.title,
        "date": item.day.isoformat(),
        "questionnaire": {
            "id": questionnaire["id"],
            "version": questionnaire["version"],
            "title": questionnaire["title"],
        },
        # Results stored before the method had a version were scored by method 1.
        "method_version": (item.result.get("method") or {}).get("version") or 1,
    }


@dataclass(frozen=True)
class _Reading:
    """How the round on the older questionnaire version reads in the newer one's terms."""

    mapping: EarlierVersion | None = None

    def question(self, qid: str) -> str:
        return self.mapping.questions.get(qid, qid) if self.mapping else qid

    def key(self, f: Mapping[str, Any]) -> str:
        """The newer version's key for ``f``: that of its leading check, else of its key,
        else its own key."""
        key = finding_key(f)
        if self.mapping is None:
            return key
        parts = f.get("parts") or ()
        lead = parts[0]["check"] if parts else f["evidence"]["check"]
        for name in (lead, key):
            for new_key, olds in self.mapping.findings.items():
                if name in olds:
                    return new_key
        return key


def _reading(older: Questionnaire, newer: Questionnaire) -> _Reading:
    if older.id != newer.id or older.version >= newer.version:
        return _Reading()
    found = next((e for e in newer.earlier_versions if e.version == older.version), None)
    return _Reading(found)


def _finding(f: Mapping[str, Any], key: str | None = None) -> dict[str, Any]:
    return {
        "key": key or finding_key(f),
        "number": f["number"],
        "title": f["title"],
        "severity": f["severity"],
        "domain": f.get("domain"),
    }


def _rests_on(
    f: Mapping[str, Any], questions: set[str], domains: set[str], reading: _Reading
) -> bool:
    """Whether the other version could raise ``f``: it has the finding's domain and every
    question of its evidence (each read by ``reading``)."""
    if f.get("domain") and f["domain"] not in domains:
        return False
    return all(reading.question(a["question"]) in questions for a in f["evidence"]["answers"])


def _owners(row: Mapping[str, Any]) -> list[dict[str, str]]:
    return [
        {"role": n["role"], "respondent": n["respondent"], "owner": n["owner"]}
        for n in row["named"]
    ]


def _owner_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Responsibilities (in both rounds) whose named owners or status changed."""
    earlier = {row["responsibility"]: row for row in before["raci"]}
    changes = []
    for row in after["raci"]:
        old = earlier.get(row["responsibility"])
        if old is None:
            continue
        old_owners = sorted({n["owner"] for n in old["named"]})
        new_owners = sorted({n["owner"] for n in row["named"]})
        if old_owners == new_owners and old["status"] == row["status"]:
            continue
        changes.append(
            {
                "responsibility": row["responsibility"],
                "title": row["title"],
                "accountable": row["accountable"],
                "owners_before": old_owners,
                "owners_after": new_owners,
                "status_before": old["status"],
                "status_after": row["status"],
            }
        )
    return changes


def _disagreements(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    shared: set[str],
    readings: tuple[_Reading, _Reading],
) -> dict[str, Any]:
    """Disagreements between respondents that closed (or opened), on shared questions;
    compared only when both rounds had more than one respondent."""
    compared = len(before["respondents"]) > 1 and len(after["respondents"]) > 1
    if not compared:
        return {"compared": False, "closed": [], "new": [], "persisting": 0}
    old_gaps = ((readings[0].question(g["question"]), g) for g in before["perception"]["gaps"])
    new_gaps = ((readings[1].question(g["question"]), g) for g in after["perception"]["gaps"])
    old = {q: g for q, g in old_gaps if q in shared}
    new = {q: g for q, g in new_gaps if q in shared}
    return {
        "compared": True,
        "closed": [{"question": q, "text": g["text"]} for q, g in old.items() if q not in new],
        "new": [{"question": q, "text": g["text"]} for q, g in new.items() if q not in old],
        "persisting": sum(1 for q in new if q in old),
    }


def _sorted(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(findings, key=lambda f: (SEVERITY_RANK.get(f["severity"], 9), f["number"]))


def compare(before: Round, after: Round) -> dict[str, Any]:
    """What moved from ``before`` to ``after`` (an earlier round of the same organisation),
    as plain values."""
    old, new = before.result, after.result
    q_old, q_new = before.questionnaire, after.questionnaire
    # The round on the older version is read in the newer one's terms.
    read_old, read_new = _reading(q_old, q_new), _reading(q_new, q_old)
    old_questions = {read_old.question(q) for q in q_old.questions}
    new_questions = {read_new.question(q) for q in q_new.questions}
    shared_questions = old_questions & new_questions
    old_domains = {s.id: s.title for s in q_old.sections}
    new_domains = {s.id: s.title for s in q_new.sections}

    old_scores = {d["id"]: d for d in old["domains"]}
    domains = []
    for d in new["domains"]:
        earlier = old_scores.get(d["id"])
        if earlier is None:
            continue
        domains.append(
            {
                "id": d["id"],
                "title": d["title"],
                "score": _measure(earlier["score"], d["score"]),
                "maturity": _measure(earlier.get("maturity"), d.get("maturity")),
                # Ownership clarity: absent from results of older methods.
                "clarity": _measure(earlier.get("clarity"), d.get("clarity")),
            }
        )

    old_findings = {read_old.key(f): f for f in old["findings"]}
    new_findings = {read_new.key(f): f for f in new["findings"]}
    renamed = [
        {"before": finding_key(f), "after": key, "title": f["title"]}
        for reading, findings in ((read_old, old_findings), (read_new, new_findings))
        if reading.mapping
        for key, f in findings.items()
        if key != finding_key(f)
    ]
    closed, opened, persisting, left_out = [], [], [], []
    for key, f in new_findings.items():
        if key in old_findings:
            item = _finding(f, key)
            item["severity_before"] = old_findings[key]["severity"]
            persisting.append(item)
        elif _rests_on(f, old_questions, set(old_domains), read_new):
            opened.append(_finding(f, key))
        else:
            left_out.append({**_finding(f, key), "round": "after"})
    for key, f in old_findings.items():
        if key in new_findings:
            continue
        if _rests_on(f, new_questions, set(new_domains), read_old):
            closed.append(_finding(f, key))
        else:
            left_out.append({**_finding(f, key), "round": "before"})

    same = (q_old.id, q_old.version, q_old.hash) == (q_new.id, q_new.version, q_new.hash)
    return {
        "before": _round_info(before),
        "after": _round_info(after),
        "same_questionnaire": same,
        "overall": _measure(old["overall"], new["overall"]),
        "clarity": _measure(old.get("clarity"), new.get("clarity")),
        "domains": domains,
        "findings": {
            "new": _sorted(opened),
            "closed": _sorted(closed),
            "persisting": _sorted(persisting),
        },
        "owners": _owner_changes(old, new),
        "disagreements": _disagreements(old, new, shared_questions, (read_old, read_new)),
        "left_out": {
            "domains_before_only": [t for i, t in old_domains.items() if i not in new_domains],
            "domains_after_only": [t for i, t in new_domains.items() if i not in old_domains],
            "questions_before_only": sorted(old_questions - new_questions),
            "questions_after_only": sorted(new_questions - old_questions),
            "findings": _sorted(left_out),
        },
        # Findings of the older version read under the newer version's keys.
        "renamed": renamed,
    }
