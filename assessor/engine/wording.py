"""Words: labels of answers, the text of generic findings, and ``{placeholder}`` templates.

Everything here is computed from the questionnaire once (by :mod:`assessor.engine.questionnaire_index`)
or, for placeholders, filled from plain strings; nothing formats user text with
``str.format``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from assessor.questionnaire.schema import MATURITY_NAMES, Question, Responsibility

#: Severities, most severe first.
SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low")
SEVERITY_RANK: dict[str, int] = {name: rank for rank, name in enumerate(SEVERITIES)}

#: How an owner code reads inside a sentence.
ROLE_PHRASES: dict[str, str] = {
    "CIO": "the CIO",
    "CISO": "the CISO",
    "SHARED": "the CIO and the CISO jointly",
    "CIO_CISO": "the CIO and CISO",
    "EXEC": "the CEO, the board or another executive",
    "NONE": "nobody",
    "CTO": "the CTO",
    "CDO": "the Chief Data Officer",
    "CRO": "the CRO or risk function",
    "DPO": "the Data Protection Officer",
    "PRIVACY": "the privacy officer",
    "COMPLIANCE": "compliance or legal",
    "EXTERNAL": "an external provider (vCISO, MSSP)",
}

YESNO_PHRASES: dict[str, str] = {"yes": "yes", "no": "no", "unknown": "don't know"}

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


class FindingText(NamedTuple):
    """The words of a finding written from the model."""

    title: str
    recommendation: str


#: A parsed template: literal text, each followed by a placeholder name or None.
Template = tuple[tuple[str, str | None], ...]


def bump(severity: str, levels: int = 1) -> str:
    """``severity`` raised by ``levels`` steps, capped at critical."""
    return SEVERITIES[max(0, SEVERITY_RANK[severity] - levels)]


def parse_template(text: str) -> Template:
    """Split ``text`` into literals and ``{name}`` placeholders."""
    parts: list[tuple[str, str | None]] = []
    position = 0
    for match in _PLACEHOLDER.finditer(text):
        parts.append((text[position : match.start()], match.group(1)))
        position = match.end()
    parts.append((text[position:], None))
    return tuple(parts)


def placeholders(template: Template) -> tuple[str, ...]:
    return tuple(name for _, name in template if name is not None)


def fill(template: Template, values: Mapping[str, str]) -> str:
    """The template with each known placeholder replaced; unknown ones are left as written."""
    out: list[str] = []
    for literal, name in template:
        out.append(literal)
        if name is not None:
            out.append(values.get(name, "{" + name + "}"))
    return "".join(out)


def join_names(names: Sequence[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def format_number(value: float) -> str:
    """A number answer as text: ``1,200``, ``12.5``."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}"


def label_table(question: Question) -> dict[Any, str]:
    """Display label of each answer value of a question with options."""
    return {option.value: option.label for option in question.all_options}


# --- generic findings ----------------------------------------------------------------


def topic_of(responsibility: Responsibility) -> str:
    """The responsibility named inside a sentence: its ``topic`` ("fraud prevention"),
    else its title in quotes (edition 1 models have no topic)."""
    return responsibility.topic or f"\u201c{responsibility.title}\u201d"


def _consulted(responsibility: Responsibility) -> str:
    roles = [ROLE_PHRASES[c] for c in responsibility.consulted]
    return f", consulting {join_names(roles)}" if roles else ""


def orphaned_text(responsibility: Responsibility) -> FindingText:
    accountable = ROLE_PHRASES[responsibility.accountable]
    return FindingText(
        f"Nobody is accountable for {topic_of(responsibility)}",
        f"Name one accountable owner and write it down in the roles and responsibilities. "
        f"The model gives this to {accountable}{_consulted(responsibility)}.",
    )


def misplaced_text(responsibility: Responsibility, named: str) -> FindingText:
    accountable = ROLE_PHRASES[responsibility.accountable]
    holder = ROLE_PHRASES[named]
    if named in responsibility.consulted:
        keep = f"{capital(holder)} stays involved as a consulted role, as the model has it."
    else:
        keep = f"{capital(holder)} can contribute, but should not answer for it."
    return FindingText(
        f"{capital(holder)} holds {topic_of(responsibility)}, where {accountable} should "
        f"be accountable",
        f"Move accountability for {topic_of(responsibility)} to {accountable}. {keep} "
        f"Record the change in the written roles and responsibilities.",
    )


def shared_text(responsibility: Responsibility) -> FindingText:
    accountable = ROLE_PHRASES[responsibility.accountable]
    return FindingText(
        f"Nobody alone answers for {topic_of(responsibility)}: the CIO and the CISO share it",
        f"Joint ownership leaves nobody answerable when it goes wrong. Make {accountable} "
        f"accountable{_consulted(responsibility)}, and write it down.",
    )


def disputed_text(responsibility: Responsibility) -> FindingText:
    accountable = ROLE_PHRASES[responsibility.accountable]
    return FindingText(
        f"The respondents disagree on who owns {topic_of(responsibility)}",
        f"The respondents name different owners. Agree on one accountable owner "
        f"(we suggest {accountable}) and write it down so that everyone knows.",
    )


def disputed_owner_title(topic: str, named: Sequence[str]) -> str:
    """The title of a disputed owner: "The respondents disagree on who owns fraud
    prevention (the executive team vs nobody)"; ``named`` are role phrases."""
    return f"The respondents disagree on who owns {topic} ({' vs '.join(named)})"


#: The first level at which a practice is in place (written down): titles from here on
#: say what it lacks, not that it is missing.
DEFINED = 2


def level_phrase(level: int, target: int) -> str:
    """``level 1, Ad hoc; target 3``."""
    return f"level {level}, {MATURITY_NAMES[level]}; target {target}"


def immature_text(
    responsibility: Responsibility, question: Question, level: int, target: int
) -> FindingText:
    """Immaturity, self-contained; ``{owner}`` in the recommendation stands for the role
    who should act (filled when the finding is merged, see :mod:`.root_causes`).  The
    title names the risk (the responsibility's ``risk``: "The most sensitive data is not
    protected by design") up to level 1; from level 2 (Defined) the practice is in place,
    so the title says so ("The protection of the most sensitive data: in place, not yet
    managed"), else quotes the model."""
    subject = topic_of(responsibility)
    if responsibility.risk and responsibility.topic and DEFINED <= level < target:
        where = "in place" if level == DEFINED else MATURITY_NAMES[level].lower()
        title = (
            f"{capital(responsibility.topic)}: {where}, not yet "
            f"{MATURITY_NAMES[target].lower()} ({level_phrase(level, target)})"
        )
    elif responsibility.risk:
        title = f"{responsibility.risk} ({level_phrase(level, target)})"
    else:
        title = (
            f"{subject} is at level {level} ({MATURITY_NAMES[level]}), below the target of {target}"
        )
    if responsibility.topic:
        subject = f"the maturity of {responsibility.topic}"
    steps = f"{OWNER} should raise {subject} from level {level} ({MATURITY_NAMES[level]}) to level {target}"
    steps += f" ({MATURITY_NAMES[target]})." if 0 <= target < len(MATURITY_NAMES) else "."
    if level + 1 < len(question.levels):
        steps += f" Next step, level {level + 1}: {question.levels[level + 1]}"
        if not steps.endswith((".", "!", "?")):
            steps += "."
    return FindingText(title, steps)


#: Stands for the role who should act in a recommendation written in advance.
OWNER = "{owner}"


def perception_text(
    question: Question, responsibility: Responsibility | None = None
) -> FindingText:
    """Respondents differ: the title says what about, in the question's ``about`` words,
    else by the responsibility's topic, else (edition 1) by quoting the question."""
    if question.about:
        title = f"The respondents disagree {disagree_on(question)}"
    elif responsibility is not None and responsibility.topic:
        title = f"The respondents see {responsibility.topic} differently"
    else:
        title = f"The respondents see this differently: {question.text}"
    return FindingText(
        title,
        "Put the differing answers side by side in one meeting, establish the facts, "
        "and agree on one answer before acting on the findings that depend on it.",
    )


def disagree_on(question: Question) -> str:
    """What the respondents disagree on, completing "The respondents disagree ...": the
    question's ``about`` ("whether ...", "on when ..."), with "on" before one that names a
    thing ("on which kinds of regulated data ..."), else the question quoted."""
    about = question.about
    if about is None:
        return f"on \u201c{question.text}\u201d"
    return about if about.startswith(("whether ", "on ")) else f"on {about}"


def settle_first(questions: Sequence[Question]) -> str:
    """The sentence a finding held on one side of disputed answers ends with: which
    answers, and that they are to be settled before acting."""
    what = join_names([disagree_on(q) for q in questions])
    them = "it" if len(questions) == 1 else "them"
    return f" The respondents disagree {what}; settle {them} before acting."


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]
