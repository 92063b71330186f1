"""The roadmap's catalogue of initiatives in a questionnaire file (``initiatives``).

An initiative is a piece of work a board can sponsor ("Know and protect sensitive data"):
it names the role that owns it, the model's responsibilities whose findings it closes and
the initiatives that must be under way first.  The engine groups a result's findings
into these initiatives (:mod:`assessor.engine.roadmap`); each responsibility belongs to
one initiative at most, and the dependencies form no cycle (both checked by
:mod:`assessor.questionnaire.validate_initiatives`).
"""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from assessor.questionnaire.model_schema import RoleCode
from assessor.questionnaire.schema_base import Strict, invalid

#: The most initiatives a roadmap shows (issue 15): a board reads a dozen, not forty.
MAX_INITIATIVES = 12


class Wording(Strict):
    """An initiative's words for an organisation of one shape (a structure rule holds)."""

    #: The model's structure rule under which these words replace the initiative's own
    #: (``no_ciso``, ``dual_role`` ...).
    structure: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    outcome: str = Field(min_length=1)


class Initiative(Strict):
    """One initiative of the roadmap's catalogue."""

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    title: str = Field(min_length=1)
    #: What is in place once it is done, in a sentence.
    outcome: str = Field(min_length=1)
    #: The role that owns the initiative (one of the model's roles).
    owner: RoleCode
    #: The model's responsibilities whose findings this initiative closes.
    responsibilities: tuple[str, ...] = Field(min_length=1)
    #: Initiatives that must be under way before this one can succeed.
    depends_on: tuple[str, ...] = ()
    #: Other words for the outcome where the organisation's shape calls for them (no
    #: CISO, one person in both roles); the first whose structure rule holds is used.
    wordings: tuple[Wording, ...] = ()

    @model_validator(mode="after")
    def _someone(self) -> Self:
        if self.owner in ("NONE", "SHARED"):
            raise invalid("an initiative needs one owner, not NONE or SHARED", "owner")
        if self.id in self.depends_on:
            raise invalid("an initiative cannot depend on itself", "depends_on")
        return self
