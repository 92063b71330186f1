"""E-mails that tell a person what happened to their own account: the password changed,
two-factor sign-in turned on or off, and wrong second-step codes typed after their
password (someone knows it).  Each says when, and links to the password reset in case
it was not them."""

from __future__ import annotations

from typing import Any

from assessor.models import MailLog, User, utcnow
from assessor.operations.mailing import external_url, send

#: What can be told, each with its template (``mail/notice_<what>.txt``).
NOTICES = (
    "password-changed",
    "two-factor-on",
    "two-factor-off",
    "two-factor-failures",
    "two-factor-locked",
)


def tell(user: User, what: str, **context: Any) -> MailLog:
    """E-mail ``user`` the notice ``what`` (one of :data:`NOTICES`); never raises for a
    failed send (the mail log says how it went)."""
    if what not in NOTICES:
        raise ValueError(f"no notice {what!r}")
    return send(
        what,
        user.email,
        "notice_" + what.replace("-", "_"),
        user_id=user.id,
        when=utcnow().strftime("%Y-%m-%d %H:%M"),
        reset=external_url("account.forgot"),
        **context,
    )
