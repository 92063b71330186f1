"""Assessments: start one, its targets, its respondents and their personal links."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import func, select

from assessor.database import begin_write
from assessor.extensions import db
from assessor.models import Assessment, Organization, Respondent, User, Workspace, utcnow
from assessor.operations import audit, kept_results, render_queue, respondent_links
from assessor.operations.catalog import store_questionnaire
from assessor.operations.errors import InvalidInput, Locked
from assessor.operations.row_locks import lock_assessment, lock_respondent
from assessor.questionnaire import Questionnaire
from assessor.questionnaire.schema_base import RESPONDENT_ROLES


def scored_domains(questionnaire: Questionnaire) -> list[tuple[str, str]]:
    """(id, title) of the sections that hold model responsibilities: the scored domains."""
    domains = {r.domain for r in questionnaire.model}
    return [(s.id, s.title) for s in questionnaire.sections if s.id in domains]


def check_targets(questionnaire: Questionnaire, targets: dict[str, int]) -> dict[str, int]:
    known = dict(scored_domains(questionnaire))
    clean: dict[str, int] = {}
    for domain, level in targets.items():
        if domain not in known:
            raise InvalidInput(f"Unknown domain {domain!r}.", field=f"target_{domain}")
        if not isinstance(level, int) or not 0 <= level <= 4:
            raise InvalidInput(
                "A target is a maturity level from 0 to 4.", field=f"target_{domain}"
            )
        clean[domain] = level
    return clean


def start_assessment(
    organization: Organization,
    by: User,
    questionnaire: Questionnaire,
    *,
    title: str | None = None,
    targets: dict[str, int] | None = None,
    previous: Assessment | None = None,
) -> Assessment:
    """Start an assessment of an organisation, pinned to the questionnaire's version and hash;
    the questionnaire's files are stored under that hash if no assessment used it before."""
    assessment = Assessment(
        organization_id=organization.id,
        title=(title or "").strip() or f"{questionnaire.title} {utcnow():%Y}",
        questionnaire_id=questionnaire.id,
        questionnaire_version=questionnaire.version,
        questionnaire_hash=questionnaire.hash,
        status="draft",
        targets=check_targets(questionnaire, targets or {}),
        previous_id=previous.id if previous is not None else None,
        method_version=kept_results.current_method(),
    )
    begin_write()  # SQLite: take the write lock before reading what is changed
    store_questionnaire(questionnaire)
    db.session.add(assessment)
    db.session.flush()
    audit.record(
        "assessment-started",
        workspace_id=organization.workspace_id,
        actor=by.email,
        user=by,
        target=f"assessment:{assessment.id}",
        questionnaire=f"{questionnaire.id}@{questionnaire.version}",
    )
    db.session.commit()
    return assessment


def set_targets(
    assessment: Assessment, questionnaire: Questionnaire, targets: dict[str, int]
) -> None:
    begin_write()  # SQLite: take the write lock before reading what is changed
    assessment.targets = check_targets(questionnaire, targets)
    db.session.commit()


def add_respondent(
    assessment: Assessment,
    by: User,
    *,
    name: str,
    role: str,
    email: str | None = None,
    user: User | None = None,
) -> Respondent:
    """Add someone who will answer: by their personal link, or through the consultant.

    :raise InvalidInput: an unknown role, or the assessment already has
        ``MAX_RESPONDENTS`` respondents (``field`` is ``name``).
    """
    if role not in RESPONDENT_ROLES:
        raise InvalidInput("Choose one of the roles listed.", field="role")
    begin_write()  # SQLite: take the write lock before reading what is changed
    limit = int(current_app.config["MAX_RESPONDENTS"])
    if _respondent_count(assessment.id) >= limit:
        db.session.rollback()
        raise InvalidInput(
            f"An assessment has at most {limit} respondents; remove one before adding another.",
            field="name",
        )
    respondent = Respondent(
        assessment_id=assessment.id,
        name=name.strip(),
        role=role,
        email=(email or "").strip().lower() or None,
        user_id=user.id if user is not None else None,
    )
    db.session.add(respondent)
    db.session.flush()
    audit.record(
        "respondent-added",
        workspace_id=assessment.organization.workspace_id,
        actor=by.email,
        user=by,
        target=f"respondent:{respondent.id}",
        role=role,
    )
    db.session.commit()
    return respondent


def _respondent_count(assessment_id: int) -> int:
    """How many respondents (removed ones aside) the assessment has, as stored now."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Respondent)
            .where(Respondent.assessment_id == assessment_id, Respondent.removed_at.is_(None))
        )
        or 0
    )


def _record(action: str, respondent: Respondent, by: User | None, **detail: Any) -> None:
    """Audit ``action`` on a respondent, by a user or (``by`` None) the service itself."""
    audit.record(
        action,
        workspace_id=respondent.assessment.organization.workspace_id,
        actor=by.email if by is not None else "system",
        user=by,
        target=f"respondent:{respondent.id}",
        **detail,
    )


def rename_respondent(respondent: Respondent, by: User, name: str) -> None:
    """Give a respondent another name (shown everywhere from now on)."""
    begin_write()  # SQLite: take the write lock before reading what is changed
    before = respondent.name
    respondent.name = name.strip()
    _record("respondent-renamed", respondent, by, before=before, after=respondent.name)
    db.session.commit()


def _refuse_when_closed(assessment: Assessment) -> None:
    if assessment.status == "closed":
        db.session.rollback()
        raise Locked("This assessment is closed; who its results count can no longer change.")


def include_respondent(respondent: Respondent, by: User, included: bool) -> None:
    """Count a respondent still answering in the results (``included``), or stop counting them.

    :raise Locked: the assessment is closed.
    """
    begin_write()  # SQLite: take the write lock before reading what is changed
    _refuse_when_closed(respondent.assessment)
    respondent.included = included
    _record("respondent-included" if included else "respondent-left-out", respondent, by)
    db.session.commit()
    render_queue.prerender(respondent.assessment_id)


def remove_respondent(respondent: Respondent, by: User) -> None:
    """Remove a respondent: gone from the lists and results, their link revoked; their
    answers and answer history are kept.  When everyone left has submitted, so has the
    assessment.

    :raise Locked: the assessment is closed.
    """
    respondent_id, assessment_id = respondent.id, respondent.assessment_id
    begin_write()  # SQLite: take the write lock before reading what is changed
    # PostgreSQL: the respondent's row, then the assessment's, in a submission's order: a
    # submission at the same moment sees this removal, or this removal sees it.
    connection = db.session.connection()
    lock_respondent(connection, respondent_id)
    lock_assessment(connection, assessment_id)
    assessment = respondent.assessment
    _refuse_when_closed(assessment)
    respondent.removed_at = utcnow()
    respondent.revoked = True
    _record("respondent-removed", respondent, by)
    db.session.flush()
    db.session.expire(assessment, ["respondents"])
    left = assessment.respondents
    if left and all(r.submitted_at is not None for r in left):
        assessment.status = "submitted"
    db.session.commit()
    render_queue.prerender(assessment_id)


def _new_link(respondent: Respondent, by: User | None) -> str:
    """Give the respondent a new link in the write transaction under way; its token."""
    token = respondent_links.renew(respondent, utcnow())
    if by is not None:  # a scheduled reminder keeps who asked first
        respondent.link_issued_by_id = by.id
    _record("respondent-invited", respondent, by)
    return token


def issue_link(respondent: Respondent, by: User | None) -> str:
    """A new personal link token for the respondent; any earlier link stops working.
    ``by`` None: the service itself."""
    begin_write()  # SQLite: take the write lock before reading what is changed
    # PostgreSQL: the respondent's link changes one at a time (a reminder at the same
    # moment sends the link this leaves, never one it replaced).
    lock_respondent(db.session.connection(), respondent.id)
    token = _new_link(respondent, by)
    db.session.commit()
    return token


def link_to_send(respondent: Respondent, by: User | None) -> str:
    """The personal link to e-mail the respondent (an invitation or a reminder; ``by``
    None: the schedule): the one they hold when it still works, now working for
    ``INVITE_DAYS`` from today; a new one when it has expired or was revoked, or when it
    can't be derived again (made before links were derived, or before ``SECRET_KEY``
    changed)."""
    begin_write()  # SQLite: take the write lock before reading what is changed
    lock_respondent(db.session.connection(), respondent.id)
    token = respondent_links.extend(respondent, utcnow())
    if token is None:
        token = _new_link(respondent, by)
    else:
        expires_at = respondent.token_expires_at
        assert expires_at is not None  # noqa: S101  (extend() returns a working link's token)
        _record("respondent-link-extended", respondent, by, until=expires_at.date().isoformat())
    db.session.commit()
    return token


def add_respondent_with_link(
    assessment: Assessment,
    by: User,
    *,
    name: str,
    role: str,
    email: str | None = None,
    link: bool = True,
) -> tuple[Respondent, str | None]:
    """:func:`add_respondent`, then (``link``) :func:`issue_link`: the respondent and
    their link's token (None without a link)."""
    respondent = add_respondent(assessment, by, name=name, role=role, email=email)
    return respondent, issue_link(respondent, by) if link else None


def revoke_link(respondent: Respondent, by: User) -> None:
    begin_write()  # SQLite: take the write lock before reading what is changed
    respondent.revoked = True
    _record("respondent-link-revoked", respondent, by)
    db.session.commit()


def close_assessment(assessment: Assessment, by: User) -> None:
    """Close the assessment: its answers become final and the result it delivers now is
    stored (with the questionnaire and method it was scored by), served from then on."""
    begin_write()  # SQLite: take the write lock before reading what is changed
    assessment.status = "closed"
    assessment.closed_at = utcnow()
    kept = kept_results.store_scored(assessment, reason="closed", by=by.email)
    audit.record(
        "assessment-closed",
        workspace_id=assessment.organization.workspace_id,
        actor=by.email,
        user=by,
        target=f"assessment:{assessment.id}",
        stored_result=kept.number,
        method=kept.method_version,
    )
    db.session.commit()
    render_queue.prerender(assessment.id)


def start_self_assessment(
    user: User,
    workspace: Workspace,
    questionnaire: Questionnaire,
    *,
    organization_name: str,
    role: str,
) -> Respondent:
    """Assess one's own organisation: the organisation, the assessment and oneself as respondent."""
    begin_write()  # SQLite: take the write lock before reading what is changed
    organization = db.session.scalar(
        select(Organization).where(
            Organization.workspace_id == workspace.id,
            Organization.name == organization_name.strip(),
        )
    )
    if organization is None:
        organization = Organization(workspace_id=workspace.id, name=organization_name.strip())
        db.session.add(organization)
        db.session.flush()
    assessment = start_assessment(organization, user, questionnaire, title="Self-assessment")
    return add_respondent(assessment, user, name=user.name, role=role, email=user.email, user=user)


def reassess(previous: Assessment, by: User, questionnaire: Questionnaire) -> Assessment:
    """A new assessment of the same organisation with the same people, linked to the last one.

    :raise InvalidInput: the last one has more respondents than ``MAX_RESPONDENTS``.
    """
    limit = int(current_app.config["MAX_RESPONDENTS"])
    if len(previous.respondents) > limit:
        raise InvalidInput(
            f"An assessment has at most {limit} respondents and this one has "
            f"{len(previous.respondents)}; remove some before starting a new round."
        )
    assessment = start_assessment(
        previous.organization,
        by,
        questionnaire,
        title=f"{questionnaire.title} {utcnow():%Y}",
        targets={k: v for k, v in previous.targets.items()},
        previous=previous,
    )
    for person in previous.respondents:
        add_respondent(
            assessment,
            by,
            name=person.name,
            role=person.role,
            email=person.email,
            user=db.session.get(User, person.user_id) if person.user_id else None,
        )
    return assessment


def workspace_assessments(workspace_id: int) -> list[Assessment]:
    return list(
        db.session.scalars(
            select(Assessment)
            .join(Organization)
            .where(Organization.workspace_id == workspace_id)
            .order_by(Assessment.updated_at.desc())
        )
    )
