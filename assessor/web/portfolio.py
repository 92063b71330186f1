"""The portfolio: the firm's clients x domains, from each client's latest delivered result."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue

from assessor.operations import benchmarks
from assessor.web import access
from assessor.web.forms import PortfolioFilterForm

bp = Blueprint("portfolio", __name__)


@bp.get("/portfolio")
@access.member_required
def index() -> ResponseReturnValue:
    if access.own():  # an organisation assessing itself has no clients to compare
        abort(404)
    form = PortfolioFilterForm(request.args)
    found = benchmarks.portfolio(
        access.workspace().id,
        sector=request.args.get("sector") or None,
        size=request.args.get("size") or None,
    )
    form.sector.choices = [("", "All sectors"), *found.sectors]
    valid = form.validate()
    return render_template("portfolio/index.html", form=form, portfolio=found), (
        200 if valid else 422
    )
