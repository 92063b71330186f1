"""Assessments: start, targets, respondents and their personal links, close, re-assess."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField

from assessor.models import Assessment, MailLog, utcnow
from assessor.operations import assessments as ops
from assessor.operations import mailing, notices, reminder_schedule, respondent_links, submission
from assessor.operations import progress as progress_ops
from assessor.operations.catalog import catalog, questionnaire_for
from assessor.operations.errors import InvalidInput, Locked
from assessor.questionnaire import Questionnaire
from assessor.questionnaire.schema_base import holds_role
from assessor.web import access, mail_limits
from assessor.web.forms import (
    ActionForm,
    AssessmentForm,
    ConfirmForm,
    Form,
    ReminderForm,
    RespondentForm,
)

bp = Blueprint("assessments", __name__, url_prefix="/assessments")

LEVELS = [
    (str(i), f"{i} · {name}")
    for i, name in enumerate(("Not in place", "Ad hoc", "Defined", "Managed", "Optimised"))
]


def _user() -> Any:
    return current_user._get_current_object()


def pinned(assessment: Assessment) -> Questionnaire:
    """The assessment's questionnaire, as it started with it (a page that says which, with
    410, when it can't be loaded: see web/errors.py)."""
    return questionnaire_for(
        assessment.questionnaire_id,
        assessment.questionnaire_version,
        assessment.questionnaire_hash,
    )


def targets_form(questionnaire: Questionnaire, assessment: Assessment) -> FlaskForm:
    """One 0-4 select per scored domain."""

    class TargetsForm(Form):
        submit = SubmitField("Save targets")

    for domain_id, title in ops.scored_domains(questionnaire):
        field = SelectField(
            title, choices=LEVELS, default=str(assessment.targets.get(domain_id, 3))
        )
        setattr(TargetsForm, f"target_{domain_id}", field)
    return TargetsForm()


@bp.route("/new/<id:organization_id>", methods=["GET", "POST"])
@access.editor_required
def new(organization_id: int) -> ResponseReturnValue:
    organization = access.organization_or_404(organization_id)
    form = AssessmentForm()
    choices = [
        (f"{q.id}@{q.version}", f"{q.title} (v{q.version})") for q in reversed(catalog().offered())
    ]
    form.questionnaire.choices = choices
    if form.validate_on_submit():
        qid, _, version = (form.questionnaire.data or "").partition("@")
        questionnaire = catalog().get(qid, int(version))
        assessment = ops.start_assessment(
            organization, _user(), questionnaire, title=form.title.data
        )
        return redirect(url_for("assessments.detail", assessment_id=assessment.id))
    return render_template("assessments/new.html", f=form, organization=organization)


@bp.get("/<id:assessment_id>")
@access.member_required
def detail(assessment_id: int) -> ResponseReturnValue:
    return _detail_page(access.assessment_or_404(assessment_id), RespondentForm())


def _detail_page(assessment: Assessment, respondent_form: RespondentForm) -> str:
    """The assessment page: respondents with their progress, targets, actions."""
    questionnaire = pinned(assessment)
    people = [
        (r, progress_ops.respondent_percent(questionnaire, r)) for r in assessment.respondents
    ]
    peer = peer_role(assessment)
    if assessment.organization.workspace.kind == "own" and not respondent_form.is_submitted():
        respondent_form.role.data = peer
    now = utcnow()
    return render_template(
        "assessments/detail.html",
        assessment=assessment,
        questionnaire=questionnaire,
        people=people,
        respondent_form=respondent_form,
        targets=targets_form(questionnaire, assessment),
        action=ActionForm(),
        can_edit=access.can_edit(),
        # E-mail: what was sent to (or about) each respondent, and the reminder schedule.
        mail=mailing.by_respondent(assessment.id),
        reminders=ReminderForm(formdata=None, days=assessment.reminder_days),
        outlook=reminder_schedule.outlook(assessment, now),
        links=_links(assessment, now),
        now=now,
        peer_role=peer,
    )


def _links(assessment: Assessment, now: datetime) -> dict[int, str | None]:
    """Each working personal link, to copy, by respondent id (None: it can't be shown
    again); none for those who may not make links (a viewer, or before confirming one's
    address)."""
    if not access.can_edit() or _user().email_verified_at is None:
        return {}
    tokens = respondent_links.working(assessment.respondents, now)
    return {
        rid: url_for("answering.link_start", token=token, _external=True) if token else None
        for rid, token in tokens.items()
    }


def peer_role(assessment: Assessment) -> str:
    """Whom an organisation assessing itself asks next: the CISO, unless the CISO is
    already asked and the CIO is not; the CEO when one person answers as both."""
    roles = {r.role for r in assessment.respondents}
    ciso = any(holds_role(role, "CISO") for role in roles)
    cio = any(holds_role(role, "CIO") for role in roles)
    if ciso and cio and "CIO_CISO" in roles:
        return "CEO"
    return "CIO" if ciso and not cio else "CISO"


@bp.post("/<id:assessment_id>/targets")
@access.editor_required
def set_targets(assessment_id: int) -> ResponseReturnValue:
    assessment = access.assessment_or_404(assessment_id)
    questionnaire = pinned(assessment)
    form = targets_form(questionnaire, assessment)
    if not form.validate_on_submit():
        abort(400)
    values = {
        domain_id: int(getattr(form, f"target_{domain_id}").data)
        for domain_id, _ in ops.scored_domains(questionnaire)
    }
    ops.set_targets(assessment, questionnaire, values)
    flash("Targets saved.", "success")
    return redirect(url_for("assessments.detail", assessment_id=assessment.id))


@bp.post("/<id:assessment_id>/respondents")
@access.editor_required
def add_respondent(assessment_id: int) -> ResponseReturnValue:
    """Add a respondent.  An organisation assessing itself invites its CISO or CIO: with
    an address (and the user's own confirmed), the invitation is e-mailed at once."""
    assessment = access.assessment_or_404(assessment_id)
    form = RespondentForm()
    if form.validate_on_submit():
        name, role, email = form.name.data or "", form.role.data or "", form.email.data
        own = assessment.organization.workspace.kind == "own"
        verified = _user().email_verified_at is not None
        try:
            if own and email and verified:
                recipient = mail_limits.Recipient(f"address:{email}", name)
                allowed = mail_limits.check(_user().id, [recipient])
                _, log = notices.invite_respondent(
                    assessment, _user(), name=name, role=role, email=email
                )
                allowed.count()
            else:
                log = None
                ops.add_respondent(assessment, _user(), name=name, role=role, email=email)
        except mail_limits.MailLimited as exc:
            back = url_for("assessments.detail", assessment_id=assessment.id, _anchor="people")
            return mail_limits.refused(exc, back, "Back to the assessment")
        except InvalidInput as exc:
            field = getattr(form, exc.field or "", None)
            if field is not None:
                field.errors = [*field.errors, exc.message]
            else:
                flash(exc.message, "error")
        else:
            _flash_added(name, email, own, log)
            return redirect(url_for("assessments.detail", assessment_id=assessment.id))
    return _detail_page(assessment, form), 422


def _flash_added(name: str, email: str | None, own: bool, log: MailLog | None) -> None:
    if log is not None and log.status == "failed":
        flash(
            f"{name} added, but the invitation to {log.recipient} was not sent: {log.error}",
            "error",
        )
    elif log is not None:
        flash(
            f"Invitation e-mailed to {log.recipient}: whether it went shows beside {name}.",
            "success",
        )
    elif own and email:
        flash(
            f"{name} added. Confirm your own e-mail address first (with the link we sent "
            "you), then send their invitation with “Send link by e-mail”.",
            "info",
        )
    elif email:
        flash(f"{name} added. “Send link by e-mail” sends their personal link.", "success")
    else:
        flash(f"{name} added. Create their personal link when you are ready.", "success")


@bp.post("/<id:assessment_id>/respondents/<id:respondent_id>/link")
@access.editor_required
@access.verified_required
def issue_link(assessment_id: int, respondent_id: int) -> ResponseReturnValue:
    assessment = access.assessment_or_404(assessment_id)
    respondent = access.respondent_or_404(assessment, respondent_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    token = ops.issue_link(respondent, _user())
    link = url_for("answering.link_start", token=token, _external=True)
    return render_template(
        "assessments/link.html", assessment=assessment, respondent=respondent, link=link
    )


@bp.post("/<id:assessment_id>/respondents/<id:respondent_id>/revoke")
@access.editor_required
def revoke_link(assessment_id: int, respondent_id: int) -> ResponseReturnValue:
    assessment = access.assessment_or_404(assessment_id)
    respondent = access.respondent_or_404(assessment, respondent_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    ops.revoke_link(respondent, _user())
    flash(f"{respondent.name}'s link no longer works.", "success")
    return redirect(url_for("assessments.detail", assessment_id=assessment.id))


@bp.post("/<id:assessment_id>/respondents/<id:respondent_id>/reopen")
@access.editor_required
def reopen(assessment_id: int, respondent_id: int) -> ResponseReturnValue:
    assessment = access.assessment_or_404(assessment_id)
    respondent = access.respondent_or_404(assessment, respondent_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        submission.reopen(respondent, _user().email)
    except Locked as exc:
        flash(exc.message, "error")
    else:
        flash(f"{respondent.name}'s answers are open for changes again.", "success")
    return redirect(url_for("assessments.detail", assessment_id=assessment.id))


def confirm_page(
    assessment: Assessment | None,
    form: ConfirmForm,
    *,
    heading: str,
    consequences: list[str],
    confirm: str,
    button: str,
    back: str | None = None,
    crumb: str | None = None,
) -> ResponseReturnValue:
    """The page that asks before a step that cannot be undone: what will happen, and a box
    to tick (422 with the message beside it when it was posted unticked).  ``back`` and
    ``crumb``: where Cancel leads and what it reads (the assessment's page by default)."""
    form.confirm.label.text = confirm
    page = render_template(
        "assessments/confirm.html",
        assessment=assessment,
        form=form,
        heading=heading,
        consequences=consequences,
        button=button,
        back=back,
        crumb=crumb,
    )
    return page, 422 if form.is_submitted() else 200


@bp.route("/<id:assessment_id>/close", methods=["GET", "POST"])
@access.editor_required
def close(assessment_id: int) -> ResponseReturnValue:
    assessment = access.assessment_or_404(assessment_id)
    if assessment.status == "closed":
        flash("This assessment is already closed.", "success")
        return redirect(url_for("assessments.detail", assessment_id=assessment.id))
    form = ConfirmForm()
    if form.validate_on_submit():
        ops.close_assessment(assessment, _user())
        flash(
            "Assessment closed: its links no longer accept answers and its answers are final.",
            "success",
        )
        return redirect(url_for("assessments.detail", assessment_id=assessment.id))
    waiting = [r.name for r in assessment.respondents if r.submitted_at is None]
    consequences = [
        "Personal links stop accepting answers; nobody can answer, submit or reopen answers.",
        "The answers become final; the results and the report keep them as they are.",
    ]
    if waiting:
        consequences.append(
            "Not submitted yet: " + ", ".join(waiting) + ". They can no longer finish."
        )
    return confirm_page(
        assessment,
        form,
        heading="Close this assessment?",
        consequences=consequences,
        confirm="I understand that closing cannot be undone.",
        button="Close the assessment",
    )


@bp.route("/<id:assessment_id>/reassess", methods=["GET", "POST"])
@access.editor_required
def reassess(assessment_id: int) -> ResponseReturnValue:
    previous = access.assessment_or_404(assessment_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        latest = catalog().get(previous.questionnaire_id)
        try:
            assessment = ops.reassess(previous, _user(), latest)
        except InvalidInput as exc:
            flash(exc.message, "error")
            return redirect(url_for("assessments.detail", assessment_id=previous.id))
        flash(
            "A new assessment with the same people; compare it with the last one from its results.",
            "success",
        )
        return redirect(url_for("assessments.detail", assessment_id=assessment.id))
    count = len(previous.respondents)
    return confirm_page(
        previous,
        form,
        heading="Start a new round?",
        consequences=[
            f"A new assessment of {previous.organization.name} starts with the same "
            f"{count} respondent{'' if count == 1 else 's'} and targets, and no answers.",
            "Each respondent needs a new personal link; the links of this one do not carry over.",
            "This assessment stays as it is; the new round's results show the change since it.",
        ],
        confirm="Start a new round of this assessment.",
        button="Start the new round",
    )
