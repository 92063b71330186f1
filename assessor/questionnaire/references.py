"""Framework and regulation references, typed by what they point at.

A reference is written as text in a questionnaire (``ISO 27001 clause 5.3``,
``ISO 27001 A.5.3``, ``GDPR Art. 33``) and read here into a :class:`Reference` whose
``kind`` says what it is: an ISO/IEC 27001 clause is not an Annex A control.  Each kind
has one notation, and the identifiers that exist in the real document are checked
(ISO/IEC 27001:2022 clauses and Annex A controls, NIST CSF 2.0 subcategories, article
ranges); a questionnaire's regulations name the kinds that belong to them, so that a
regulation's references can be shown only where it applies.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

ReferenceKind = Literal[
    "csf",
    "iso_clause",
    "iso_annex_a",
    "cobit",
    "gdpr_article",
    "hipaa_section",
    "pci_requirement",
    "nis2_article",
    "dora_article",
    "sec_rule",
]

#: NIST CSF 2.0 subcategories by category (the numbers CSF 2.0 kept; withdrawn ones are gaps).
CSF_SUBCATEGORIES: dict[str, tuple[int, ...]] = {
    "GV.OC": (1, 2, 3, 4, 5),
    "GV.RM": (1, 2, 3, 4, 5, 6, 7),
    "GV.RR": (1, 2, 3, 4),
    "GV.PO": (1, 2),
    "GV.OV": (1, 2, 3),
    "GV.SC": (1, 2, 3, 4, 5, 6, 7, 8, 9, 10),
    "ID.AM": (1, 2, 3, 4, 5, 7, 8),
    "ID.RA": (1, 2, 3, 4, 5, 6, 7, 8, 9, 10),
    "ID.IM": (1, 2, 3, 4),
    "PR.AA": (1, 2, 3, 4, 5, 6),
    "PR.AT": (1, 2),
    "PR.DS": (1, 2, 10, 11),
    "PR.PS": (1, 2, 3, 4, 5, 6),
    "PR.IR": (1, 2, 3, 4),
    "DE.CM": (1, 2, 3, 6, 9),
    "DE.AE": (2, 3, 4, 6, 7, 8),
    "RS.MA": (1, 2, 3, 4, 5),
    "RS.AN": (3, 6, 7, 8),
    "RS.CO": (2, 3),
    "RS.MI": (1, 2),
    "RC.RP": (1, 2, 3, 4, 5, 6),
    "RC.CO": (3, 4),
}

#: ISO/IEC 27001:2022 clauses 4 to 10 (with the sub-clauses that exist).
ISO_CLAUSES: frozenset[str] = frozenset(
    "4 4.1 4.2 4.3 4.4 5 5.1 5.2 5.3 6 6.1 6.1.1 6.1.2 6.1.3 6.2 6.3 7 7.1 7.2 7.3 7.4 7.5 "
    "7.5.1 7.5.2 7.5.3 8 8.1 8.2 8.3 9 9.1 9.2 9.2.1 9.2.2 9.3 9.3.1 9.3.2 9.3.3 10 10.1 "
    "10.2".split()
)

#: ISO/IEC 27001:2022 Annex A: controls per theme (5 organisational ... 8 technological).
ISO_ANNEX_A: dict[int, int] = {5: 37, 6: 8, 7: 14, 8: 34}

#: COBIT 2019 governance and management objectives: domain -> how many it has.
COBIT_OBJECTIVES: dict[str, int] = {"EDM": 5, "APO": 14, "BAI": 11, "DSS": 6, "MEA": 4}


@dataclass(frozen=True, slots=True)
class Reference:
    """One reference: its kind, the identifier inside its document and the text as written."""

    kind: ReferenceKind
    ident: str
    text: str


@dataclass(frozen=True, slots=True)
class _Notation:
    kind: ReferenceKind
    #: The words before the identifier ("ISO 27001 clause ").
    prefix: str
    pattern: re.Pattern[str]
    example: str
    #: Why an identifier that matches the pattern does not exist; empty when it does.
    exists: Callable[[re.Match[str]], str]


def _csf(match: re.Match[str]) -> str:
    category, number = match.group(1), int(match.group(2))
    if category not in CSF_SUBCATEGORIES:
        return f"{category} is not a NIST CSF 2.0 category"
    if number not in CSF_SUBCATEGORIES[category]:
        return f"{category}-{match.group(2)} is not a NIST CSF 2.0 subcategory"
    return ""


def _iso_clause(match: re.Match[str]) -> str:
    clause = match.group(1)
    return "" if clause in ISO_CLAUSES else f"{clause} is not a clause of ISO/IEC 27001:2022"


def _iso_annex(match: re.Match[str]) -> str:
    theme, number = int(match.group(1)), int(match.group(2))
    last = ISO_ANNEX_A.get(theme)
    if last is None or not 1 <= number <= last:
        return f"A.{theme}.{number} is not an Annex A control of ISO/IEC 27001:2022"
    return ""


def _cobit(match: re.Match[str]) -> str:
    domain, number = match.group(1), int(match.group(2))
    last = COBIT_OBJECTIVES.get(domain, 0)
    if not 1 <= number <= last:
        return f"{domain}{match.group(2)} is not a COBIT 2019 objective"
    return ""


def _article_within(last: int, law: str) -> Callable[[re.Match[str]], str]:
    def check(match: re.Match[str]) -> str:
        number = int(match.group(1))
        return "" if 1 <= number <= last else f"{law} has no Article {number}"

    return check


def _always(match: re.Match[str]) -> str:
    return ""


_SUB = r"(?:\([0-9a-zA-Z]+\))*"  # (2)(d), (a)(1)(ii)(A) ...

NOTATIONS: tuple[_Notation, ...] = (
    _Notation(
        "csf",
        "NIST CSF ",
        re.compile(r"NIST CSF ([A-Z]{2}\.[A-Z]{2})-([0-9]{2})"),
        "NIST CSF GV.RR-02",
        _csf,
    ),
    _Notation(
        "iso_clause",
        "ISO 27001 clause ",
        re.compile(r"ISO 27001 clause ([0-9]+(?:\.[0-9]+){0,2})"),
        "ISO 27001 clause 5.3",
        _iso_clause,
    ),
    _Notation(
        "iso_annex_a",
        "ISO 27001 ",
        re.compile(r"ISO 27001 A\.([0-9])\.([0-9]+)"),
        "ISO 27001 A.5.3",
        _iso_annex,
    ),
    _Notation("cobit", "COBIT ", re.compile(r"COBIT ([A-Z]{3})([0-9]{2})"), "COBIT APO02", _cobit),
    _Notation(
        "gdpr_article",
        "GDPR ",
        re.compile(rf"GDPR Art\. ([0-9]+){_SUB}"),
        "GDPR Art. 33",
        _article_within(99, "the GDPR"),
    ),
    _Notation(
        "hipaa_section",
        "HIPAA ",
        re.compile(rf"HIPAA 164\.([0-9]{{3}}){_SUB}"),
        "HIPAA 164.308(a)(6)",
        _always,
    ),
    _Notation(
        "pci_requirement",
        "PCI DSS ",
        re.compile(r"PCI DSS ([1-9]|1[0-2])(?:\.[0-9]+){0,2}"),
        "PCI DSS 12.10",
        _always,
    ),
    _Notation(
        "nis2_article",
        "NIS2 ",
        re.compile(rf"NIS2 Art\. ([0-9]+){_SUB}"),
        "NIS2 Art. 21(2)(d)",
        _article_within(46, "NIS2"),
    ),
    _Notation(
        "dora_article",
        "DORA ",
        re.compile(rf"DORA Art\. ([0-9]+){_SUB}"),
        "DORA Art. 6(4)",
        _article_within(64, "DORA"),
    ),
    _Notation(
        "sec_rule",
        "SEC ",
        re.compile(r"SEC (Form 8-K Item 1\.05|Regulation S-K Item 106|Form 20-F Item 16K)"),
        "SEC Form 8-K Item 1.05",
        _always,
    ),
)

REFERENCE_KINDS: tuple[str, ...] = tuple(n.kind for n in NOTATIONS)


def parse_reference(text: str) -> Reference:
    """The typed reference ``text`` stands for.

    :raise ValueError: with a message saying how to write it when it is not a known
        notation, or names something the document does not have.
    """
    for notation in NOTATIONS:
        match = notation.pattern.fullmatch(text)
        if match is not None:
            why = notation.exists(match)
            if why:
                raise ValueError(why)
            return Reference(notation.kind, text[len(notation.prefix) :], text)
    if re.fullmatch(r"ISO 27001 (?:cl\.? ?|A ?)?[0-9.]+", text):
        raise ValueError(
            f"{text!r} does not say what it is: write 'ISO 27001 clause 5.3' for a clause or "
            f"'ISO 27001 A.5.3' for an Annex A control"
        )
    examples = ", ".join(n.example for n in NOTATIONS)
    raise ValueError(f"{text!r} is not a reference this format knows (write one like: {examples})")
