"""The words the report and the exports use for the engine's codes."""

from __future__ import annotations

from assessor.questionnaire.schema import Questionnaire
from assessor.questionnaire.schema_base import RESPONDENT_ROLE_LABELS

SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}
SEVERITY_LABELS = {"critical": "Critical", "high": "High", "medium": "Medium", "low": "Low"}

#: Owner codes in a few words (the questionnaire's OWNER_LABELS are full sentences).
OWNER_SHORT = {
    "CIO": "CIO",
    "CISO": "CISO",
    "SHARED": "CIO and CISO jointly",
    "EXEC": "CEO / board / executive",
    "NONE": "Nobody",
}

#: A finding's effort (the engine's code) as people read it: the kind of work and how long
#: it takes.  The engine's result and the JSON export's ``result`` keep the code.
EFFORT_LABELS = {
    "quick win": "Quick win, days to weeks",
    "project": "Project, a few months",
    "programme": "Programme, a year or more",
}

#: A respondent's role in a few words.
ROLE_LABELS = RESPONDENT_ROLE_LABELS


def in_sentence(title: str) -> str:
    """A domain's title inside a sentence: "the security program", not "The security
    program" (a title that opens with the article reads as a heading)."""
    return "the " + title[4:] if title.startswith("The ") else title


def role_label(code: str) -> str:
    """A respondent's role as people read it ("CIO and CISO", not ``CIO_CISO``)."""
    return ROLE_LABELS.get(code, code)


STATUS_LABELS = {
    "aligned": "Aligned with the model",
    "misplaced": "Misplaced",
    "orphaned": "Nobody owns it",
    "ambiguous": "Ambiguous",
    "unanswered": "Not answered",
}

KIND_LABELS = {
    "orphaned": "Nobody owns it",
    "misplaced": "Misplaced responsibility",
    "ambiguous": "Ambiguous ownership",
    "immature": "Immature practice",
    "structural": "Structural risk",
    "regulatory": "Regulatory exposure",
    "perception": "Perception gap",
}


def owner_short(code: str) -> str:
    """An owner in a few words; a respondent role (one person as CIO and CISO) as its label."""
    return OWNER_SHORT.get(code) or ROLE_LABELS.get(code, code)


def effort_label(code: str) -> str:
    """A finding's effort in words ("Programme, a year or more", not ``programme``)."""
    return EFFORT_LABELS.get(code, code)


def sector_label(questionnaire: Questionnaire, code: str | None) -> str:
    """An organisation's sector as its questionnaire's ``sector`` question words it
    ("Manufacturing, energy or logistics", not ``manufacturing``); else as given."""
    question = questionnaire.questions.get("sector")
    options = {o.value: o.label for o in question.all_options} if question else {}
    return options.get(code or "", code or "")
