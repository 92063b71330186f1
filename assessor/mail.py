"""Sending e-mail: over SMTP (``MAIL_SERVER``), or, in the embedded default, as ``.eml``
files in the outbox folder.  Only failures at send time are seen: a message the server
accepts and later bounces is not."""

from __future__ import annotations

import email.policy
import re
import secrets
import smtplib
import ssl
import unicodedata
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from assessor.config import outbox_for
from assessor.models import utcnow

#: How messages are written and read back: header lines up to SMTP's 998-character limit,
#: so that a subject is never folded onto a line of its own (Python folds a 75-character
#: subject right after "Subject:", which some mail programs show as a leading space).
POLICY = email.policy.default.clone(max_line_length=998)


class MailError(Exception):
    """The message was not sent; the text says why (the server's answer, or the error)."""


@dataclass(frozen=True)
class Delivered:
    #: The ``.eml`` file's name when written to the outbox, else None.
    outbox_file: str | None


def one_line(text: str) -> str:
    """Header text on one line: a name holding a line break must not add headers."""
    return " ".join(text.split())


#: Longest name, title or organisation an e-mail repeats (a longer one ends with "…").
NAME_CHARS = 80
#: What a mail program would turn into a link: a scheme, or a dotted host name.
_LINK_LIKE = re.compile(r"(?:[a-z][a-z0-9+.-]*)?://|\b(?:[\w-]+\.)+[a-z]{2,}\b", re.IGNORECASE)


class Link(str):
    """A URL the service made (:func:`mailing.external_url`): put in an e-mail as it is."""


class Address(str):
    """An account's verified e-mail address, for the reader to reply to: put in as it is."""


class LongText(str):
    """People's text longer than a name (a finding's title, which may quote an
    organisation's name): made safe as :func:`person_text` does, at most ``LONG_CHARS``."""


#: Longest :class:`LongText` an e-mail repeats.
LONG_CHARS = 300


def person_text(text: str, limit: int = NAME_CHARS) -> str:
    """People's text (a name, a title) as an e-mail repeats it: on one line, without
    control or invisible formatting characters (right-to-left overrides, zero-width
    spaces), at most ``limit`` characters, and with nothing a mail program makes a link
    of (``evil.example`` reads ``evil[.]example``, ``https://`` reads ``https[:]//``)."""
    visible = "".join(
        (" " if c.isspace() else "") if unicodedata.category(c) in ("Cc", "Cf") else c for c in text
    )
    flat = _LINK_LIKE.sub(
        lambda m: m.group(0).replace(".", "[.]").replace("://", "[:]//"), one_line(visible)
    )
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def build(sender: str, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage(policy=POLICY)
    message["From"] = sender
    message["To"] = one_line(to)
    message["Subject"] = one_line(subject)
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip("> ") or None)
    message.set_content(body)
    return message


def deliver(config: Any, instance_path: str, message: EmailMessage) -> Delivered:
    """Send ``message`` as ``config`` says; :raise MailError: it could not be sent."""
    if not config.get("MAIL_SERVER"):
        return Delivered(
            _write_outbox(outbox_for(Path(instance_path), config["MAIL_OUTBOX"]), message)
        )
    try:
        _send_smtp(config, message)
    except smtplib.SMTPRecipientsRefused as exc:
        answers = "; ".join(
            f"{code} {text.decode(errors='replace')}" for code, text in exc.recipients.values()
        )
        raise MailError(f"refused by the mail server: {answers}") from exc
    except smtplib.SMTPResponseException as exc:
        text = (
            exc.smtp_error.decode(errors="replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        raise MailError(f"refused by the mail server: {exc.smtp_code} {text}") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(f"could not reach the mail server: {exc or type(exc).__name__}") from exc
    except UnicodeError as exc:
        raise MailError(
            "could not sign in to the mail server: SMTP sends the user name and password as"
            " plain ASCII, and ASSESSOR_MAIL_USER or ASSESSOR_MAIL_PASSWORD holds other characters"
        ) from exc
    except Exception as exc:  # whatever else goes wrong is the consultant's to see, never silent
        raise MailError(f"could not send: {type(exc).__name__}: {exc}") from exc
    return Delivered(None)


def _send_smtp(config: Any, message: EmailMessage) -> None:
    host, port = config["MAIL_SERVER"], int(config["MAIL_PORT"])
    timeout = float(config["MAIL_TIMEOUT"])
    tls = str(config["MAIL_TLS"]).lower()
    if tls == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(host, port, timeout=timeout)
    with client:
        if tls == "starttls":
            client.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USER"):
            # A setting read from the environment as JSON may be a number: SMTP wants text.
            client.login(str(config["MAIL_USER"]), str(config.get("MAIL_PASSWORD") or ""))
        client.send_message(message)


def _write_outbox(folder: Path, message: EmailMessage) -> str:
    name = f"{utcnow():%Y%m%dT%H%M%S}-{secrets.token_hex(4)}.eml"
    path = folder / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_bytes(message.as_bytes())
    except OSError as exc:
        raise MailError(f"could not write to the outbox {folder}: {exc}") from exc
    return name
