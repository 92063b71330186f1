"""``assessor mail where`` (where e-mail goes: `make run` says it) and ``assessor reminders
send`` (for cron: reminders of the assessments whose schedule is due)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app

from assessor.config import outbox_for
from assessor.operations import notices


def where() -> str:
    """One line: the SMTP server e-mail goes through, or the outbox folder."""
    config = current_app.config
    if config.get("MAIL_SERVER"):
        return (
            f"E-mail goes through {config['MAIL_SERVER']}:{config['MAIL_PORT']} "
            f"(TLS: {config['MAIL_TLS']}), from {config['MAIL_SENDER']}."
        )
    outbox = outbox_for(Path(current_app.instance_path), config.get("MAIL_OUTBOX"))
    return (
        f"E-mail is not sent (no ASSESSOR_MAIL_SERVER): messages are written to {outbox}/ "
        "as .eml files."
    )


def register(app: Flask) -> None:
    @app.cli.group("mail")
    def mail() -> None:
        """E-mail."""

    @mail.command("where")
    def mail_where() -> None:
        """Say where e-mail goes: an SMTP server, or the outbox folder."""
        click.echo(where())

    @app.cli.group("reminders")
    def reminders() -> None:
        """Reminders to respondents who have not submitted."""

    @reminders.command("send")
    def send() -> None:
        """Send the reminders that are due (run it from cron, e.g. hourly).  Exit status 1
        when a message could not be sent."""
        run = notices.send_due_reminders()
        click.echo(
            f"{run.sent} reminder(s) sent for {run.assessments} assessment(s); "
            f"{len(run.failed)} failed."
        )
        for log in run.failed:
            click.echo(
                f"not sent: assessment {log.assessment_id}, {log.recipient}: {log.error}", err=True
            )
        if run.failed:
            raise SystemExit(1)
