"""``assessor mail where`` (where e-mail goes: `make run` says it), ``assessor mail flush``
(for cron: send the e-mails a process left queued) and ``assessor reminders send`` (for
cron: reminders of the assessments whose schedule is due)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app

from assessor.config import outbox_for
from assessor.extensions import db
from assessor.models import MailLog
from assessor.operations import action_reminders, mail_queue, notices


def where() -> str:
    """One line: the SMTP server e-mail goes through, or the outbox folder, and where its
    links point."""
    config = current_app.config
    links = f"Links in e-mails start with {config['BASE_URL']} (ASSESSOR_BASE_URL)."
    if config.get("MAIL_SERVER"):
        return (
            f"E-mail goes through {config['MAIL_SERVER']}:{config['MAIL_PORT']} "
            f"(TLS: {config['MAIL_TLS']}), from {config['MAIL_SENDER']}. {links}"
        )
    outbox = outbox_for(Path(current_app.instance_path), config.get("MAIL_OUTBOX"))
    return (
        f"E-mail is not sent (no ASSESSOR_MAIL_SERVER): messages are written to {outbox}/ "
        f"as .eml files. {links}"
    )


def register(app: Flask) -> None:
    @app.cli.group("mail")
    def mail() -> None:
        """E-mail."""

    @mail.command("where")
    def mail_where() -> None:
        """Say where e-mail goes: an SMTP server, or the outbox folder."""
        click.echo(where())

    @mail.command("flush")
    def mail_flush() -> None:
        """Send the e-mails left queued longer than MAIL_RETRY_AFTER seconds (their sender
        ended first); run it from cron, e.g. every 10 minutes.  Exit status 1 when one
        could not be sent."""
        ids = mail_queue.retry_stale()
        logs = [log for log in (db.session.get(MailLog, i) for i in ids) if log is not None]
        failed = [log for log in logs if log.status == "failed"]
        click.echo(f"{len(logs) - len(failed)} queued e-mail(s) sent; {len(failed)} failed.")
        for log in failed:
            click.echo(f"not sent: {log.kind} to {log.recipient}: {log.error}", err=True)
        if failed:
            raise SystemExit(1)

    @app.cli.group("reminders")
    def reminders() -> None:
        """Reminders to respondents who have not submitted."""

    @reminders.command("send")
    def send() -> None:
        """Send the reminders that are due (run it from cron, e.g. hourly, when there is
        no ASSESSOR_QUEUE_URL: with one, the worker checks): to respondents who have not
        submitted, each with the link they hold, and to the owners of overdue remediation
        actions.  Respondents whose link is revoked are not reminded (listed).  Exit
        status 1 when a message could not be sent."""
        run = notices.send_due_reminders()
        owners = action_reminders.send_due()
        queued = run.queued + owners.queued
        handed = f" ({queued} handed to the queue's workers)" if queued else ""
        click.echo(
            f"{run.sent + run.queued} reminder(s) sent for {run.assessments} assessment(s), "
            f"{owners.sent + owners.queued} to owners of overdue actions{handed}; "
            f"{len(run.failed) + len(owners.failed)} failed."
        )
        for log in run.failed:
            click.echo(
                f"not sent: assessment {log.assessment_id}, {log.recipient}: {log.error}", err=True
            )
        for log in owners.failed:
            click.echo(f"not sent: action {log.action_id}, {log.recipient}: {log.error}", err=True)
        for respondent in run.revoked:
            click.echo(
                f"not reminded: assessment {respondent.assessment_id}, {respondent.name}: "
                "their link is revoked"
            )
        if run.failed or owners.failed:
            raise SystemExit(1)
