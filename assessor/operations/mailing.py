"""Writing one e-mail and logging it: the mail log holds every message, queued, sent or
failed with the error, so that a failed send is shown to the people who asked for it."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from flask import current_app, render_template, url_for
from sqlalchemy import select

from assessor.database import begin_write
from assessor.extensions import db
from assessor.mail import LONG_CHARS, Address, Link, LongText, build, one_line, person_text
from assessor.models import MailLog, utcnow
from assessor.operations import audit, mail_queue


def external_url(endpoint: str, **values: Any) -> Link:
    """An absolute link for an e-mail, always under ``BASE_URL``: the request's Host header
    is the client's to choose, and a reset asked for with a forged one would mail the
    victim a link (with its token) to the attacker's site."""
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        return Link(url_for(endpoint, _external=True, **values))


def _mail_value(value: Any) -> Any:
    if isinstance(value, Link | Address):
        return one_line(value)
    if isinstance(value, LongText):
        return person_text(value, LONG_CHARS)
    if isinstance(value, str):
        return person_text(value)
    if isinstance(value, list | tuple):
        return [_mail_value(v) for v in value]
    return value


def render(template: str, **context: Any) -> tuple[str, str]:
    """The subject (the template's first line, after ``Subject:``) and the body.  Links
    the service made go in as they are; any other text is people's, and goes in as
    :func:`person_text` makes it (one line, bounded, nothing a mail program links)."""
    flat = {k: _mail_value(v) for k, v in context.items()}
    text = render_template(f"mail/{template}.txt", **flat)
    first, _, body = text.lstrip().partition("\n")
    return first.removeprefix("Subject:").strip(), body.strip() + "\n"


def send(
    kind: str,
    to: str,
    template: str,
    *,
    workspace_id: int | None = None,
    assessment_id: int | None = None,
    respondent_id: int | None = None,
    user_id: int | None = None,
    action_id: int | None = None,
    actor: str = "system",
    **context: Any,
) -> MailLog:
    """Render ``mail/<template>.txt`` to ``to``, log it as queued (committed, in its own
    transaction) and hand it to a sender (:mod:`mail_queue`): in a request it is sent
    after, never during; outside one, before this returns.  Never raises for a failed
    send: the row says how it went."""
    subject, body = render(template, **context)
    message = build(current_app.config["MAIL_SENDER"], to, subject, body)
    begin_write()
    log = MailLog(
        workspace_id=workspace_id,
        assessment_id=assessment_id,
        respondent_id=respondent_id,
        user_id=user_id,
        action_id=action_id,
        kind=kind,
        recipient=to,
        subject=str(message["Subject"])[:300],
        status="queued",
        message=message.as_string(),
    )
    db.session.add(log)
    db.session.flush()
    if workspace_id is not None:
        audit.record(
            "mail-queued",
            workspace_id=workspace_id,
            actor=actor,
            target=f"mail:{log.id}",
            kind=kind,
        )
    db.session.commit()
    mail_queue.dispatch(log.id)
    db.session.refresh(log)
    return log


def by_respondent(assessment_id: int, per_respondent: int = 3) -> dict[int, list[MailLog]]:
    """The latest messages about each respondent of an assessment, newest first."""
    rows = db.session.scalars(
        select(MailLog)
        .where(MailLog.assessment_id == assessment_id, MailLog.respondent_id.is_not(None))
        .order_by(MailLog.created_at.desc(), MailLog.id.desc())
    )
    found: dict[int, list[MailLog]] = defaultdict(list)
    for row in rows:
        if row.respondent_id is not None and len(found[row.respondent_id]) < per_respondent:
            found[row.respondent_id].append(row)
    return dict(found)


def team_invitations(workspace_id: int) -> dict[str, MailLog]:
    """The latest team-invitation e-mail to each address, by address."""
    rows = db.session.scalars(
        select(MailLog)
        .where(MailLog.workspace_id == workspace_id, MailLog.kind == "team-invitation")
        .order_by(MailLog.created_at, MailLog.id)
    )
    return {row.recipient: row for row in rows}


#: How far back the dashboard lists e-mails that were not sent.
FAILURES_SHOWN_DAYS = 7


def recent_failures(workspace_id: int, limit: int = 20) -> list[MailLog]:
    """The workspace's e-mails that were not sent in the last ``FAILURES_SHOWN_DAYS`` days,
    newest first: a scheduled reminder that failed at night shows on the dashboard, not only
    on its assessment's page."""
    since = utcnow() - timedelta(days=FAILURES_SHOWN_DAYS)
    return list(
        db.session.scalars(
            select(MailLog)
            .where(
                MailLog.workspace_id == workspace_id,
                MailLog.status == "failed",
                MailLog.created_at >= since,
            )
            .order_by(MailLog.created_at.desc(), MailLog.id.desc())
            .limit(limit)
        )
    )


def latest_to_user(user_id: int, kind: str) -> MailLog | None:
    """The last message of this kind to an account (its verification link, say): how it
    went is shown to the person waiting for it."""
    return db.session.scalar(
        select(MailLog)
        .where(MailLog.user_id == user_id, MailLog.kind == kind)
        .order_by(MailLog.created_at.desc(), MailLog.id.desc())
        .limit(1)
    )
