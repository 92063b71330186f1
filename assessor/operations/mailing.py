"""Sending one e-mail and logging it: the mail log holds every message, sent or failed
with the error, so that a failed send is shown to the people who asked for it."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import current_app, render_template, url_for
from sqlalchemy import select

from assessor.database import begin_write
from assessor.extensions import db
from assessor.mail import MailError, build, deliver, one_line
from assessor.models import MailLog
from assessor.operations import audit


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute link for an e-mail, always under ``BASE_URL``: the request's Host header
    is the client's to choose, and a reset asked for with a forged one would mail the
    victim a link (with its token) to the attacker's site."""
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        return url_for(endpoint, _external=True, **values)


def render(template: str, **context: Any) -> tuple[str, str]:
    """The subject (the template's first line, after ``Subject:``) and the body.  Names
    and links are put on one line: a line break in a name must not end the subject."""
    flat = {k: one_line(v) if isinstance(v, str) else v for k, v in context.items()}
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
    actor: str = "system",
    **context: Any,
) -> MailLog:
    """Render ``mail/<template>.txt``, send it to ``to`` and log it, sent or failed (the
    error kept), in its own transaction; never raises for a failed send."""
    subject, body = render(template, **context)
    config = current_app.config
    message = build(config["MAIL_SENDER"], to, subject, body)
    status, error, outbox_file = "sent", None, None
    try:
        outbox_file = deliver(config, current_app.instance_path, message).outbox_file
    except MailError as exc:
        status, error = "failed", str(exc)
        current_app.logger.warning("mail %s to %s failed: %s", kind, to, error)
    begin_write()  # after the send: the write lock is not held while the server answers
    log = MailLog(
        workspace_id=workspace_id,
        assessment_id=assessment_id,
        respondent_id=respondent_id,
        user_id=user_id,
        kind=kind,
        recipient=to,
        subject=str(message["Subject"])[:300],
        status=status,
        error=error,
        outbox_file=outbox_file,
    )
    db.session.add(log)
    db.session.flush()
    if workspace_id is not None:
        audit.record(
            f"mail-{status}",
            workspace_id=workspace_id,
            actor=actor,
            target=f"mail:{log.id}",
            kind=kind,
            **({"error": error} if error else {}),
        )
    db.session.commit()
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
