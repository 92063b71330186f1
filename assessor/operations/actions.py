"""Remediation actions: a finding the client works on, with a named owner (a person of the
client, not an account), a due date, a status and a note of the evidence.

An action is kept per organisation under the finding's key
(:func:`assessor.operations.finding_keys.finding_key`), so the next round's results show it
beside the same finding.  An action marked done whose finding is raised again by a round
started after it was done is *regressed* (worked out when shown, never stored).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from assessor.database import begin_write
from assessor.extensions import db
from assessor.models import (
    ACTION_STATUSES,
    Assessment,
    Organization,
    RemediationAction,
    User,
    utcnow,
)
from assessor.operations import audit, kept_results
from assessor.operations.finding_keys import finding_key
from assessor.reports.labels import SEVERITY_RANK

STATUS_LABELS = {"open": "Open", "in_progress": "In progress", "done": "Done"}


@dataclass(frozen=True)
class ActionInput:
    """What a person fills in for an action."""

    owner_name: str
    owner_email: str
    due_date: date | None
    status: str
    evidence: str

    def __post_init__(self) -> None:
        if self.status not in ACTION_STATUSES:
            raise ValueError(f"status must be one of {', '.join(ACTION_STATUSES)}")


@dataclass(frozen=True)
class ActionView:
    """An action as the pages show it, with its state today."""

    id: int
    organization_id: int
    organization: str
    finding_key: str
    title: str
    severity: str
    owner_name: str
    owner_email: str
    due_date: date | None
    status: str
    evidence: str
    overdue: bool
    #: Done, yet a round started after that raises the finding again.
    regressed: bool

    @property
    def status_label(self) -> str:
        return "Regressed" if self.regressed else STATUS_LABELS[self.status]


def of_organization(organization_id: int) -> dict[str, RemediationAction]:
    """The organisation's actions by finding key."""
    rows = db.session.scalars(
        select(RemediationAction).where(RemediationAction.organization_id == organization_id)
    )
    return {row.finding_key: row for row in rows}


def in_workspace(action_id: int, workspace_id: int) -> RemediationAction | None:
    """The action, if it belongs to an organisation of the workspace."""
    return db.session.scalar(
        select(RemediationAction)
        .join(Organization)
        .where(RemediationAction.id == action_id, Organization.workspace_id == workspace_id)
    )


class NoSuchFinding(Exception):
    """The round's delivered result raises no finding with this key."""


@dataclass(frozen=True)
class Tracked:
    """A finding of a round's delivered result, and its organisation's action on it."""

    finding: Mapping[str, Any]
    action: RemediationAction | None


def tracked(assessment: Assessment, key: str) -> Tracked:
    """The finding with this key in the assessment's delivered result, and its action.

    :raise NoSuchFinding: the result raises no finding with this key.
    """
    result = kept_results.delivered(assessment).result
    finding = next((f for f in result["findings"] if finding_key(f) == key), None)
    if finding is None:
        raise NoSuchFinding(f"no finding {key!r} in assessment {assessment.id}")
    return Tracked(finding, of_organization(assessment.organization_id).get(key))


def _changes(action: RemediationAction, data: ActionInput) -> list[str]:
    fields = ("owner_name", "owner_email", "due_date", "status", "evidence")
    return [name for name in fields if getattr(action, name) != getattr(data, name)]


def _apply(action: RemediationAction, data: ActionInput) -> None:
    if data.status == "done" and action.status != "done":
        action.done_at = utcnow()
    elif data.status != "done":
        action.done_at = None
    action.owner_name = data.owner_name.strip()
    action.owner_email = data.owner_email.strip().lower()
    action.due_date = data.due_date
    action.status = data.status
    action.evidence = data.evidence.strip()


def _audit(
    what: str, action: RemediationAction, workspace_id: int, by: User, **detail: Any
) -> None:
    # The owner's name and address stay out of the log: erasing the client erases them.
    audit.record(
        what,
        workspace_id=workspace_id,
        actor=by.email,
        user=by,
        target=f"action:{action.id}",
        organization=action.organization_id,
        finding=action.finding_key,
        status=action.status,
        **detail,
    )


def track(
    assessment: Assessment, finding: Mapping[str, Any], data: ActionInput, by: User
) -> RemediationAction:
    """Make ``finding`` (of the assessment's delivered result) an action of its
    organisation, or update the action it already has; audited.  Two people making the
    same finding an action at once (PostgreSQL): the second one's change updates the
    action the first made."""
    try:
        return _track(assessment, finding, data, by)
    except IntegrityError:
        db.session.rollback()
        return _track(assessment, finding, data, by)


def _track(
    assessment: Assessment, finding: Mapping[str, Any], data: ActionInput, by: User
) -> RemediationAction:
    begin_write()  # SQLite: take the write lock before reading what is changed
    key = finding_key(finding)
    action = of_organization(assessment.organization_id).get(key)
    created = action is None
    if action is None:
        action = RemediationAction(organization_id=assessment.organization_id, finding_key=key)
        db.session.add(action)
        changed = ["owner_name", "owner_email", "due_date", "status", "evidence"]
    else:
        changed = _changes(action, data)
    action.title = finding["title"][:500]
    action.severity = finding["severity"]
    _apply(action, data)
    db.session.flush()
    _audit(
        "action-created" if created else "action-updated",
        action,
        assessment.organization.workspace_id,
        by,
        assessment=assessment.id,
        changed=changed,
    )
    db.session.commit()
    return action


def update(action: RemediationAction, data: ActionInput, by: User) -> RemediationAction:
    """Change an action (its owner, due date, status or evidence); audited."""
    begin_write()  # SQLite: take the write lock before reading what is changed
    changed = _changes(action, data)
    _apply(action, data)
    _audit("action-updated", action, action.organization.workspace_id, by, changed=changed)
    db.session.commit()
    return action


def regressed(organization_id: int, actions: Iterable[RemediationAction]) -> set[int]:
    """Ids of the done actions whose finding a round started after they were done raises
    again (that round's delivered result)."""
    done = [a for a in actions if a.status == "done" and a.done_at is not None]
    if not done:
        return set()
    since = min(a.done_at for a in done if a.done_at is not None)
    later = db.session.scalars(
        select(Assessment).where(
            Assessment.organization_id == organization_id, Assessment.created_at > since
        )
    )
    found: set[int] = set()
    for assessment in later:
        keys = {finding_key(f) for f in kept_results.delivered(assessment).result["findings"]}
        found |= {
            a.id
            for a in done
            if a.finding_key in keys and a.done_at is not None and assessment.created_at > a.done_at
        }
    return found


def _views(rows: list[RemediationAction], today: date) -> list[ActionView]:
    by_org: dict[int, list[RemediationAction]] = defaultdict(list)
    for row in rows:
        by_org[row.organization_id].append(row)
    back: set[int] = set()
    for organization_id, items in by_org.items():
        back |= regressed(organization_id, items)
    names = {
        row.id: row.name
        for row in db.session.execute(
            select(Organization.id, Organization.name).where(Organization.id.in_(by_org))
        )
    }
    views = [
        ActionView(
            row.id,
            row.organization_id,
            names[row.organization_id],
            row.finding_key,
            row.title,
            row.severity,
            row.owner_name,
            row.owner_email,
            row.due_date,
            row.status,
            row.evidence,
            overdue=row.status != "done" and row.due_date is not None and row.due_date < today,
            regressed=row.id in back,
        )
        for row in rows
    ]
    return sorted(
        views,
        key=lambda v: (
            SEVERITY_RANK.get(v.severity, 9),
            v.due_date or date.max,
            v.organization,
            v.id,
        ),
    )


def client_actions(organization: Organization, today: date) -> list[ActionView]:
    """Every action of the organisation, most severe first."""
    rows = list(
        db.session.scalars(
            select(RemediationAction).where(RemediationAction.organization_id == organization.id)
        )
    )
    return _views(rows, today)


def views_by_key(organization_id: int, today: date) -> dict[str, ActionView]:
    """The organisation's actions as shown beside its findings, by finding key."""
    rows = list(of_organization(organization_id).values())
    return {v.finding_key: v for v in _views(rows, today)}


@dataclass(frozen=True)
class WorkspaceActions:
    """Every action of a workspace: the overdue and regressed ones, and the rest grouped."""

    overdue: list[ActionView]
    regressed: list[ActionView]
    by_owner: list[tuple[str, list[ActionView]]]
    by_severity: list[tuple[str, list[ActionView]]]
    total: int


def workspace_actions(workspace_id: int, today: date) -> WorkspaceActions:
    """The workspace's actions: overdue, regressed, and grouped by owner and by severity
    (those not done, plus the regressed ones)."""
    rows = list(
        db.session.scalars(
            select(RemediationAction)
            .join(Organization)
            .where(Organization.workspace_id == workspace_id)
        )
    )
    views = _views(rows, today)
    pending = [v for v in views if v.status != "done" or v.regressed]
    owners: dict[str, list[ActionView]] = defaultdict(list)
    for view in pending:
        owners[f"{view.owner_name} <{view.owner_email}>"].append(view)
    severities: dict[str, list[ActionView]] = defaultdict(list)
    for view in pending:
        severities[view.severity].append(view)
    return WorkspaceActions(
        overdue=[v for v in views if v.overdue],
        regressed=[v for v in views if v.regressed],
        by_owner=sorted(owners.items(), key=lambda item: item[0].lower()),
        by_severity=sorted(severities.items(), key=lambda item: SEVERITY_RANK.get(item[0], 9)),
        total=len(views),
    )


def export_rows(organization_id: int, today: date) -> list[dict[str, Any]]:
    """The organisation's actions as plain values for the exports."""
    rows = list(of_organization(organization_id).values())
    return [
        {
            "finding_key": v.finding_key,
            "title": v.title,
            "severity": v.severity,
            "owner_name": v.owner_name,
            "owner_email": v.owner_email,
            "due_date": v.due_date.isoformat() if v.due_date else None,
            "status": "regressed" if v.regressed else v.status,
            "overdue": v.overdue,
            "evidence": v.evidence,
        }
        for v in _views(rows, today)
    ]
