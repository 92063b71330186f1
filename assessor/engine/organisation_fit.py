"""What fits this organisation: who may own a responsibility, and which regulations apply.

Both read the context answers (question id -> the engine's coerced answer, as
:func:`assessor.engine.answers.coerce_answer` gives it) against edition 2 of the model
(:mod:`.organisation_model`), as ``shared/docs/responsibility-model.md`` defines:

* :func:`owner_fit`: an owner named for a responsibility is **expected** (the model's
  accountable role), **acceptable** (an alternative whose condition and structure rule
  hold here: never misplaced), **awaiting a lead** (no CISO, and a role that may lead
  security once named in writing holds it, but no written assignment makes it so: it
  fits once the lead is named), **misplaced**, **shared without a lead** (SHARED with no
  lead named), or **orphaned** (NONE).  While a structure rule with ``same_person`` holds
  (one person is both CIO and CISO), naming either role names that person, and ownership
  is compared with the roles that person holds.
* :func:`applicable_regulations`: the regulations and frameworks whose condition holds,
  less those that yield to another that applies (NIS2 yields to DORA).
* :func:`shown_references`: a responsibility's references, without those of regulations
  that do not apply.

The scoring method (:mod:`.method`) reads :func:`owner_fit` for ownership clarity.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from assessor.engine.facts import regulations_holding
from assessor.engine.organisation_model import (
    AlternativeOwner,
    ModelResponsibility,
    OrganisationModel,
)
from assessor.engine.questionnaire_index import index_for
from assessor.questionnaire.schema import Questionnaire

FitStatus = Literal[
    "expected", "acceptable", "awaiting_lead", "misplaced", "shared_without_lead", "orphaned"
]
#: The structure rule under which a CTO, a CIO or an external security lead fits a CISO's
#: responsibility (named in writing, small enough), and the one of having no CISO.
SECURITY_LEAD_RULE = "small_without_ciso"
NO_CISO = "no_ciso"
#: The context question the security lead's written assignment answers.
WRITTEN_LEAD = "security_assignment_written"


def lead_awaited(
    model: OrganisationModel, held: Collection[str], answers: Mapping[str, Any]
) -> bool:
    """Whether the organisation has no CISO and would be one where a CTO, a CIO or an
    external lead fits a CISO's responsibilities once named in writing (small enough),
    but no written assignment makes it so yet."""
    if NO_CISO not in held or SECURITY_LEAD_RULE in held:
        return False
    rule = next((s for s in model.structure if s.id == SECURITY_LEAD_RULE), None)
    return rule is not None and rule.when.holds({**answers, WRITTEN_LEAD: "yes"})


@dataclass(frozen=True, slots=True)
class OwnerFit:
    """The verdict on one owner named for one responsibility."""

    responsibility: str
    #: The role code named (SHARED, NONE included).
    named: str
    status: FitStatus
    #: The role the owner was judged as: the lead of a SHARED answer, or the model's role
    #: the named person also holds (dual role); None for NONE and SHARED without a lead.
    judged_as: str | None = None
    #: Why an acceptable owner fits, or what it waits for (the alternative's note), else
    #: empty.
    note: str = ""
    #: The structure rules that decided it (an alternative's rule, a dual role).
    structure: tuple[str, ...] = ()


def structure_holding(q: Questionnaire, answers: Mapping[str, Any]) -> tuple[str, ...]:
    """The ids of the structure rules that hold for these context answers, in file order."""
    return tuple(s.id for s in index_for(q).organisation.structure if s.when.holds(answers))


def owner_fit(
    q: Questionnaire,
    responsibility: str,
    named: str,
    answers: Mapping[str, Any],
    lead: str | None = None,
    held: tuple[str, ...] | None = None,
) -> OwnerFit:
    """How ``named`` fits as the accountable owner of ``responsibility`` here.

    ``lead`` is the role named as lead when ``named`` is SHARED; ``held`` the structure
    rules holding for ``answers`` (:func:`structure_holding`), when the caller has them.

    :raise KeyError: for a responsibility the model does not have.
    :raise ValueError: for a role code the model does not know, or a lead that is not
        one role.
    """
    model = index_for(q).organisation
    r = model.responsibilities[responsibility]
    for code in (named, lead):
        if code is not None and code not in model.roles:
            raise ValueError(f"{code!r} is not a role of the model")
    if named == "NONE":
        return OwnerFit(r.id, named, "orphaned")
    judged = named
    if named == "SHARED":
        if lead is None:
            return OwnerFit(r.id, named, "shared_without_lead")
        if lead in ("SHARED", "NONE"):
            raise ValueError(f"the lead of a shared responsibility is one role, not {lead}")
        if r.accountable == "SHARED":
            return OwnerFit(r.id, named, "expected", judged_as=lead)
        judged = lead
    elif lead is not None:
        raise ValueError("a lead is named only for a SHARED owner")
    if held is None:
        held = structure_holding(q, answers)
    roles, merged = _roles_of(judged, held, q)
    if r.accountable in roles:
        return OwnerFit(r.id, named, "expected", judged_as=r.accountable, structure=merged)
    awaiting = None
    waits = lead_awaited(index_for(q).organisation, held, answers)
    for alternative in r.alternatives:
        if alternative.role in roles and _fits(alternative, answers, held):
            because = (alternative.structure,) if alternative.structure else ()
            return OwnerFit(
                r.id,
                named,
                "acceptable",
                judged_as=alternative.role,
                note=alternative.note,
                structure=(*merged, *because),
            )
        if waits and alternative.role in roles and alternative.structure == SECURITY_LEAD_RULE:
            awaiting = alternative
    if awaiting is not None:
        # No CISO, and a role that may lead security here holds it, but not in writing: it
        # fits once it is named so.
        return OwnerFit(
            r.id,
            named,
            "awaiting_lead",
            judged_as=awaiting.role,
            note=awaiting.note,
            structure=(*merged, NO_CISO),
        )
    return OwnerFit(r.id, named, "misplaced", judged_as=judged, structure=merged)


def _roles_of(
    code: str, held: tuple[str, ...], q: Questionnaire
) -> tuple[frozenset[str], tuple[str, ...]]:
    """The roles the person named by ``code`` holds, and the structure rules that merged
    them (one person both CIO and CISO)."""
    roles = {code}
    merged = []
    for rule in index_for(q).organisation.structure:
        if rule.id in held and code in rule.same_person:
            roles |= rule.same_person
            merged.append(rule.id)
    return frozenset(roles), tuple(merged)


def _fits(alternative: AlternativeOwner, answers: Mapping[str, Any], held: tuple[str, ...]) -> bool:
    if alternative.structure is not None and alternative.structure not in held:
        return False
    return alternative.when.holds(answers)


def applicable_regulations(q: Questionnaire, answers: Mapping[str, Any]) -> tuple[str, ...]:
    """The ids of the regulations and frameworks that apply, in file order: those whose
    condition holds (or that have none), less those yielding to another that holds."""
    return regulations_holding(index_for(q).organisation, answers)


def shown_references(
    q: Questionnaire, responsibility: str, applicable: tuple[str, ...]
) -> tuple[str, ...]:
    """The references of ``responsibility`` to show where ``applicable`` regulations apply:
    those of a kind an applicable regulation claims, and those no regulation claims."""
    model = index_for(q).organisation
    r: ModelResponsibility = model.responsibilities[responsibility]
    kinds = {kind for g in model.regulations if g.id in applicable for kind in g.reference_kinds}
    return tuple(
        text for text, kind in r.references if kind in kinds or kind not in model.claimed_kinds
    )
