"""Configuration: defaults here, then ``ASSESSOR_*`` environment variables, then the mapping
passed to :func:`assessor.create_app`."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, Any] = {
    # Folders (or files) holding questionnaire YAML; a list of paths.
    "QUESTIONNAIRE_DIRS": [str(PROJECT_ROOT / "questionnaires")],
    # The questionnaire offered for self-assessment.
    "DEFAULT_QUESTIONNAIRE": "cio-ciso-governance",
    # Upper bound on a request body: a questionnaire page or a logo upload.
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    "MAX_FORM_MEMORY_SIZE": 512 * 1024,
    "MAX_FORM_PARTS": 1000,
    # A questionnaire session can last hours: CSRF tokens live as long as the session.
    "WTF_CSRF_TIME_LIMIT": None,
    # Flask-WTF's https Referer check cannot work with "Referrer-Policy: no-referrer" (set so
    # that respondent tokens in URLs never leak); the token and SameSite=Lax cookies remain.
    "WTF_CSRF_SSL_STRICT": False,
    # Set true when always served over https; https requests get Secure cookies regardless.
    "SESSION_COOKIE_SECURE": False,
    # Trust this many proxies' X-Forwarded-* headers (werkzeug ProxyFix); 0: none.
    "PROXY_FIX": 0,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    # A signed-in session ends this long after sign-in, however much it is used (the
    # server-side session's absolute expiry; operations/sessions.py).
    "PERMANENT_SESSION_LIFETIME": 12 * 3600,
    # The cookie is sent again only when the session changes, not with a new expiry on
    # every response.
    "SESSION_REFRESH_EACH_REQUEST": False,
    # Respondent links expire after this many days unless re-issued.
    "INVITE_DAYS": 30,
    # memory:// for one process; redis://127.0.0.1:6379 for several.
    "RATELIMIT_STORAGE_URI": "memory://",
    # X-RateLimit-* on every response cost a second storage round trip per request (Redis
    # with several processes); a refused request still gets Retry-After (web/errors.py).
    "RATELIMIT_HEADERS_ENABLED": False,
    "RATELIMIT_AUTH": "10 per minute;100 per hour",
    # Second-factor codes at sign-in, per account (on top of RATELIMIT_AUTH per address):
    # guessing a 6-digit code gets this many tries.
    "RATELIMIT_TWO_FACTOR": "5 per minute;30 per hour",
    # Respondent links: failed lookups (unknown, revoked, expired) per address, which stops
    # guessing; and all requests per address, generous enough for a room of respondents
    # behind one address autosaving at once.
    "RATELIMIT_LINK": "60 per minute",
    "RATELIMIT_LINK_USE": "1200 per minute",
    # Longest comment on an answer, in characters (a line break counts as one).
    "MAX_COMMENT_CHARS": 2000,
    # Saves by a signed-in user (answering for a respondent, or for themselves), per user.
    "RATELIMIT_USER_SAVES": "600 per minute",
    # Requests to the JSON API, per token (per address for requests without one).
    "RATELIMIT_API": "600 per minute",
    # An Idempotency-Key is remembered this many hours (a retry after it creates anew).
    "API_IDEMPOTENCY_HOURS": 24,
    # An answer's changes by the same author within this many seconds of their last one are
    # one history row (the latest), so autosaves keep the history small; 0: a row each.
    "HISTORY_COALESCE_SECONDS": 300,
    # Respondents per assessment (each one adds a column of answers to every report).
    "MAX_RESPONDENTS": 10,
    # PDF renders (assessor.operations.render_jobs): each in a process of its own, stopped
    # past RENDER_TIMEOUT seconds or RENDER_MEMORY_MB of address space (RLIMIT_AS), never
    # retried; at most RENDER_WORKERS at once (at least 2: bulk renders leave one to
    # downloads), and RENDER_PER_WORKSPACE downloads of one workspace in flight.
    "RENDER_TIMEOUT": 60,
    "RENDER_MEMORY_MB": 1024,
    "RENDER_WORKERS": 2,
    "RENDER_PER_WORKSPACE": 1,
    # E-mail.  No server: messages are written as .eml files to MAIL_OUTBOX (default
    # instance/outbox).  MAIL_TLS: "starttls", "ssl" (implicit TLS, port 465) or "none".
    "MAIL_SERVER": None,
    "MAIL_PORT": 587,
    "MAIL_TLS": "starttls",
    "MAIL_USER": None,
    "MAIL_PASSWORD": None,
    "MAIL_SENDER": "Assessor <assessor@localhost>",
    "MAIL_OUTBOX": None,
    "MAIL_TIMEOUT": 15,
    # Sending happens after the request (operations/mail_queue.py).  A queued message
    # nobody has sent for MAIL_RETRY_AFTER seconds (its process ended) is sent again by
    # `assessor mail flush` and at `assessor worker` start; after MAIL_ATTEMPTS tries it
    # is marked failed.  MAIL_BACKLOG: messages a web process holds for its sender thread.
    "MAIL_RETRY_AFTER": 300,
    "MAIL_ATTEMPTS": 3,
    "MAIL_BACKLOG": 1000,
    # E-mails sent by a click (link by e-mail, remind now, team invitation, a new
    # verification link), per signed-in user; and to one respondent or address, by anyone.
    "RATELIMIT_MAIL_USER": "30 per hour;100 per day",
    "RATELIMIT_MAIL_RECIPIENT": "3 per hour;10 per day",
    # With ASSESSOR_QUEUE_URL: how often the worker's scheduler looks for due reminders.
    "REMINDERS_EVERY_MINUTES": 60,
    # Owners of overdue remediation actions are reminded this often (days); 0: never.
    "ACTION_REMINDER_DAYS": 7,
    # Links in e-mails sent outside a request (assessor reminders send) start with this.
    "BASE_URL": "http://127.0.0.1:5000",
    # How long e-mailed account links live: address verification, password reset.
    "VERIFY_LINK_HOURS": 48,
    "RESET_LINK_MINUTES": 60,
    # redis://host:6379/0: renders run in RQ workers (`assessor worker`) on any machine
    # sharing the database and this Redis; unset: in child processes of the web process.
    "QUEUE_URL": None,
    # Render the default PDF (A4) ahead of time after a submission or a change to a
    # submitted report (operations/render_queue.py).
    "PRERENDER": True,
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SQLITE_BUSY_TIMEOUT_MS": 15000,
}


def secret_key_for(instance_path: Path) -> str:
    """The instance's secret key, generated once and kept in the instance folder."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.touch(mode=0o600)
    key_file.write_text(key)
    return key


def default_database_url(instance_path: Path) -> str:
    """The embedded default: a SQLite file in the instance folder."""
    return f"sqlite:///{instance_path / 'assessor.db'}"


def outbox_for(instance_path: Path, configured: str | None) -> Path:
    """Where e-mails are written when no SMTP server is set."""
    return Path(configured) if configured else instance_path / "outbox"
