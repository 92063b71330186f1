"""The voice in the exports (the consultant's; in an organisation's own workspace, its own):
the summary as edited, each finding's status and management response (by its number), the
facts settled and the review line."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

#: The sheet's (CSV block's) name and first cell, by the workspace's kind.
SHEET = {"firm": "Consultant", "own": "Review"}


def voice_rows(
    result: Mapping[str, Any], voice: Mapping[str, Any] | None, kind: str = "firm"
) -> list[Sequence[Any]]:
    """Rows of the :data:`SHEET` sheet (CSV block); none without any edit or review."""
    if not voice:
        return []
    review = voice.get("review")
    paragraphs = voice.get("paragraphs") or []
    judged = voice.get("findings") or {}
    settled = voice.get("settled") or []
    if not (review or paragraphs or judged or settled):
        return []
    rows: list[Sequence[Any]] = [(SHEET[kind].lower(), "")]
    if review:
        stale = " (changed since: not reviewed again)" if review["stale"] else ""
        rows.append(("reviewed", f"Reviewed by {review['reviewer']} on {review['date']}{stale}"))
    if paragraphs:
        rows.append(("executive summary (edited)", "\n\n".join(paragraphs)))
    if judged:
        rows += [
            (),
            (
                "ref",
                "finding key",
                "title",
                "status",
                "reason",
                "accepted by",
                "management response",
                "note",
            ),
        ]
        for finding in result["findings"]:
            item = judged.get(finding.get("key") or finding["id"])
            if item is None:
                continue
            rows.append(
                (
                    f"F{finding['number']}",
                    finding.get("key") or finding["id"],
                    finding["title"],
                    item["status_label"],
                    item["reason"],
                    item["accepted_by"],
                    item["response"],
                    item["note"],
                )
            )
    if settled:
        rows += [(), ("settled fact", "question", "value", "why")]
        rows += [("settled", s["question"], s["label"], s["reason"]) for s in settled]
    return rows
