"""Bundles of lagging practices: where two or more practices of one domain are only
immature, at medium or below, and the same role acts on them, they are one finding,
``<domain>:practice`` (one bundle in the domain) or ``<domain>:<role>:practice``; low
ones across the domains likewise, per role, filed under no domain (``below-target``).
A bundle names its practices (three or fewer) or counts them, says who leads them, and
gives each its next step.  Called by :func:`assessor.engine.root_causes.merge`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from assessor.engine import wording
from assessor.engine.questionnaire_index import Index
from assessor.engine.result import Evidence, Finding
from assessor.questionnaire.schema import MATURITY_NAMES

#: Immature-only groups of one domain at medium or below, from this many, become one finding.
ROLL_UP = 2
#: A bundle of this many practices or fewer names them in its title (when each has a topic).
NAMED_IN_TITLE = 3
#: The batch of low immaturity across the domains.
LOW_BATCH = "below-target"


def roll_up(index: Index, merged: list[Finding], order: Callable[[Finding], Any]) -> list[Finding]:
    """Immature-only findings at medium, per domain, and at low, across the domains, each
    become one finding per role that acts when there are several (module docstring): a
    bundle has one owner, and the batch across the domains is filed under none; ``order``
    picks the part that leads a bundle (its first)."""
    batches: dict[tuple[str, str], list[Finding]] = {}
    for finding in merged:
        if finding.domain and all(p.kind == "immature" for p in finding.parts):
            if finding.severity == "low":
                batches.setdefault((LOW_BATCH, finding.act), []).append(finding)
            elif finding.severity == "medium":
                batches.setdefault((finding.domain, finding.act), []).append(finding)
    batches = {k: v for k, v in batches.items() if len(v) >= ROLL_UP}
    grouped = {f.key for members in batches.values() for f in members}
    out = [f for f in merged if f.key not in grouped]
    titles = {d.id: d.title for d in index.domains}
    topics = {rid: r.topic for rid, r in index.organisation.responsibilities.items() if r.topic}
    practices = {
        row.responsibility.id: topics.get(row.responsibility.id)
        or f"\u201c{row.responsibility.title}\u201d"
        for row in index.raci
    }
    for (batch, act), members in batches.items():
        lead = min(members, key=order)
        names = wording.join_names([_subject(f, practices) for f in members])
        role = wording.ROLE_PHRASES.get(act, act)
        below = "one step below their target" if batch == LOW_BATCH else "below their target"
        named = len(members) <= NAMED_IN_TITLE
        if named and all(f.responsibility in topics for f in members):
            # A few practices with a topic each are named: "Security training and tracking
            # threats and regulations, led by the CISO, are below their target".
            title = f"{wording.capital(names)}, led by {role}, are {below}"
        elif batch == LOW_BATCH:
            title = f"{len(members)} practices led by {role} are {below}"
        else:
            title = f"{titles[batch]}: {len(members)} practices led by {role} are {below}"
        # One bundle per domain keeps the domain's key; several are told apart by who acts.
        key = f"{batch}:practice" if _alone(batches, batch) else f"{batch}:{act}:practice"
        out.append(
            lead._replace(
                id=f"immature:{batch}" if key == f"{batch}:practice" else f"immature:{batch}:{act}",
                key=key,
                domain=None if batch == LOW_BATCH else lead.domain,
                responsibility=None,
                title=title,
                recommendation=_bundle_action(role, names, members, practices, named),
                weight=max(f.weight for f in members),
                evidence=Evidence(
                    lead.evidence.check, tuple(a for f in members for a in f.evidence.answers)
                ),
                parts=tuple(p for f in members for p in f.parts),
                references=tuple(dict.fromkeys(r for f in members for r in f.references)),
            )
        )
    return out


_NEXT_STEP = re.compile(r"Next step, level (\d): (.*)$", re.DOTALL)


def _bundle_action(
    role: str, names: str, members: Sequence[Finding], practices: Mapping[str, str], whole: bool
) -> str:
    """What a bundle asks: its role raises the practices in one plan, each to its next
    level, from its own recommendation ("Next step, level 3: ..."): with what that level
    asks where they are few (``whole``), else the level alone, so that a bundle of nine
    stays a paragraph."""
    steps = _next_steps(members, practices, whole)
    if not steps:
        return f"{wording.capital(role)} should raise {names} to their target level, in one plan."
    return (
        f"{wording.capital(role)} should raise these practices to their target level, in one "
        f"plan. Next steps: {steps}."
    )


def _next_steps(members: Sequence[Finding], practices: Mapping[str, str], whole: bool) -> str:
    steps = []
    for finding in members:
        found = _NEXT_STEP.search(finding.recommendation)
        if found is None:
            continue
        level, asks = int(found.group(1)), found.group(2).strip()
        subject = _subject(finding, practices)
        if whole:
            steps.append(f"{subject}, level {level}: {asks.rstrip('.')}")
        else:
            steps.append(f"{subject} to level {level} ({MATURITY_NAMES[level]})")
    return "; ".join(steps)


def _alone(batches: Mapping[tuple[str, str], list[Finding]], batch: str) -> bool:
    """Whether ``batch`` (a domain, or the batch across domains) is bundled for one role."""
    return sum(1 for b, _ in batches if b == batch) == 1


def _subject(finding: Finding, practices: Mapping[str, str]) -> str:
    """The practice a finding is about, as a sentence names it: its responsibility's topic
    (or its title, quoted), else the quoted part of the finding's title."""
    named = practices.get(finding.responsibility or "")
    if named is not None:
        return named
    title = finding.title
    if title.startswith("\u201c"):
        title = title[1 : title.index("\u201d")]
    return f"\u201c{title}\u201d"
