"""The responsibility model in a questionnaire file: roles, responsibilities, structure
rules and regulations.

Edition 1 of the model (questionnaire v1) names one accountable role per responsibility
among five codes.  Edition 2 adds what it takes to judge ownership against the
organisation's shape and sector, all as data:

* ``roles``: the roles the model knows (CIO, CISO, CTO, CDO, CRO, DPO, PRIVACY,
  COMPLIANCE, EXEC, EXTERNAL, SHARED, NONE), each with its label and description;
* per responsibility, ``alternatives``: roles that are an acceptable owner, each under a
  condition over the context answers (``when``) and/or a structure rule (``structure``);
* ``structure``: the structure rules (no CISO, dual role, reporting line, size), each a
  condition over the context answers; a rule may say that while it holds some roles are
  one person (``same_person``: the dual CIO/CISO);
* ``regulations``: when each regulation or framework applies (``when``; none: always),
  which one it yields to (``yields_to``: DORA for NIS2) and the kinds of reference that
  belong to it, so that its references are shown only where it applies.

Cross references (declared roles, conditions over context questions, reference kinds)
are checked by :mod:`assessor.questionnaire.validate_model`.
"""

from __future__ import annotations

from typing import Literal, Self, get_args

from pydantic import Field, model_validator

from assessor.questionnaire.references import ReferenceKind
from assessor.questionnaire.schema_base import Condition, Strict, invalid

#: Every role code the model may use (edition 2); owner answers of v1 use OWNER_CODES.
RoleCode = Literal[
    "CIO",
    "CISO",
    "CTO",
    "CDO",
    "CRO",
    "DPO",
    "PRIVACY",
    "COMPLIANCE",
    "EXEC",
    "EXTERNAL",
    "SHARED",
    "NONE",
]
ROLE_CODES: tuple[str, ...] = get_args(RoleCode)
#: Role codes an ``owner`` answer may take in v1, and that edition 1 of the model uses.
OWNER_CODES: tuple[str, ...] = ("CIO", "CISO", "SHARED", "EXEC", "NONE")
OwnerCode = Literal["CIO", "CISO", "SHARED", "EXEC", "NONE"]
#: How each role reads as an answer; a questionnaire's ``roles`` give their own labels.
OWNER_LABELS: dict[str, str] = {
    "CIO": "The CIO",
    "CISO": "The CISO",
    "SHARED": "The CIO and the CISO jointly",
    "EXEC": "The CEO, the board or another executive",
    "NONE": "Nobody / unclear",
    "CTO": "The CTO or head of engineering",
    "CDO": "The Chief Data Officer",
    "CRO": "The CRO or risk function",
    "DPO": "The Data Protection Officer",
    "PRIVACY": "The privacy officer",
    "COMPLIANCE": "Compliance or legal",
    "EXTERNAL": "An external provider (vCISO, MSSP)",
}


class Role(Strict):
    """One role of the model: its code, how it reads, what it is."""

    code: RoleCode
    label: str = Field(min_length=1)
    description: str = Field(min_length=1)


class Alternative(Strict):
    """An acceptable owner other than the accountable role, and when it fits.

    Without ``when`` or ``structure`` it always fits; with both, both must hold.
    """

    role: RoleCode
    #: A condition over the context answers.
    when: Condition | None = None
    #: The id of a structure rule that must hold.
    structure: str | None = None
    #: Why it fits, for the reader of a result.
    note: str = ""

    @model_validator(mode="after")
    def _someone(self) -> Self:
        if self.role == "NONE":
            raise invalid("NONE cannot be an acceptable owner: nobody is always a gap", "role")
        return self


class Responsibility(Strict):
    """One duty of the CIO/CISO responsibility model (``STR-1`` ...)."""

    id: str = Field(pattern=r"^[A-Z]{2,5}-[0-9]{1,3}$")
    domain: str
    title: str = Field(min_length=1)
    #: The responsibility in a few words, to name it inside a sentence ("fraud
    #: prevention"); findings quote the title where there is none.
    topic: str | None = Field(default=None, min_length=1)
    #: What goes wrong when the practice falls short of its target, as a sentence
    #: ("Fraud prevention is not managed systematically"): an immature finding's title.
    risk: str | None = Field(default=None, min_length=1)
    accountable: RoleCode
    consulted: tuple[RoleCode, ...] = ()
    alternatives: tuple[Alternative, ...] = ()
    references: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _roles(self) -> Self:
        if self.accountable == "NONE":
            raise invalid(
                "NONE cannot be accountable: name the role the model expects", "accountable"
            )
        for index, code in enumerate(self.consulted):
            if code == "NONE" or code == self.accountable or code in self.consulted[:index]:
                why = "is the accountable role" if code == self.accountable else "is not a role"
                if code in self.consulted[:index]:
                    why = "is listed twice"
                raise invalid(f"consulted role {code} {why}", f"consulted.{index}")
        roles = [alternative.role for alternative in self.alternatives]
        for index, code in enumerate(roles):
            if code == self.accountable:
                raise invalid(
                    f"{code} is the accountable role: an alternative is another role",
                    f"alternatives.{index}.role",
                )
            if code in roles[:index]:
                raise invalid(
                    f"{code} is an alternative twice: join the conditions with any",
                    f"alternatives.{index}.role",
                )
        return self


class StructureRule(Strict):
    """A fact about the organisation's shape that decides what fits it (no CISO ...)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str = Field(min_length=1)
    #: A condition over the context answers.
    when: Condition
    description: str = Field(min_length=1)
    #: While the rule holds, these roles are held by one person.
    same_person: tuple[RoleCode, ...] = ()
    #: What a consultant recommends where the rule holds.
    recommendation: str = ""

    @model_validator(mode="after")
    def _people(self) -> Self:
        if self.same_person and (
            len(self.same_person) < 2 or len(set(self.same_person)) != len(self.same_person)
        ):
            raise invalid("same_person needs two or more different roles", "same_person")
        if "NONE" in self.same_person or "SHARED" in self.same_person:
            raise invalid(
                "same_person names roles a person holds, not NONE or SHARED", "same_person"
            )
        return self


class Regulation(Strict):
    """A regulation or framework, when it applies, and the references that belong to it."""

    id: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    title: str = Field(min_length=1)
    #: A condition over the context answers; without one the regulation always applies.
    when: Condition | None = None
    #: Regulations that, where they apply, take its place (lex specialis: NIS2 -> DORA).
    yields_to: tuple[str, ...] = ()
    #: The kinds of reference that belong to it (shown only where it applies).
    reference_kinds: tuple[ReferenceKind, ...] = Field(min_length=1)
    description: str = ""
