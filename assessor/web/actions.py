"""Remediation actions: a finding made an action (owner, due date, status, evidence), the
client's actions, and every action of the workspace (overdue, by owner, by severity)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user

from assessor.models import utcnow
from assessor.operations import action_reminders, actions
from assessor.operations.errors import InvalidInput
from assessor.web import access, mail_limits
from assessor.web.action_forms import ActionForm
from assessor.web.forms import ActionForm as ButtonForm

bp = Blueprint("actions", __name__)


def _input(form: ActionForm) -> actions.ActionInput:
    return actions.ActionInput(
        owner_name=form.owner_name.data or "",
        owner_email=form.owner_email.data or "",
        due_date=form.due_date.data,
        status=form.status.data,
        evidence=form.evidence.data or "",
    )


@bp.route("/assessments/<id:assessment_id>/actions/track", methods=["GET", "POST"])
@access.editor_required
def track(assessment_id: int) -> ResponseReturnValue:
    """Make a finding of this round an action (or change the one it has)."""
    assessment = access.assessment_or_404(assessment_id)
    key = request.values.get("finding", "")
    try:
        found = actions.tracked(assessment, key)
    except actions.NoSuchFinding:
        abort(404)
    finding = found.finding
    form = ActionForm(obj=found.action).in_own_words(access.own())
    back = url_for("results.show", assessment_id=assessment.id) + f"#f-{finding['number']}"
    if form.validate_on_submit():
        actions.track(assessment, finding, _input(form), current_user._get_current_object())
        flash("Action saved.", "success")
        return redirect(back)
    page = render_template(
        "actions/form.html",
        form=form,
        title=finding["title"],
        severity=finding["severity"],
        organization=assessment.organization,
        action_url=url_for("actions.track", assessment_id=assessment.id, finding=key),
        back=back,
    )
    return page, 422 if form.is_submitted() else 200


@bp.route("/actions/<id:action_id>", methods=["GET", "POST"])
@access.editor_required
def edit(action_id: int) -> ResponseReturnValue:
    """Change an action: its owner, due date, status or evidence."""
    action = actions.in_workspace(action_id, access.membership().workspace_id)
    if action is None:
        abort(404)
    form = ActionForm(obj=action).in_own_words(access.own())
    back = url_for("actions.client", organization_id=action.organization_id)
    if form.validate_on_submit():
        actions.update(action, _input(form), current_user._get_current_object())
        flash("Action saved.", "success")
        return redirect(back)
    page = render_template(
        "actions/form.html",
        form=form,
        title=action.title,
        severity=action.severity,
        organization=access.organization_or_404(action.organization_id),
        action_url=url_for("actions.edit", action_id=action.id),
        back=back,
    )
    return page, 422 if form.is_submitted() else 200


@bp.get("/organizations/<id:organization_id>/actions")
@access.member_required
def client(organization_id: int) -> ResponseReturnValue:
    """The client's actions, most severe first."""
    organization = access.organization_or_404(organization_id)
    return render_template(
        "actions/client.html",
        organization=organization,
        actions=actions.client_actions(organization, utcnow().date()),
        can_edit=access.can_edit(),
        reminders=action_reminders.last_reminders(organization.id),
        button=ButtonForm(),
        reminder_days=int(current_app.config["ACTION_REMINDER_DAYS"]),
    )


@bp.post("/actions/<id:action_id>/remind")
@access.editor_required
@access.verified_required
def remind(action_id: int) -> ResponseReturnValue:
    """E-mail the action's owner a reminder now."""
    action = actions.in_workspace(action_id, access.membership().workspace_id)
    if action is None:
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    back = url_for("actions.client", organization_id=action.organization_id)
    user = current_user._get_current_object()
    recipient = mail_limits.Recipient(f"address:{action.owner_email}", action.owner_name)
    try:
        allowed = mail_limits.check(user.id, [recipient])
        log = action_reminders.remind_owner(action, user)
        allowed.count()
    except mail_limits.MailLimited as exc:
        return mail_limits.refused(exc, back, "Back to the actions")
    except InvalidInput as exc:
        flash(exc.message, "error")
        return redirect(back)
    if log.status == "failed":
        flash(f"Not sent to {log.recipient}: {log.error}", "error")
    else:
        flash(f"Reminder e-mailed to {action.owner_name} ({log.recipient}).", "success")
    return redirect(back)


@bp.get("/actions")
@access.member_required
def workspace() -> ResponseReturnValue:
    """Every action of the workspace: overdue, regressed, by owner, by severity."""
    return render_template(
        "actions/workspace.html",
        view=actions.workspace_actions(access.membership().workspace_id, utcnow().date()),
        can_edit=access.can_edit(),
    )
