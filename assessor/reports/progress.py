"""The report's annex "Progress since DATE": the comparison with an earlier round (built by
``operations/round_comparison.py`` from the two delivered results) as the template prints it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from assessor.reports.labels import SEVERITY_LABELS, STATUS_LABELS, owner_short


def _day(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


def signed(value: Any) -> str:
    """``+5``, ``−3``, ``0``; ``–`` when either round has no figure."""
    if value is None:
        return "–"
    if value > 0:
        return f"+{value:g}"
    if value < 0:
        return f"−{-value:g}"
    return "0"


def _figure(value: Any) -> str:
    return "–" if value is None else f"{value:g}"


def _measure(measure: Mapping[str, Any]) -> dict[str, str]:
    return {
        "before": _figure(measure["before"]),
        "after": _figure(measure["after"]),
        "change": signed(measure["change"]),
    }


def _findings(items: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "title": f["title"],
            "severity_label": SEVERITY_LABELS.get(f["severity"], f["severity"]),
            "before_label": SEVERITY_LABELS.get(f.get("severity_before") or "", ""),
            "moved": bool(f.get("severity_before")) and f.get("severity_before") != f["severity"],
        }
        for f in items
    ]


def _owners(names: list[str]) -> str:
    return ", ".join(owner_short(n) for n in names) or "nobody named"


def annex(progress: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The annex's values, or None (no earlier round to compare with)."""
    if progress is None:
        return None
    before, after = progress["before"], progress["after"]
    left = progress["left_out"]
    has_clarity = (
        progress["clarity"]["before"] is not None or progress["clarity"]["after"] is not None
    )
    return {
        "since_text": _day(before["date"]),
        "before": {**before, "date_text": _day(before["date"])},
        "after": {**after, "date_text": _day(after["date"])},
        "same_questionnaire": progress["same_questionnaire"],
        "overall": _measure(progress["overall"]),
        "clarity": _measure(progress["clarity"]) if has_clarity else None,
        "domains": [
            {
                "title": d["title"],
                "score": _measure(d["score"]),
                "clarity": _measure(d["clarity"]) if has_clarity else None,
            }
            for d in progress["domains"]
        ],
        "new": _findings(progress["findings"]["new"]),
        "closed": _findings(progress["findings"]["closed"]),
        "persisting": _findings(progress["findings"]["persisting"]),
        "owners": [
            {
                "responsibility": o["responsibility"],
                "title": o["title"],
                "before": _owners(o["owners_before"]),
                "after": _owners(o["owners_after"]),
                "status_before": STATUS_LABELS.get(o["status_before"], o["status_before"]),
                "status_after": STATUS_LABELS.get(o["status_after"], o["status_after"]),
            }
            for o in progress["owners"]
        ],
        "disagreements": progress["disagreements"],
        "left_out": {
            "domains_before_only": left["domains_before_only"],
            "domains_after_only": left["domains_after_only"],
            "questions_before_only": len(left["questions_before_only"]),
            "questions_after_only": len(left["questions_after_only"]),
            "findings": _findings(left["findings"]),
        },
        "renamed": progress.get("renamed", []),
    }
