"""Sign up, sign in, sign out, and joining a workspace by invitation."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user

from assessor.extensions import limiter, login_manager
from assessor.models import Invitation
from assessor.operations import accounts, registration, sessions
from assessor.operations.errors import InvalidInput
from assessor.operations.passwords import MIN_PASSWORD, below_floor
from assessor.web import mail_limits
from assessor.web.forms import (
    ActionForm,
    JoinForm,
    SignInForm,
    SignOutEverywhereForm,
    SignUpForm,
)

bp = Blueprint("auth", __name__)


def auth_limit() -> str:
    return str(current_app.config["RATELIMIT_AUTH"])


#: The Flask session's key for the server-side session's token (operations.sessions).
SESSION_KEY = "sid"
#: The Flask session's key for a sign-in whose password was right, waiting for its second
#: factor: the user's id, when, and where to go after.
PENDING_KEY = "pending_2fa"


@login_manager.user_loader
def load_user(user_id: str) -> accounts.User | None:
    """The user of the session the cookie's token opens; a revoked or expired one, nobody."""
    user = sessions.user_for(session.get(SESSION_KEY))
    return user if user is not None and str(user.id) == user_id else None


def start_session(user: accounts.User) -> None:
    """A fresh session for the signed-in user (nothing carried over from before)."""
    token = sessions.start(user, replacing=session.get(SESSION_KEY))
    session.clear()
    login_user(user)
    session[SESSION_KEY] = token
    session.permanent = True


def flash_short_password() -> None:
    """Ask someone whose password is shorter than today's floor (it was set before the
    floor rose) to change it; signing in goes on."""
    flash(
        f"Your password is shorter than the {MIN_PASSWORD} characters this service now asks "
        "of everyone: "
        "please change it (Workspace, Your account, Change your password).",
        "info",
    )


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(auth_limit, methods=["POST"])
def sign_up() -> ResponseReturnValue:
    """The same answer, "check your e-mail", whether or not the address has an account."""
    form = SignUpForm()
    if form.validate_on_submit():
        address = accounts.normalise_email(form.email.data or "")
        try:
            # The same for a known address as for a new one: it tells nothing apart.
            allowed = mail_limits.check(
                None, [mail_limits.Recipient(f"address:{address}", address)]
            )
        except mail_limits.MailLimited as exc:
            form.email.errors = [*form.email.errors, exc.message]
            return render_template("auth/sign_up.html", f=form), 429
        try:
            registration.register(
                form.email.data or "",
                form.password.data or "",
                form.name.data or "",
                form.workspace.data or "",
                form.kind.data or "firm",
            )
        except InvalidInput as exc:
            getattr(form, exc.field or "email").errors.append(exc.message)
        else:
            allowed.count()
            return render_template(
                "auth/check_email.html", email=form.email.data, kind=form.kind.data or "firm"
            )
    return render_template("auth/sign_up.html", f=form), 422 if form.errors else 200


@bp.route("/signin", methods=["GET", "POST"])
@limiter.limit(auth_limit, methods=["POST"])
def sign_in() -> ResponseReturnValue:
    form = SignInForm()
    failed = False
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data or "", form.password.data or "")
        if user is not None and user.totp_enabled_at is not None:
            # The password is right; the session starts only after the second step.
            next_page = safe_next(request.args.get("next"))
            sessions.revoke(session.get(SESSION_KEY))  # whoever this browser was, no more
            session.clear()
            session[PENDING_KEY] = {
                "user": user.id,
                "at": int(time.time()),
                "next": next_page,
                "short": below_floor(form.password.data or ""),
            }
            return redirect(url_for("two_factor.sign_in_code"))
        if user is not None:
            # The first sign-in (after sign-up) offers to assess one's own organisation.
            new = user.last_sign_in_at is None and not any(
                m.workspace.organizations for m in user.memberships
            )
            first = "dashboard.welcome" if new else "dashboard.index"
            start_session(user)
            if below_floor(form.password.data or ""):
                flash_short_password()
            return redirect(safe_next(request.args.get("next")) or url_for(first))
        failed = True
    status = 401 if failed else (422 if form.errors else 200)
    return render_template("auth/sign_in.html", f=form, failed=failed), status


@bp.post("/signout")
def sign_out() -> ResponseReturnValue:
    """End this session on the server: its cookie, wherever copied, opens nothing after."""
    sessions.revoke(session.get(SESSION_KEY))
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.sign_in"))


@bp.post("/signout/everywhere")
@login_required
def sign_out_everywhere() -> ResponseReturnValue:
    """End every session of this user, on every device (a lost laptop, a copied cookie);
    with the box ticked, every API token of theirs too (a token works without a session)."""
    form = SignOutEverywhereForm()
    if not form.validate_on_submit():
        abort(400)
    revoked = sessions.revoke_all(
        current_user._get_current_object(), tokens=bool(form.revoke_tokens.data)
    )
    logout_user()
    session.clear()
    if form.revoke_tokens.data:
        flash(
            f"You are signed out on every device, and your API tokens are revoked "
            f"({revoked.tokens}).",
            "info",
        )
    else:
        flash("You are signed out on every device; your API tokens still work.", "info")
    return redirect(url_for("auth.sign_in"))


@bp.route("/join/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: str(current_app.config["RATELIMIT_LINK"]))
def join(token: str) -> ResponseReturnValue:
    """Join a workspace by invitation.  The e-mailed link carries a proof (``?proof=``)
    that the owner's copy lacks: with it, a new account is made verified and joins at
    once; without it, a new account is made unverified and joins when it confirms its
    address (the same "check your e-mail" whether or not the address has an account)."""
    invitation = accounts.invitation_by_token(token)
    if invitation is None:
        abort(404)
    proof = request.args.get("proof")
    proved = accounts.proves_address(invitation, proof)
    if current_user.is_authenticated:
        form: JoinForm | ActionForm = ActionForm()
        user = current_user._get_current_object()
        if not accounts.invitation_is_for(invitation, user):
            # Someone else's invitation: say whose, and join nobody.
            return render_template("auth/join.html", f=form, invitation=invitation), 403
        if user.email_verified_at is None:
            # Someone may have signed up with the invitee's address: prove it first.
            return render_template("auth/join.html", f=form, invitation=invitation), 403
        if form.validate_on_submit():
            accounts.accept_invitation(invitation, user)
            session["workspace_id"] = invitation.workspace_id
            return redirect(url_for("dashboard.index"))
        return render_template("auth/join.html", f=form, invitation=invitation)
    form = JoinForm()
    if form.validate_on_submit():
        name, password = form.name.data or "", form.password.data or ""
        if proved:
            try:
                user = accounts.join_with_new_account(invitation, name, password, proof or "")
            except InvalidInput as exc:
                getattr(form, exc.field or "password").errors.append(exc.message)
            else:
                start_session(user)
                session["workspace_id"] = invitation.workspace_id
                return redirect(url_for("dashboard.index"))
        else:
            return _join_unproved(invitation, token, form)
    status = 422 if form.errors else 200
    page = render_template("auth/join.html", f=form, invitation=invitation, proved=proved)
    return page, status


def _join_unproved(invitation: Invitation, token: str, form: JoinForm) -> ResponseReturnValue:
    """Joining through a link without the e-mailed proof: "check your e-mail", the same
    for an address with an account as for a new one (an owner must not learn which)."""
    try:
        allowed = mail_limits.check(
            None, [mail_limits.Recipient(f"address:{invitation.email}", invitation.email)]
        )
    except mail_limits.MailLimited as exc:
        back = url_for("auth.join", token=token)
        return mail_limits.refused(exc, back, "Back to the invitation")
    try:
        registration.join_unproved(
            invitation, form.name.data or "", form.password.data or "", token
        )
    except InvalidInput as exc:
        getattr(form, exc.field or "password").errors.append(exc.message)
        page = render_template("auth/join.html", f=form, invitation=invitation, proved=False)
        return page, 422
    allowed.count()
    return render_template("auth/check_email_join.html", invitation=invitation)


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site (``/...``), else None: a sign-in link
    must not send anyone to another site (``//evil.example``, ``https:...``, ``/\\x``)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
