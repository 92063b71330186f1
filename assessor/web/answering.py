"""Answering the questionnaire: by personal link, or by the consultant for a respondent.

One section a page; autosave per answer (JSON, CSRF header); "Save and continue" without
JavaScript; optimistic locking; submit locks the answers.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user

from assessor.operations import answers as ops
from assessor.operations import progress as progress_ops
from assessor.operations import submission, welcome
from assessor.operations.errors import OperationError
from assessor.questionnaire import Questionnaire, Section
from assessor.web import access, seats
from assessor.web.errors import LinkNotWorking
from assessor.web.forms import ActionForm
from assessor.web.questionnaire_form import (
    comment_name,
    form_value,
    section_form,
    section_form_class,
    show_if_json,
    version_name,
)
from assessor.web.seats import Seat

bp = Blueprint("answering", __name__)


# --- the page -----------------------------------------------------------------------------


def _page(
    seat: Seat, section_id: str | None, stored: dict[str, ops.StoredAnswer] | None = None
) -> ResponseReturnValue:
    """A section's page; ``stored``: the respondent's answers, when already read."""
    if seat.respondent.submitted_at is not None:
        return render_template("answering/submitted.html", seat=seat, respondent_mode=seat.by_link)
    section = seats.section(seat, section_id)
    form_class = section_form_class(seat.questionnaire, section.id)
    if request.method == "POST":
        form = form_class()
        status = 422
        if form.validate_on_submit():
            changes = _changes_from_form(seat.questionnaire, section, form)
            going = _going_to(seat, section)
            try:
                ops.save_answers(
                    seat.questionnaire,
                    seat.respondent,
                    changes,
                    seat.actor,
                    skip_hidden=True,
                    # Resume where "Save and continue" leads (the review page: this section).
                    section_id=(going or section).id if seat.own else None,
                )
            except OperationError as exc:
                _attach_error(form, exc)
                status = exc.status
            else:
                if going is None:
                    return redirect(seat.url("submit"))
                return redirect(seat.url("page", section_id=going.id))
        ops.write_nothing()  # the page is shown again, with its errors, outside the lock
        values = _values(ops.answers_of(seat.respondent.id))
        return _render(seat, section, form, values), status
    # On a GET the form holds the stored answers.  Looking writes nothing: the resume
    # point moves when the respondent saves (autosave, or the section's buttons), so a
    # page view is reads only.
    if stored is None:
        stored = ops.answers_of(seat.respondent.id)
    form = section_form(seat.questionnaire, section.id, _stored_data(section, stored, seat))
    return _render(seat, section, form, _values(stored))


def _going_to(seat: Seat, section: Section) -> Section | None:
    """Where the section's button posted leads: a section, or None for review and submit."""
    action = request.form.get("go", "next")
    sections = seat.questionnaire.sections
    index = next(i for i, s in enumerate(sections) if s.id == section.id)
    if action == "stay":
        return section
    if action == "previous" and index > 0:
        return sections[index - 1]
    if index + 1 < len(sections) and action != "review":
        return sections[index + 1]
    return None


def _values(stored: dict[str, ops.StoredAnswer]) -> dict[str, Any]:
    """The answer values (cleared ones left out), as ``ops.answer_values``."""
    return {qid: a.value for qid, a in stored.items() if a.value is not None}


def _stored_data(
    section: Section, stored: dict[str, ops.StoredAnswer], seat: Seat
) -> dict[str, Any]:
    """The section form's data: each stored answer, comment and version (0 for none)."""
    data = _prefill(section, stored, seat)
    for question in section.questions:
        answer = stored.get(question.id)
        if answer is not None:
            data[question.id] = answer.value
            data[comment_name(question.id)] = answer.comment or ""
        data[version_name(question.id)] = answer.version if answer is not None else 0
    return data


def _prefill(section: Section, stored: dict[str, ops.StoredAnswer], seat: Seat) -> dict[str, Any]:
    """Context answers known from the organisation's record, until the respondent answers."""
    sector = seat.respondent.organization_sector
    known: dict[str, Any] = {}
    for question in section.questions:
        if not question.context or question.id in stored:
            continue
        values = {str(o.value) for o in question.all_options}
        if question.id == "sector" and sector in values:
            known[question.id] = sector
    return known


def _changes_from_form(
    questionnaire: Questionnaire, section: Section, form: Any
) -> list[ops.Change]:
    changes = []
    for question in section.questions:
        version_text = getattr(form, version_name(question.id)).data
        changes.append(
            ops.Change(
                question_id=question.id,
                value=form_value(question, getattr(form, question.id).data),
                comment=getattr(form, comment_name(question.id)).data,
                version=_version(version_text),
            )
        )
    return changes


def _version(text: Any) -> int:
    """A page's hidden version field as a number.  Anything but plain ASCII digits ("²"
    and "١" are digits to ``str.isdigit`` but not to ``int``) counts as 0, "read before
    any answer": a stored answer then makes it a conflict, never a silent overwrite."""
    text = str(text or "")
    return int(text) if text.isascii() and text.isdigit() else 0


def _attach_error(form: Any, exc: OperationError) -> None:
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, exc.message]
    else:
        form.form_errors.append(exc.message)


def _render(seat: Seat, section: Section, form: Any, values: dict[str, Any]) -> str:
    shown = ops.visible_ids(seat.questionnaire, seat.respondent.role, values)
    sections = progress_ops.progress_of(seat.questionnaire, seat.respondent.role, values, shown)
    index = next(i for i, s in enumerate(seat.questionnaire.sections) if s.id == section.id)
    return render_template(
        "answering/page.html",
        seat=seat,
        section=section,
        form=form,
        form_errors=form.form_errors,
        csrf_field=current_app.config.get("WTF_CSRF_ENABLED", True),
        shown=shown,
        guidance=ops.section_guidance(seat.questionnaire, section.id, seat.respondent.role, values),
        show_if=show_if_json(seat.questionnaire, section.id),
        comment_name=comment_name,
        version_name=version_name,
        sections=sections,
        overall=progress_ops.overall_percent(sections),
        answers_json=values,
        index=index,
        last=index + 1 == len(seat.questionnaire.sections),
        respondent_mode=seat.by_link,
    )


# --- autosave ------------------------------------------------------------------------------


def _storable(payload: Any) -> bool:
    """False when JSON spelled a lone surrogate ("\\ud800"): no database or page can hold it."""
    try:
        json.dumps(payload, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, RecursionError):
        return False
    return True


def _autosave(seat: Seat) -> ResponseReturnValue:
    try:
        payload = request.get_json(silent=True)
    except RecursionError:  # JSON nested too deeply for the parser: not an answer either
        payload = None
    if not isinstance(payload, dict):
        return jsonify(error="Send a JSON object: {question, value, comment, version}."), 400
    if not _storable(payload):
        return jsonify(error="The answer holds text that is not valid Unicode."), 400
    question_id = payload.get("question")
    if not isinstance(question_id, str) or question_id not in seat.questionnaire.questions:
        return jsonify(error=f"Unknown question {str(question_id)[:100]!r}.", field="question"), 422
    version = payload.get("version")
    if version is None:  # as the page form's missing version: never a silent overwrite
        message = "version is required: the answer's version when it was read (0: no answer)."
        return jsonify(error=message, field="version"), 422
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        return jsonify(error="version must be a whole number.", field="version"), 422
    comment = payload.get("comment")
    if comment is not None and not isinstance(comment, str):
        return jsonify(error="comment must be text.", field="comment"), 422
    question = seat.questionnaire.questions[question_id]
    change = ops.Change(question_id, form_value(question, payload.get("value")), comment, version)
    try:
        section = seat.questionnaire.section_of[question_id]
        saved = ops.save_answers(
            seat.questionnaire,
            seat.respondent,
            [change],
            seat.actor,
            section_id=section.id if seat.own else None,
        )
    except OperationError as exc:
        body: dict[str, Any] = {"error": exc.message, "field": exc.field}
        if exc.status == 409:
            current = ops.answers_of(seat.respondent.id).get(question_id)
            if current is not None:
                body["current"] = {
                    "value": current.value,
                    "comment": current.comment,
                    "version": current.version,
                }
        return jsonify(body), exc.status
    answer = saved.get(question_id)
    role = seat.respondent.role
    shown = ops.visible_ids(seat.questionnaire, role, saved.values)
    sections = progress_ops.progress_of(seat.questionnaire, role, saved.values, shown)
    return jsonify(
        saved=True,
        question=question_id,
        version=answer.version if answer is not None else 0,
        saved_at=answer.updated_at.isoformat() if answer is not None else None,
        sections={s.id: s.percent for s in sections},
        overall=progress_ops.overall_percent(sections),
        shown=sorted(shown),
    )


# --- submit --------------------------------------------------------------------------------


def _submit(seat: Seat) -> ResponseReturnValue:
    if seat.respondent.submitted_at is not None:
        return render_template("answering/submitted.html", seat=seat, respondent_mode=seat.by_link)
    form = ActionForm()
    status = 200
    error = None
    if form.validate_on_submit():
        try:
            submitted_at = submission.submit(
                seat.questionnaire,
                seat.respondent,
                seat.actor,
                by_user_id=None if seat.by_link else current_user.id,
            )
        except OperationError as exc:
            error, status = exc.message, exc.status
        else:
            seat = replace(seat, respondent=replace(seat.respondent, submitted_at=submitted_at))
            if not seat.by_link and seat.respondent.user_id == current_user.id:
                flash("Your answers are submitted. Here are your results.", "success")
                return redirect(
                    url_for("results.show", assessment_id=seat.respondent.assessment_id)
                )
            return render_template(
                "answering/submitted.html", seat=seat, respondent_mode=seat.by_link
            )
    role, values = seat.respondent.role, _values(ops.answers_of(seat.respondent.id))
    missing = progress_ops.missing_of(seat.questionnaire, role, values)
    questions = seat.questionnaire.questions
    section_of = seat.questionnaire.section_of
    return render_template(
        "answering/submit.html",
        seat=seat,
        form=form,
        error=error,
        missing=[(questions[q], section_of[q]) for q in missing],
        sections=progress_ops.progress_of(seat.questionnaire, role, values),
        respondent_mode=seat.by_link,
    ), status


# --- routes: by personal link ----------------------------------------------------------------


@bp.get("/r/<token>")
@seats.link_limited
def link_start(token: str) -> ResponseReturnValue:
    """Where the link leads: the welcome page the first time, then where they left off."""
    seat = seats.link_seat(token)
    if seat.respondent.last_section is None and seat.respondent.submitted_at is None:
        return redirect(url_for("answering.link_welcome", token=token))
    return redirect(seat.url("page", section_id=seats.section(seat, None).id))


@bp.get("/r/<token>/welcome")
@seats.link_limited
def link_welcome(token: str) -> ResponseReturnValue:
    """Who asked and why, how long it takes, and how the answers are kept."""
    seat = seats.link_seat(token)
    return render_template(
        "answering/welcome.html",
        seat=seat,
        about=welcome.welcome(seat.respondent),
        start=seat.url("page", section_id=seat.questionnaire.sections[0].id),
        respondent_mode=True,
    )


@bp.route("/r/<token>/s/<section_id>", methods=["GET", "POST"])
@seats.link_limited
def link_page(token: str, section_id: str) -> ResponseReturnValue:
    if request.method == "POST":
        return _page(seats.link_seat(token), section_id)
    # A page view: the respondent and their answers in one query.
    found = ops.by_token_with_answers(token)
    if found is None:
        raise LinkNotWorking()
    respondent, stored = found
    return _page(seats.link_seat(token, respondent), section_id, stored)


@bp.post("/r/<token>/autosave")
@seats.link_limited
def link_autosave(token: str) -> ResponseReturnValue:
    return _autosave(seats.link_seat(token))


@bp.route("/r/<token>/submit", methods=["GET", "POST"])
@seats.link_limited
def link_submit(token: str) -> ResponseReturnValue:
    return _submit(seats.link_seat(token))


# --- routes: the consultant (or a self-assessing user) answering ----------------------------

_PREFIX = "/assessments/<id:assessment_id>/respondents/<id:respondent_id>/answer"


@bp.get(_PREFIX)
@access.editor_required
def consultant_start(assessment_id: int, respondent_id: int) -> ResponseReturnValue:
    seat = seats.consultant_seat(assessment_id, respondent_id)
    return redirect(seat.url("page", section_id=seats.section(seat, None).id))


@bp.route(f"{_PREFIX}/s/<section_id>", methods=["GET", "POST"])
@access.editor_required
@seats.user_limited
def consultant_page(assessment_id: int, respondent_id: int, section_id: str) -> ResponseReturnValue:
    return _page(seats.consultant_seat(assessment_id, respondent_id), section_id)


@bp.post(f"{_PREFIX}/autosave")
@access.editor_required
@seats.user_limited
def consultant_autosave(assessment_id: int, respondent_id: int) -> ResponseReturnValue:
    return _autosave(seats.consultant_seat(assessment_id, respondent_id))


@bp.route(f"{_PREFIX}/submit", methods=["GET", "POST"])
@access.editor_required
@seats.user_limited
def consultant_submit(assessment_id: int, respondent_id: int) -> ResponseReturnValue:
    return _submit(seats.consultant_seat(assessment_id, respondent_id))
