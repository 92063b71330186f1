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
from assessor.web import access
from assessor.web.auth import PENDING_KEY, flash_short_password, start_session
from assessor.web.forms import ActionForm, CodeForm, EnrolForm, TwoFactorChangeForm

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


def _account_key() -> str:
    """The signed-in user: changes that ask for a code are limited per account too."""
    return f"2fa-user:{current_user.get_id()}"


def _two_factor_limit() -> str:
    return str(current_app.config["RATELIMIT_TWO_FACTOR"])


@bp.route("/signin/code", methods=["GET", "POST"])
@limiter.limit(lambda: str(current_app.config["RATELIMIT_AUTH"]), methods=["POST"])
@limiter.limit(_two_factor_limit, key_func=_pending_key, methods=["POST"])
def sign_in_code() -> ResponseReturnValue:
    """The second step of signing in: a code from the authenticator, or a recovery code.
    Attempts are limited per address and per account, and wrong codes in a row make the
    next attempt wait, then lock the step (operations/two_factor.py)."""
    user = _pending_user()
    if user is None:
        session.pop(PENDING_KEY, None)
        flash("Sign in again: the time for the code ran out.", "error")
        return redirect(url_for("auth.sign_in"))
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            ops.verify(user, form.code.data or "")
        except ops.CodeRefused as exc:
            form.code.errors.append(exc.message)
            status = exc.status
        else:
            pending = session[PENDING_KEY]
            start_session(user)
            if pending.get("short"):
                flash_short_password()
            left = ops.recovery_codes_left(user)
            if left < ops.RECOVERY_CODES and left <= 3:
                flash(
                    f"{left} recovery code{'' if left == 1 else 's'} left: make new ones on "
                    "the two-factor page (Workspace, Your account, two-factor sign-in).",
                    "info",
                )
            return redirect(pending.get("next") or url_for("dashboard.index"))
    if form.errors and status == 200:
        status = 422
    return render_template("auth/code.html", f=form), status


@bp.get("/account/two-factor")
@login_required
def index() -> ResponseReturnValue:
    """Whether two-factor sign-in is on, and the steps to turn it on or off."""
    return _page()


def _page(
    *,
    enrol: EnrolForm | None = None,
    code: CodeForm | None = None,
    off: TwoFactorChangeForm | None = None,
    renew: TwoFactorChangeForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    """The two-factor page, with the form that was posted as it was (the message beside
    its field; 422 unless ``status`` says otherwise)."""
    user = _user()
    enrolling = not ops.enabled(user) and user.totp_secret is not None
    uri = ops.provisioning_uri(user) if enrolling else None
    qr = None
    if uri is not None:
        qr = "data:image/svg+xml;base64," + base64.b64encode(ops.qr_svg(uri).encode()).decode()
    # Sent here by a workspace that requires it: switching away or leaving stay open.
    here = access.membership() if user.memberships else None
    requiring = here if here is not None and here.workspace.require_two_factor else None
    posted = [f for f in (enrol, code, off, renew) if f is not None]
    page = render_template(
        "auth/two_factor.html",
        user=user,
        enabled=ops.enabled(user),
        secret=user.totp_secret if enrolling else None,
        uri=uri,
        qr=qr,
        left=ops.recovery_codes_left(user) if ops.enabled(user) else 0,
        required=[m.workspace.name for m in user.memberships if m.workspace.require_two_factor],
        requiring=requiring if not ops.enabled(user) else None,
        elsewhere=[m for m in user.memberships if requiring and m.id != requiring.id],
        enrol=enrol or EnrolForm(formdata=None),
        code=code or CodeForm(formdata=None),
        off=off or TwoFactorChangeForm(formdata=None, prefix="off"),
        renew=renew or TwoFactorChangeForm(formdata=None, prefix="new"),
        action=ActionForm(formdata=None),
    )
    if status == 200 and any(f.errors for f in posted):
        status = 422
    return page, status


@bp.post("/account/two-factor/enrol")
@login_required
@limiter.limit(lambda: str(current_app.config["RATELIMIT_AUTH"]))
def enrol() -> ResponseReturnValue:
    """Start setting up an authenticator, the password asked."""
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            ops.start_enrolment(_user(), form.password.data or "")
        except InvalidInput as exc:
            if exc.field != "password":
                flash(exc.message, "error")
                return redirect(url_for("two_factor.index"))
            form.password.errors.append(exc.message)
        else:
            return redirect(url_for("two_factor.index"))
    return _page(enrol=form)


@bp.post("/account/two-factor/confirm")
@login_required
@limiter.limit(lambda: str(current_app.config["RATELIMIT_AUTH"]))
def confirm() -> ResponseReturnValue:
    """Turn it on with a code from the new authenticator: the recovery codes, shown once;
    the user's other sessions end (this browser gets a fresh one)."""
    form = CodeForm()
    if form.validate_on_submit():
        user = _user()
        try:
            codes = ops.confirm_enrolment(user, form.code.data or "")
        except InvalidInput as exc:
            form.code.errors.append(exc.message)
        else:
            start_session(user)
            return render_template("auth/recovery_codes.html", codes=codes, new=False)
    return _page(code=form)


@bp.post("/account/two-factor/recovery-codes")
@login_required
@limiter.limit(lambda: str(current_app.config["RATELIMIT_AUTH"]))
@limiter.limit(_two_factor_limit, key_func=_account_key)
def recovery_codes() -> ResponseReturnValue:
    """Ten new recovery codes (the old ones stop working), with the password and a code."""
    form = TwoFactorChangeForm(prefix="new")
    status = 200
    if form.validate_on_submit():
        try:
            codes = ops.replace_recovery_codes(
                _user(), form.password.data or "", form.code.data or ""
            )
        except InvalidInput as exc:
            getattr(form, exc.field or "code").errors.append(exc.message)
            status = exc.status
        else:
            return render_template("auth/recovery_codes.html", codes=codes, new=True)
    return _page(renew=form, status=status)


@bp.post("/account/two-factor/disable")
@login_required
@limiter.limit(lambda: str(current_app.config["RATELIMIT_AUTH"]))
@limiter.limit(_two_factor_limit, key_func=_account_key)
def disable() -> ResponseReturnValue:
    """Turn it off, with the password and a current code or a recovery code (a lost
    phone: then set it up again on the new one)."""
    form = TwoFactorChangeForm(prefix="off")
    status = 200
    if form.validate_on_submit():
        try:
            ops.disable(_user(), form.password.data or "", form.code.data or "")
        except InvalidInput as exc:
            getattr(form, exc.field or "code").errors.append(exc.message)
            status = exc.status
        else:
            flash(
                "Two-factor sign-in is off. To use it on a new phone, set it up again below.",
                "success",
            )
            return redirect(url_for("two_factor.index"))
    return _page(off=form, status=status)
