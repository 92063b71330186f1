"""Replacing erased people by :data:`MARKER` in what stays: the audit log, and the
consultant's texts that name them (who accepted a risk, a reason, the summary as edited).

A person is looked for by every name they were known by (a rename keeps the name before
and after in its audit entry) and their e-mail address, anywhere in a text, whatever the
case, as whole words: "Zelda Smith (personal link)" becomes "[erased] (personal link)",
and an SMTP answer quoting "<zelda@client.example>" loses the address.  A workspace
member's own name and address are never looked for: erasing a respondent who is also a
member (a self-assessment) does not erase the member.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from assessor.extensions import db
from assessor.models import AuditEvent, Membership, User

#: What an erased name or e-mail address reads afterwards.
MARKER = "[erased]"


def fold(text: str | None) -> str:
    """A name or address as compared: stripped, one space between words, lower case."""
    return " ".join((text or "").split()).lower()


@dataclass(frozen=True)
class Needles:
    """Names and addresses to replace; empty: nothing to look for."""

    pattern: re.Pattern[str] | None

    @classmethod
    def of(cls, texts: Iterable[str | None], keep: Iterable[str] = ()) -> Needles:
        """Look for ``texts`` (not ``keep``: members' names and addresses, the marker)."""
        kept = {fold(k) for k in keep} | {fold(MARKER)}
        words = sorted({fold(t) for t in texts} - kept - {""}, key=len, reverse=True)
        if not words:
            return cls(None)
        # Longest first, so that "Zelda Smith-Jones" goes whole, not as "[erased]-Jones".
        spaced = (r"\s+".join(re.escape(part) for part in word.split(" ")) for word in words)
        return cls(re.compile(rf"(?<!\w)(?:{'|'.join(spaced)})(?!\w)", re.IGNORECASE))

    def __bool__(self) -> bool:
        return self.pattern is not None

    def found_in(self, text: str | None) -> bool:
        return (
            self.pattern is not None and bool(text) and self.pattern.search(text or "") is not None
        )

    def text(self, text: str) -> str:
        """``text`` with every needle replaced by the marker."""
        return self.pattern.sub(MARKER, text) if self.pattern is not None else text

    def value(self, value: Any) -> Any:
        """A JSON value (an audit entry's detail) with every needle in its strings replaced."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        return value


def members_of(workspace_id: int) -> set[str]:
    """The names and addresses of the workspace's members (never looked for)."""
    rows = db.session.execute(
        select(User.name, User.email)
        .join(Membership)
        .where(Membership.workspace_id == workspace_id)
    )
    return {text for row in rows for text in row}


def names_held(respondent_ids: Iterable[int]) -> set[str]:
    """Every name these respondents had: the names before and after each rename."""
    targets = [f"respondent:{i}" for i in respondent_ids]
    if not targets:
        return set()
    details = db.session.scalars(
        select(AuditEvent.detail).where(
            AuditEvent.action == "respondent-renamed", AuditEvent.target.in_(targets)
        )
    )
    return {
        str(detail[key])
        for detail in details
        for key in ("before", "after")
        if detail and isinstance(detail.get(key), str)
    }


def scrub_audit(
    workspace_id: int, everywhere: Needles, about: Needles, targets: Iterable[str]
) -> None:
    """In the workspace's audit log, replace ``everywhere`` in every entry, and ``about``
    only in the entries about ``targets`` (``respondent:12``, ``assessment:3``, ...): the
    people who are still someone the workspace holds elsewhere keep their name there."""
    if not everywhere and not about:
        return
    scoped = set(targets)
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.workspace_id == workspace_id))
    for row in rows:
        for needles in (everywhere, about) if row.target in scoped else (everywhere,):
            if not needles:
                continue
            actor = needles.text(row.actor)
            target = needles.text(row.target) if row.target is not None else None
            detail = needles.value(row.detail or {})
            if actor != row.actor:
                row.actor = actor
            if target != row.target:
                row.target = target
            if detail != row.detail:
                row.detail = detail
