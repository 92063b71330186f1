"""What-if: change structural answers and targets in a sandbox and see, beside today's
result, which findings would close or appear and how each score moves.  Nothing is
stored as an answer; editors may keep a sandbox under a name (for the PDF's annex)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional

from assessor.models import Assessment, WhatIfScenario
from assessor.operations import what_if
from assessor.operations.errors import InvalidInput
from assessor.web import access
from assessor.web.forms import Form

bp = Blueprint("what_if", __name__, url_prefix="/assessments")


def _form(assessment: Assessment, kept: WhatIfScenario | None = None) -> Any:
    """One select per structural change this assessment offers and per domain target,
    the name to keep it under and whether it goes into the report."""

    class WhatIfForm(Form):
        name = StringField(
            "Name",
            validators=[Optional(), Length(max=what_if.MAX_NAME)],
            default=kept and kept.name,
        )
        in_report = BooleanField(
            'Print it in the report as the annex "Target structure"',
            default=bool(kept and kept.in_report),
        )
        preview = SubmitField("Show the effect")
        save = SubmitField("Keep this scenario")

    chosen = what_if.sandbox_of(kept) if kept is not None else what_if.Sandbox({}, {})
    offers = what_if.offers(assessment)
    for offer in offers:
        lever = offer.lever
        field = SelectField(
            lever.label,
            choices=[("", "As answered"), *lever.choices],
            default=chosen.overlay.get(lever.question, ""),
            description="Now: " + "; ".join(offer.now) if offer.now else "Now: not answered",
        )
        setattr(WhatIfForm, f"lever_{lever.question}", field)
    for domain, title, target in what_if.scored_domains(assessment):
        field = SelectField(
            f"Target for {title}",
            choices=[("", f"As set (level {target})")]
            + [(str(n), f"Level {n}") for n in what_if.LEVELS],
            default=str(chosen.targets[domain]) if domain in chosen.targets else "",
        )
        setattr(WhatIfForm, f"target_{domain}", field)
    form = WhatIfForm()
    form.lever_fields = [form[f"lever_{o.lever.question}"] for o in offers]
    form.target_fields = [f for f in form if f.name.startswith("target_")]
    return form


def _chosen(form: Any) -> tuple[dict[str, str], dict[str, str]]:
    overlay = {f.name.removeprefix("lever_"): f.data for f in form.lever_fields}
    targets = {f.name.removeprefix("target_"): f.data for f in form.target_fields}
    return overlay, targets


def _page(
    assessment: Assessment,
    form: Any,
    comparison: dict[str, Any] | None,
    kept: WhatIfScenario | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    page = render_template(
        "results/what_if.html",
        assessment=assessment,
        form=form,
        comparison=comparison,
        kept=kept,
        scenarios=what_if.scenarios(assessment),
        can_edit=access.can_edit(),
        back=url_for("results.show", assessment_id=assessment.id),
    )
    return page, status


def _error(form: Any, exc: InvalidInput) -> None:
    field = form[exc.field] if exc.field and exc.field in form else form.name
    field.errors = [*field.errors, exc.message]


@bp.route("/<id:assessment_id>/what-if", methods=["GET", "POST"])
@access.member_required
def sandbox(assessment_id: int) -> ResponseReturnValue:
    """The sandbox: choose changes, see their effect (anyone of the workspace)."""
    assessment = access.assessment_or_404(assessment_id)
    form = _form(assessment)
    if not form.is_submitted():
        return _page(assessment, form, None)
    if not form.validate():
        return _page(assessment, form, None, status=422)
    try:
        comparison = what_if.run(assessment, *_chosen(form))
    except InvalidInput as exc:
        _error(form, exc)
        return _page(assessment, form, None, status=422)
    return _page(assessment, form, comparison)


@bp.get("/<id:assessment_id>/what-if/<id:scenario_id>")
@access.member_required
def scenario(assessment_id: int, scenario_id: int) -> ResponseReturnValue:
    """A kept scenario, its changes in the form and their effect."""
    assessment = access.assessment_or_404(assessment_id)
    kept = what_if.scenario_of(assessment, scenario_id)
    if kept is None:
        abort(404)
    form = _form(assessment, kept)
    return _page(assessment, form, what_if.preview(assessment, what_if.sandbox_of(kept)), kept)


@bp.post("/<id:assessment_id>/what-if/save")
@access.editor_required
def save(assessment_id: int) -> ResponseReturnValue:
    """Keep the sandbox under a name (editors)."""
    assessment = access.assessment_or_404(assessment_id)
    form = _form(assessment)
    if not form.validate():
        return _page(assessment, form, None, status=422)
    try:
        kept = what_if.keep(
            assessment,
            current_user._get_current_object(),
            *_chosen(form),
            name=form.name.data or "",
            in_report=bool(form.in_report.data),
        )
    except InvalidInput as exc:
        _error(form, exc)
        return _page(assessment, form, None, status=422)
    flash(f"Scenario \u201c{kept.name}\u201d kept. Nothing was changed in the answers.", "success")
    return redirect(url_for("what_if.scenario", assessment_id=assessment.id, scenario_id=kept.id))


@bp.post("/<id:assessment_id>/what-if/<id:scenario_id>/delete")
@access.editor_required
def delete(assessment_id: int, scenario_id: int) -> ResponseReturnValue:
    assessment = access.assessment_or_404(assessment_id)
    kept = what_if.scenario_of(assessment, scenario_id)
    if kept is None:
        abort(404)
    name = kept.name
    what_if.delete(kept, current_user._get_current_object())
    flash(f"Scenario \u201c{name}\u201d removed.", "success")
    return redirect(url_for("what_if.sandbox", assessment_id=assessment.id))
