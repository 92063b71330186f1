"""Two-factor sign-in: the second step of signing in, and turning it on and off."""

from __future__ import annotations

import base64
import time
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from assessor.extensions import db, limiter
from assessor.models import User
from assessor.operations import two_factor as ops
from assessor.operations.errors import InvalidInput
from assessor.web.auth import PENDING_KEY, start_session
from assessor.web.forms import ActionForm, CodeForm

bp = Blueprint("two_factor", __name__)

#: Seconds the second step may wait after the password was accepted.
PENDING_SECONDS = 300


def _user() -> Any:
    return current_user._get_current_object()


def _pending_user() -> User | None:
    """The user whose password was right a moment ago, waiting for their second factor."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - int(pending.get("at", 0)) > PENDING_SECONDS:
        return None
    user = db.session.get(User, int(pending.get("user", 0)))
    return user if user is not None and ops.enabled(user) else None


def _pending_key() -> str:
    pending = session.get(PENDING_KEY)
    return f"2fa-user:{pending.get('user') if isinstance(pending, dict) else None}"


@bp.route("/signin/code", methods=["GET", "POST"])
@limiter.limit(lambda: str(current_app.config["RATELIMIT_AUTH"]), methods=["POST"])
@limiter.limit(
    lambda: str(current_app.config["RATELIMIT_TWO_FACTOR"]),
    key_func=_pending_key,
    methods=["POST"],
)
def sign_in_code() -> ResponseReturnValue:
    """The second step of signing in: a code from the authenticator, or a recovery code.
    Attempts are limited per address and per account."""
    user = _pending_user()
    if user is None:
        session.pop(PENDING_KEY, None)
        flash("Sign in again: the time for the code ran out.", "error")
        return redirect(url_for("auth.sign_in"))
    form = CodeForm()
    if form.validate_on_submit():
        if ops.verify(user, form.code.data or ""):
            next_page = session[PENDING_KEY].get("next")
            session.pop(PENDING_KEY, None)
            start_session(user)
            left = ops.recovery_codes_left(user)
            if left < ops.RECOVERY_CODES and left <= 3:
                flash(f"{left} recovery codes left: make new ones on the two-factor page.", "info")
            return redirect(next_page or url_for("dashboard.index"))
        form.code.errors.append(
            "That code is not right: type the 6 digits your authenticator shows now, "
            "or one of your recovery codes."
        )
    return render_template("auth/code.html", f=form), 422 if form.errors else 200


@bp.get("/account/two-factor")
@login_required
def index() -> ResponseReturnValue:
    """Whether two-factor sign-in is on, and the steps to turn it on or off."""
    return _page(CodeForm(formdata=None))


def _page(code: CodeForm) -> ResponseReturnValue:
    """The two-factor page; with the code form as posted (422 and the message beside the
    field when it was refused)."""
    user = _user()
    enrolling = not ops.enabled(user) and user.totp_secret is not None
    uri = ops.provisioning_uri(user) if enrolling else None
    qr = None
    if uri is not None:
        qr = "data:image/svg+xml;base64," + base64.b64encode(ops.qr_svg(uri).encode()).decode()
    page = render_template(
        "auth/two_factor.html",
        user=user,
        enabled=ops.enabled(user),
        secret=user.totp_secret if enrolling else None,
        uri=uri,
        qr=qr,
        left=ops.recovery_codes_left(user) if ops.enabled(user) else 0,
        required=[m.workspace.name for m in user.memberships if m.workspace.require_two_factor],
        code=code,
        action=ActionForm(formdata=None),
    )
    return page, 422 if code.errors else 200


@bp.post("/account/two-factor/enrol")
@login_required
def enrol() -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        return redirect(url_for("two_factor.index"))
    try:
        ops.start_enrolment(_user())
    except InvalidInput as exc:
        flash(exc.message, "error")
    return redirect(url_for("two_factor.index"))


@bp.post("/account/two-factor/confirm")
@login_required
@limiter.limit(lambda: str(current_app.config["RATELIMIT_AUTH"]))
def confirm() -> ResponseReturnValue:
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = ops.confirm_enrolment(_user(), form.code.data or "")
        except InvalidInput as exc:
            form.code.errors.append(exc.message)
        else:
            return render_template("auth/recovery_codes.html", codes=codes)
    return _page(form)


@bp.post("/account/two-factor/disable")
@login_required
@limiter.limit(lambda: str(current_app.config["RATELIMIT_AUTH"]))
def disable() -> ResponseReturnValue:
    form = CodeForm()
    if form.validate_on_submit():
        try:
            ops.disable(_user(), form.code.data or "")
        except InvalidInput as exc:
            form.code.errors.append(exc.message)
        else:
            flash("Two-factor sign-in is off.", "success")
            return redirect(url_for("two_factor.index"))
    return _page(form)
