"""Flask extensions, created unbound here and bound in :func:`assessor.create_app`."""

from __future__ import annotations

import flask_login
from flask import current_app, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

#: Predictable constraint names, so that migrations can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class LoginManager(flask_login.LoginManager):
    """Flask-Login, whose "strong" session protection leaves sessions without a user alone.

    Flask-Login counts any non-empty session without its identifier as stolen: an
    anonymous one that holds only a CSRF token (a respondent's, by personal link) was
    wiped on every page, which sent a new session cookie and a deletion of the remember
    cookie with every response.  Nobody is signed in in such a session, so there is
    nothing to protect; a session with a user, or a request with a remember cookie, is
    checked as before.  Sign-in makes sessions permanent, and for those Flask-Login's
    "strong" mode only marks a session seen from another address or browser as not fresh
    (nothing here requires a fresh login), so a copied session cookie keeps working until
    its server-side session ends: sign-out, "sign out everywhere", or its absolute expiry
    (``operations.sessions``).
    """

    def _session_protection_failed(self) -> bool:
        if "_user_id" not in session:
            name = current_app.config.get("REMEMBER_COOKIE_NAME", flask_login.COOKIE_NAME)
            if name not in request.cookies:
                return False
        return bool(super()._session_protection_failed())


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address)
