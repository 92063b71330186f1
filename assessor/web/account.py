"""The account by e-mail: verifying the address, resetting a forgotten password, changing
the password."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    has_request_context,
    redirect,
    render_template,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from assessor.extensions import limiter
from assessor.operations import account_links, accounts, mailing, registration, unproved
from assessor.operations.errors import InvalidInput
from assessor.web import mail_limits
from assessor.web.auth import auth_limit, start_session
from assessor.web.forms import (
    ActionForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    ResetPasswordForm,
    ResetUnprovedForm,
)

bp = Blueprint("account", __name__)


def verification_mail() -> dict[str, Any]:
    """For a signed-in account whose address is not confirmed: its last verification
    e-mail (``verification_mail``), so that the banner says whether it went, is on its
    way, or failed and why, never "the link we sent" when none was."""
    user = current_user if has_request_context() else None
    if user is not None and user.is_authenticated and user.email_verified_at is None:
        return {"verification_mail": mailing.latest_to_user(user.id, "verify")}
    return {}


def _address(email: str) -> mail_limits.Recipient:
    """An address as the e-mail limits count it (whether or not it has an account)."""
    address = accounts.normalise_email(email)
    return mail_limits.Recipient(f"address:{address}", address)


def _link_limit() -> str:
    return str(current_app.config["RATELIMIT_LINK"])


@bp.route("/verify/<token>", methods=["GET", "POST"])
@limiter.limit(_link_limit)
def verify(token: str) -> ResponseReturnValue:
    """A button, not the GET, uses the link: mail scanners open links too.  Only someone
    signed in as the account confirms it: whoever set it up holds its password, and the
    owner of the mailbox must not confirm, by a click, an account a stranger set up with
    their address."""
    holder = account_links.holder(token, "verify")
    if holder is None:
        abort(404)
    mine = current_user.is_authenticated and current_user.id == holder.id
    form = ActionForm()
    if form.validate_on_submit():
        if not mine:
            return render_template("account/verify.html", f=form, mine=False), 403
        confirmed = registration.confirm_email(token, current_user._get_current_object())
        if confirmed is None:
            abort(404)
        if confirmed.joined:
            session["workspace_id"] = confirmed.joined[0].id
            names = ", ".join(w.firm_name or w.name for w in confirmed.joined)
            flash(f"{confirmed.user.email} is confirmed, and you joined {names}.", "success")
        else:
            flash(f"{confirmed.user.email} is confirmed.", "success")
        return redirect(url_for("dashboard.index"))
    return render_template("account/verify.html", f=form, mine=mine)


@bp.post("/verify/resend")
@login_required
@limiter.limit(auth_limit)
def resend_verification() -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    if user.email_verified_at is not None:
        flash("Your e-mail address is already confirmed.", "info")
    else:
        try:
            allowed = mail_limits.check(user.id, [_address(user.email)])
        except mail_limits.MailLimited as exc:
            return mail_limits.refused(exc, url_for("dashboard.index"), "Go to the start page")
        registration.send_verification(user)
        allowed.count()
        flash(
            f"We are e-mailing a new link to {user.email}; earlier links no longer work.",
            "success",
        )
    return redirect(url_for("dashboard.index"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(auth_limit, methods=["POST"])
def forgot() -> ResponseReturnValue:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        try:
            allowed = mail_limits.check(None, [_address(form.email.data or "")])
        except mail_limits.MailLimited as exc:
            form.email.errors = [*form.email.errors, exc.message]
            return render_template("account/forgot.html", f=form), 429
        registration.request_reset(form.email.data or "")
        allowed.count()
        return render_template("account/reset_sent.html", email=form.email.data)
    return render_template("account/forgot.html", f=form), 422 if form.errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_link_limit)
def reset(token: str) -> ResponseReturnValue:
    """A new password.  For an account whose address was never confirmed (someone may
    have signed up with it first), also the name, and whether to keep the workspace it
    set up: by default that goes, with its tokens, second factor and sessions."""
    holder = account_links.holder(token, "reset")
    if holder is None:
        abort(404)
    never_verified = holder.email_verified_at is None
    set_up = unproved.workspaces_of(holder)
    form: ResetPasswordForm | ResetUnprovedForm = (
        ResetUnprovedForm() if never_verified else ResetPasswordForm()
    )
    if isinstance(form, ResetUnprovedForm) and not set_up:
        del form.keep
    if form.validate_on_submit():
        try:
            if isinstance(form, ResetUnprovedForm):
                keep = form.keep.data if "keep" in form else False
                user = registration.reset_password(
                    token,
                    form.password.data or "",
                    name=form.name.data or "",
                    keep_workspaces=bool(keep),
                )
            else:
                user = registration.reset_password(token, form.password.data or "")
        except InvalidInput as exc:
            target = form.name if exc.field == "name" and "name" in form else form.password
            target.errors = [*target.errors, exc.message]
        else:
            if user is None:
                abort(404)
            flash(
                "Your password is changed, every device is signed out and your API tokens "
                "are revoked: sign in.",
                "success",
            )
            return redirect(url_for("auth.sign_in"))
    page = render_template(
        "account/reset.html", f=form, never_verified=never_verified, set_up=set_up
    )
    return page, 422 if form.errors else 200


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(auth_limit, methods=["POST"])
def change_password() -> ResponseReturnValue:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            registration.change_password(user, form.current.data or "", form.password.data or "")
        except InvalidInput as exc:
            target = form.current if exc.field == "current" else form.password
            target.errors = [*target.errors, exc.message]
        else:
            start_session(user)
            flash("Your password is changed; your other devices are signed out.", "success")
            return redirect(url_for("dashboard.index"))
    return render_template("account/password.html", f=form), 422 if form.errors else 200
