"""Sending the messages :mod:`mailing` logged as queued, away from the request that asked.

A request only writes the message to the mail log (status ``queued``, its text in the row)
and commits; who sends it then:

* with ``ASSESSOR_QUEUE_URL`` the row's id goes to the RQ queue ``assessor-mail`` and an
  ``assessor worker`` sends it (a work horse per message, as renders);
* without it (the embedded default), inside a request: one background thread per web
  process, which sends the rows handed to it one at a time (at most one SMTP connection
  per process, a backlog of ``MAIL_BACKLOG`` ids; past it the row waits for the sweep);
* outside a request (the CLI, a cron job, a worker's job): at once, in that process.

Every sender first claims the row (a conditional update: queued, and not claimed in the
last ``MAIL_RETRY_AFTER`` seconds), so that two senders never both send it; the outcome is
written back (sent, or failed with the server's answer, which the consultant sees) and the
message's text is emptied.  A row left queued by a sender that died, or by a queue nobody
read, is sent again by the sweep (:func:`retry_stale`: ``assessor mail flush`` from cron,
``assessor worker`` at start, the background thread when it starts); after
``MAIL_ATTEMPTS`` claims it is marked failed, never left silent.
"""

from __future__ import annotations

import email
import os
import queue
import re
import threading
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_request_context
from sqlalchemy import or_, select, update

from assessor.config import outbox_for
from assessor.database import begin_write
from assessor.extensions import db
from assessor.mail import POLICY, MailError, deliver
from assessor.models import MailLog, utcnow
from assessor.operations import audit

#: The RQ queue messages wait in for ``assessor worker``.
RQ_QUEUE = "assessor-mail"


def dispatch(log_id: int) -> None:
    """Hand a committed, queued message to its sender (see the module's docstring)."""
    if current_app.config.get("QUEUE_URL"):
        try:
            _rq_queue().enqueue(
                run_job, log_id, job_timeout=_job_seconds(), result_ttl=0, failure_ttl=86400
            )
            return
        except Exception:
            # Redis is not answering: this process sends it rather than leave it waiting.
            current_app.logger.exception("mail %s: the queue refused it; sent here", log_id)
    if has_request_context():
        _sender().put(log_id)
    else:
        send_queued(log_id)


def _job_seconds() -> int:
    """An RQ job's time limit: connecting, TLS, signing in and sending, each bounded by
    ``MAIL_TIMEOUT``, with room to spare."""
    return int(float(current_app.config["MAIL_TIMEOUT"]) * 5) + 30


# --- one send -------------------------------------------------------------------------------


def _retry_after() -> timedelta:
    return timedelta(seconds=int(current_app.config["MAIL_RETRY_AFTER"]))


def _claimable(now: Any) -> Any:
    """A queued row nobody holds: never claimed, or claimed by a sender that died."""
    return (MailLog.status == "queued") & (
        MailLog.claimed_at.is_(None) | (MailLog.claimed_at < now - _retry_after())
    )


def claim(log_id: int) -> EmailMessage | None:
    """Take the row for sending (committed): its message, or None when it was sent, failed,
    erased, or is held by another sender."""
    begin_write()
    now = utcnow()
    claimed = db.session.execute(
        update(MailLog)
        .where(MailLog.id == log_id, _claimable(now))
        .values(claimed_at=now, attempts=MailLog.attempts + 1)
        .returning(MailLog.message)
    ).scalar()
    db.session.commit()
    if not claimed:
        return None
    return email.message_from_string(claimed, policy=POLICY)


def send_queued(log_id: int) -> str | None:
    """Claim, send and record one queued message: its status, or None when it was not
    this sender's to send."""
    message = claim(log_id)
    if message is None:
        return None
    config = current_app.config
    status, error, outbox_file = "sent", None, None
    try:
        outbox_file = deliver(config, current_app.instance_path, message).outbox_file
    except MailError as exc:
        status, error = "failed", str(exc)
    return _record(log_id, status, error, outbox_file)


def _record(log_id: int, status: str, error: str | None, outbox_file: str | None) -> str | None:
    """Write the outcome (and empty the message's text); audited in its workspace."""
    begin_write()
    log = db.session.get(MailLog, log_id)
    if log is None:
        # Erased while it was being sent: the copy just written to the outbox goes too.
        db.session.rollback()
        if outbox_file:
            folder = outbox_for(Path(current_app.instance_path), current_app.config["MAIL_OUTBOX"])
            (folder / outbox_file).unlink(missing_ok=True)
        return None
    log.status, log.error, log.outbox_file, log.message = status, error, outbox_file, None
    detail: dict[str, Any] = {}
    if error:
        detail["error"] = outline(error)
        current_app.logger.warning("mail %s (%s) failed: %s", log.id, log.kind, detail["error"])
    if log.workspace_id is not None:
        audit.record(
            f"mail-{status}",
            workspace_id=log.workspace_id,
            actor="system",
            target=f"mail:{log.id}",
            kind=log.kind,
            **detail,
        )
    db.session.commit()
    return status


#: The start of a mail server's answer: its reply code and the enhanced status (RFC 3463).
_STATUS = re.compile(r"\s*(\d{3})(?:[ -](\d\.\d{1,3}\.\d{1,3}))?")
_REFUSED = "refused by the mail server"


def outline(error: str) -> str:
    """A failed send as the audit log and the application log keep it: a refusal by the
    mail server as its status codes only ("refused by the mail server: 550 5.1.1"), not
    the server's text, which may quote the address (Postfix's does); the text stays in
    the mail log row, which erasing the person deletes."""
    if not error.startswith(_REFUSED):
        return error
    codes = []
    for answer in error[len(_REFUSED) :].lstrip(": ").split("; "):
        found = _STATUS.match(answer)
        if found:
            codes.append(" ".join(part for part in found.groups() if part))
    return f"{_REFUSED}: {', '.join(codes)}" if codes else _REFUSED


# --- messages a sender left behind ---------------------------------------------------------


def stale() -> list[tuple[int, int]]:
    """Queued rows whose sender is gone, with their attempts: never claimed for
    ``MAIL_RETRY_AFTER`` seconds (its process ended, or nobody read its queue), or claimed
    that long ago."""
    now = utcnow()
    rows = db.session.execute(
        select(MailLog.id, MailLog.attempts)
        .where(
            MailLog.status == "queued",
            or_(
                MailLog.claimed_at < now - _retry_after(),
                MailLog.claimed_at.is_(None) & (MailLog.created_at < now - _retry_after()),
            ),
        )
        .order_by(MailLog.id)
    ).all()
    db.session.rollback()
    return [(log_id, attempts) for log_id, attempts in rows]


def retry_stale(send: bool = True) -> list[int]:
    """Send again (``send``; else hand to :func:`dispatch`) every :func:`stale` row; one
    already claimed ``MAIL_ATTEMPTS`` times (its sender ended each time) is marked failed
    instead.  The ids of both."""
    limit = int(current_app.config["MAIL_ATTEMPTS"])
    retried = []
    for log_id, attempts in stale():
        retried.append(log_id)
        if attempts >= limit:
            if claim(log_id) is not None:  # one sweeper records it
                reason = f"not sent: the sending process ended before it finished, {limit} times"
                _record(log_id, "failed", reason, None)
        elif send:
            send_queued(log_id)
        else:
            dispatch(log_id)
    return retried


# --- RQ ---------------------------------------------------------------------------------------


def run_job(log_id: int) -> None:
    """The RQ job, in a work horse forked from ``assessor worker`` (its app context too)."""
    db.engine.dispose(close=False)  # the inherited pool's connections are the parent's
    try:
        send_queued(log_id)
    finally:
        db.session.remove()


def _rq_queue(connection: Any = None) -> Any:
    from redis import Redis
    from rq import Queue

    return Queue(RQ_QUEUE, connection=connection or Redis.from_url(current_app.config["QUEUE_URL"]))


# --- the embedded default's background sender ------------------------------------------------


class _Sender:
    """One thread per web process and app that sends the rows handed to it, in turn."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.pid = os.getpid()
        self.ids: queue.Queue[int] = queue.Queue(maxsize=int(app.config["MAIL_BACKLOG"]))
        self.idle = threading.Condition()
        self.held = 1  # handed here and not finished yet (1: the sweep at start)
        self.thread = threading.Thread(target=self._loop, name="mail-sender", daemon=True)
        self.thread.start()

    def put(self, log_id: int) -> None:
        with self.idle:
            self.held += 1
        try:
            self.ids.put_nowait(log_id)
        except queue.Full:
            self._done()
            self.app.logger.warning(
                "mail %s: the sender's backlog is full; left for the sweep", log_id
            )

    def _loop(self) -> None:
        with self.app.app_context():
            try:
                retry_stale()  # what this process's predecessor left queued
            except Exception:
                self.app.logger.exception("mail: retrying stale messages failed")
            finally:
                db.session.remove()
                self._done()
        while True:
            log_id = self.ids.get()
            with self.app.app_context():
                try:
                    send_queued(log_id)
                except Exception:
                    self.app.logger.exception("mail %s: sending failed", log_id)
                finally:
                    db.session.remove()
                    self._done()

    def _done(self) -> None:
        with self.idle:
            self.held -= 1
            self.idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every row handed here is finished; False when ``timeout`` ran out."""
        with self.idle:
            return self.idle.wait_for(lambda: self.held == 0, timeout)


_sender_lock = threading.Lock()


def _sender() -> _Sender:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with _sender_lock:
        sender = app.extensions.get("assessor_mail_sender")
        if sender is None or sender.pid != os.getpid() or not sender.thread.is_alive():
            sender = app.extensions["assessor_mail_sender"] = _Sender(app)
        return sender  # type: ignore[no-any-return]


def wait_idle(app: Flask, timeout: float = 60) -> bool:
    """Wait until this process's background sender has finished what it was handed (at
    shutdown, and for tests); True at once when there is none."""
    sender = app.extensions.get("assessor_mail_sender")
    return True if sender is None or sender.pid != os.getpid() else sender.wait_idle(timeout)
