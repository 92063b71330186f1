"""E-mail from the assessment page: a respondent's link by e-mail, reminders now, and the
reminder schedule."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from assessor.models import MailLog, Respondent
from assessor.operations import notices, reminder_schedule
from assessor.operations.errors import InvalidInput
from assessor.web import access, mail_limits
from assessor.web.forms import ActionForm, ReminderForm

bp = Blueprint("mailings", __name__, url_prefix="/assessments")


def _user() -> Any:
    return current_user._get_current_object()


def _back(assessment_id: int) -> ResponseReturnValue:
    return redirect(url_for("assessments.detail", assessment_id=assessment_id, _anchor="people"))


def _recipient(respondent: Respondent) -> mail_limits.Recipient:
    return mail_limits.Recipient(f"respondent:{respondent.id}", respondent.name)


def _refused(exc: mail_limits.MailLimited, assessment_id: int) -> ResponseReturnValue:
    back = url_for("assessments.detail", assessment_id=assessment_id, _anchor="people")
    return mail_limits.refused(exc, back, "Back to the assessment")


def _flash_sent(logs: list[MailLog]) -> None:
    for log in logs:
        if log.status == "sent":
            flash(f"E-mail sent to {log.recipient}.", "success")
        elif log.status == "queued":
            flash(
                f"E-mailing {log.recipient}: whether it went shows beside them (reload the page).",
                "success",
            )
        else:
            flash(f"The e-mail to {log.recipient} was not sent: {log.error}", "error")


@bp.post("/<id:assessment_id>/respondents/<id:respondent_id>/email")
@access.editor_required
@access.verified_required
def email_link(assessment_id: int, respondent_id: int) -> ResponseReturnValue:
    """E-mail the respondent their personal link: the one they hold while it works, else
    a new one."""
    assessment = access.assessment_or_404(assessment_id)
    respondent = access.respondent_or_404(assessment, respondent_id)
    if not ActionForm().validate_on_submit() or assessment.status == "closed":
        abort(400)
    try:
        allowed = mail_limits.check(_user().id, [_recipient(respondent)])
        _flash_sent([notices.email_invitation(respondent, _user())])
        allowed.count()
    except mail_limits.MailLimited as exc:
        return _refused(exc, assessment.id)
    except InvalidInput as exc:
        flash(exc.message, "error")
    return _back(assessment.id)


@bp.post("/<id:assessment_id>/reminders/send")
@access.editor_required
@access.verified_required
def remind(assessment_id: int) -> ResponseReturnValue:
    """Remind now everyone who has not submitted."""
    assessment = access.assessment_or_404(assessment_id)
    if not ActionForm().validate_on_submit() or assessment.status == "closed":
        abort(400)
    try:
        allowed = mail_limits.check(
            _user().id, [_recipient(r) for r in reminder_schedule.waiting(assessment)]
        )
    except mail_limits.MailLimited as exc:
        return _refused(exc, assessment.id)
    reminded = notices.remind(assessment, _user())
    if reminded.logs:
        allowed.count()
    if not reminded.logs:  # why nobody: everyone submitted, or no link or address
        flash(notices.nobody_to_remind(assessment), "info")
        return _back(assessment.id)
    _flash_sent(reminded.logs)
    for respondent in reminded.revoked:
        flash(
            f"{respondent.name} was not reminded: their link is revoked "
            "(“Send link by e-mail” sends them a new one).",
            "info",
        )
    return _back(assessment.id)


@bp.post("/<id:assessment_id>/reminders")
@access.editor_required
@access.verified_required
def schedule(assessment_id: int) -> ResponseReturnValue:
    assessment = access.assessment_or_404(assessment_id)
    form = ReminderForm()
    if not form.validate_on_submit():
        flash("; ".join(e for errors in form.errors.values() for e in errors), "error")
        return _back(assessment.id)
    notices.set_reminder_schedule(assessment, form.days.data, _user())
    flash(
        f"Reminders every {form.days.data} days, counted from when each respondent was last "
        "sent their link."
        if form.days.data
        else "No scheduled reminders.",
        "success",
    )
    return _back(assessment.id)
