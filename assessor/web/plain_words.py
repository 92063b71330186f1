"""The results page's words for the engine's codes: what a reader sees instead of EXEC,
SHARED, NONE or "orphaned".  Codes a map does not know read as themselves."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assessor.questionnaire import OWNER_LABELS
from assessor.questionnaire.schema_base import RESPONDENT_ROLE_LABELS
from assessor.reports.labels import SEVERITY_LABELS, effort_label
from assessor.reports.scoring_text import domain_answered
from assessor.web.forms import SECTOR_CHOICES

#: Who owns (or should own) a responsibility, in a few words.
OWNERS = {
    "CIO": "CIO",
    "CISO": "CISO",
    "SHARED": "CIO and CISO jointly",
    "EXEC": "CEO / board",
    "NONE": "nobody owns it",
    "CTO": "CTO",
    "CDO": "Chief Data Officer",
    "CRO": "risk function (CRO)",
    "DPO": "Data Protection Officer",
    "PRIVACY": "privacy officer",
    "COMPLIANCE": "compliance or legal",
    "EXTERNAL": "external provider",
}
#: Who answered (a respondent's role).
#: The matrix's status of a responsibility: how the answers compare with the model.
STATUSES = {
    "aligned": "as the model expects",
    "misplaced": "owned by another role than the model's",
    "orphaned": "nobody owns it",
    "ambiguous": "respondents name different owners",
    "unanswered": "not answered",
}
#: Whether the owner named fits this organisation (its size and structure).
FITS = {
    "expected": "yes",
    "acceptable": "yes, an accepted alternative",
    "misplaced": "no: another role should own it",
    "orphaned": "no: nobody owns it",
    "disputed": "unclear: respondents disagree",
    "shared_without_lead": "no: shared with no lead",
    "shared": "no: shared with no lead",
    "awaiting_lead": "for now: until a security lead is named",
    "unanswered": "not answered",
}
_SECTORS = {value: label for value, label in SECTOR_CHOICES if value}
#: What kind of gap a finding is.
KINDS = {
    "orphaned": "nobody owns it",
    "misplaced": "owned by the wrong role",
    "ambiguous": "no agreed owner",
    "immature": "practice below target",
    "structural": "leadership structure",
    "regulatory": "regulation",
    "perception": "respondents see it differently",
}


def owner(code: str) -> str:
    if code in OWNERS:
        return OWNERS[code]
    label = OWNER_LABELS.get(code)
    return label.removeprefix("The ") if label else code


def role(code: str) -> str:
    """A respondent's role in words ("CIO and CISO" for one person in both roles)."""
    return RESPONDENT_ROLE_LABELS.get(code, code)


def sector(code: str | None) -> str:
    """An organisation's sector as the form words it ("Manufacturing, energy or logistics"),
    never its stored code; empty when none is set."""
    return _SECTORS.get(code or "", code or "")


def status(code: str) -> str:
    return STATUSES.get(code, code.replace("_", " "))


def fit(code: str) -> str:
    return FITS.get(code, code.replace("_", " "))


def score(domain: Mapping[str, Any]) -> str:
    """A domain's score as the page shows it: the number, or "not answered" where nobody
    answered the domain (its 0 is no answer)."""
    return str(domain["score"]) if domain_answered(domain) else "not answered"


def kind(code: str) -> str:
    return KINDS.get(code, code.replace("_", " "))


def effort(code: str) -> str:
    """A finding's effort inside a sentence ("programme, a year or more")."""
    label = effort_label(code)
    return label[:1].lower() + label[1:]


def severity(code: str) -> str:
    return SEVERITY_LABELS.get(code, code)


#: What the template calls them by.
WORDS = {
    "owner": owner,
    "role": role,
    "status": status,
    "fit": fit,
    "kind": kind,
    "severity": severity,
    "effort": effort,
    "score": score,
    "answered": domain_answered,
}
