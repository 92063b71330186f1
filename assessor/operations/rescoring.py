"""Re-scoring with the current method: what changes, shown before anything is stored.

An assessment scored with an older method (closed ones keep their stored result; open
ones keep the method they started with) moves to the engine's method only by this
explicit step: :func:`preview` compares the result it shows now with what today's engine
gives (headline score and band, findings added, removed and changed in severity, matched
by :func:`finding_key`); :func:`rescore` stores the new result as the current one (the old
row stays as history), records the method, audits it and renders the PDF again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assessor.database import begin_write
from assessor.extensions import db
from assessor.models import Assessment, User
from assessor.operations import audit, kept_results, render_queue
from assessor.operations.errors import Conflict
from assessor.operations.finding_keys import finding_key
from assessor.operations.scoring import score_assessment

__all__ = ["Headline", "compare", "finding_key", "preview", "rescore"]


@dataclass(frozen=True)
class Headline:
    """A result's headline as a reader sees it: the overall score and its band (None
    where the method gives no band)."""

    method_version: int | None
    overall: Any
    band: str | None

    @classmethod
    def of(cls, result: Mapping[str, Any] | None) -> Headline:
        if result is None:
            return cls(None, None, None)
        method = result.get("method") or {}
        return cls(method.get("version"), result.get("overall"), result.get("band"))


@dataclass(frozen=True)
class SeverityChange:
    key: str
    title: str
    before: str
    after: str


@dataclass(frozen=True)
class Changes:
    """What re-scoring changes, and a digest of the new result (the confirm form carries
    it, so that what is stored is what was shown)."""

    before: Headline
    after: Headline
    added: tuple[Mapping[str, Any], ...]
    removed: tuple[Mapping[str, Any], ...]
    severity: tuple[SeverityChange, ...]
    unchanged: int
    digest: str

    @property
    def any(self) -> bool:
        return bool(self.added or self.removed or self.severity or self.before != self.after)


def compare(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> Changes:
    """The changes from ``before`` (None: no result kept) to ``after``, two result dicts."""
    old = {finding_key(f): f for f in (before or {}).get("findings", [])}
    new = {finding_key(f): f for f in after["findings"]}
    severity = tuple(
        SeverityChange(key, new[key]["title"], old[key]["severity"], new[key]["severity"])
        for key in new
        if key in old and old[key]["severity"] != new[key]["severity"]
    )
    return Changes(
        before=Headline.of(before),
        after=Headline.of(after),
        added=tuple(f for key, f in new.items() if key not in old),
        removed=tuple(f for key, f in old.items() if key not in new),
        severity=severity,
        unchanged=sum(1 for key in new if key in old) - len(severity),
        digest=kept_results.digest(kept_results.canonical(dict(after))),
    )


def preview(assessment: Assessment) -> Changes:
    """What re-scoring ``assessment`` with today's method would change; stores nothing."""
    return _now(assessment)[0]


def _now(assessment: Assessment) -> tuple[Changes, dict[str, Any]]:
    """The changes, and the result today's method gives."""
    shown = kept_results.delivered(assessment)
    before = shown.result if shown.kept is not None else None
    after = score_assessment(assessment).result.to_dict()
    return compare(before, after), after


def rescore(assessment: Assessment, by: User, shown_digest: str) -> Changes:
    """Store today's result of ``assessment`` as its current one (the earlier rows stay),
    record today's method, audit it, and render its PDF again.

    :raise Conflict: the new result is no longer the one previewed (answers changed since);
        the caller shows the preview again.
    """
    begin_write()  # SQLite: take the write lock before reading what is changed
    changes, after = _now(assessment)
    if changes.digest != shown_digest:
        db.session.rollback()
        raise Conflict(
            "The result changed since the comparison was shown (answers were saved "
            "meanwhile). Check the changes below again before confirming."
        )
    row = kept_results.store(
        assessment,
        after,
        method_version=kept_results.current_method(),
        reason="rescored",
        by=by.email,
    )
    assessment.method_version = kept_results.current_method()
    audit.record(
        "assessment-rescored",
        workspace_id=assessment.organization.workspace_id,
        actor=by.email,
        user=by,
        target=f"assessment:{assessment.id}",
        method_before=changes.before.method_version,
        method_after=kept_results.current_method(),
        overall_before=changes.before.overall,
        overall_after=changes.after.overall,
        findings_added=len(changes.added),
        findings_removed=len(changes.removed),
        severity_changed=len(changes.severity),
        stored_result=row.number,
    )
    db.session.commit()
    render_queue.prerender(assessment.id)  # after the commit: the new result's PDF
    return changes
