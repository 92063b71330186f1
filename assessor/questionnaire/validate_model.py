"""Cross-reference checks of the responsibility model's edition 2 fields.

A questionnaire that declares ``roles`` is in the edition 2 format: every role its model
names is declared, NONE and SHARED among them; its references are typed (each one a
notation of :mod:`.references`, naming something the document has, and of a kind one of
its regulations or frameworks claims); the conditions of alternatives, structure rules
and regulations read context questions only.  Without ``roles`` (edition 1) the model
uses the five v1 codes and none of the edition 2 fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from assessor.questionnaire.model_schema import OWNER_CODES
from assessor.questionnaire.problems import Loc, did_you_mean
from assessor.questionnaire.references import parse_reference
from assessor.questionnaire.schema import (
    AllOf,
    AnyOf,
    Compare,
    Condition,
    NotOf,
    Questionnaire,
    RoleIs,
)

Issue = tuple[Loc, str]
#: Roles an edition 2 model must declare: who is nobody, and who is both.
REQUIRED_ROLES = ("NONE", "SHARED")


def model_conditions(q: Questionnaire) -> Iterator[tuple[Loc, Condition]]:
    """Every condition of the model's edition 2 fields, where it is in the file."""
    for i, r in enumerate(q.model):
        for j, alternative in enumerate(r.alternatives):
            if alternative.when is not None:
                yield ("model", i, "alternatives", j, "when"), alternative.when
    for i, rule in enumerate(q.structure):
        yield ("structure", i, "when"), rule.when
    for i, regulation in enumerate(q.regulations):
        if regulation.when is not None:
            yield ("regulations", i, "when"), regulation.when


def check_model(q: Questionnaire) -> Iterator[Issue]:
    """Every problem of the model's roles, alternatives, structure, regulations, references."""
    if not q.roles:
        yield from _edition_one(q)
        return
    yield from _roles(q)
    for loc, condition in model_conditions(q):
        yield from _context_condition(q, condition, loc)
    yield from _structure(q)
    yield from _regulations(q)
    yield from _references(q)
    yield from _rule_regulations(q)


def _rule_regulations(q: Questionnaire) -> Iterator[Issue]:
    known = [g.id for g in q.regulations]
    for i, rule in enumerate(q.rules):
        named = rule.finding.regulation
        if named is not None and named not in known:
            yield (
                ("rules", i, "finding", "regulation"),
                f"{named} is not a regulation of this questionnaire{did_you_mean(named, known)}",
            )


def _edition_one(q: Questionnaire) -> Iterator[Issue]:
    for key in ("structure", "regulations"):
        if getattr(q, key):
            yield (key,), f"declare the model's roles (roles:) to use {key}"
    for i, r in enumerate(q.model):
        if r.alternatives:
            yield (
                ("model", i, "alternatives"),
                "declare the model's roles (roles:) to use alternatives",
            )
        for loc, code in _named_roles_of(i, q):
            if code not in OWNER_CODES:
                yield (
                    loc,
                    f"{code} is not one of {', '.join(OWNER_CODES)}: declare the model's roles "
                    f"(roles:) to use it",
                )


def _named_roles_of(i: int, q: Questionnaire) -> Iterator[tuple[Loc, str]]:
    r = q.model[i]
    yield ("model", i, "accountable"), r.accountable
    for j, code in enumerate(r.consulted):
        yield ("model", i, "consulted", j), code
    for j, alternative in enumerate(r.alternatives):
        yield ("model", i, "alternatives", j, "role"), alternative.role


def _roles(q: Questionnaire) -> Iterator[Issue]:
    issues: list[Issue] = []
    declared = _first("roles", "code", "role", (role.code for role in q.roles), issues)
    yield from issues
    for code in REQUIRED_ROLES:
        if code not in declared:
            yield ("roles",), f"declare the role {code}: the model needs it to tell gaps apart"
    used: list[tuple[Loc, str]] = [
        loc for i in range(len(q.model)) for loc in _named_roles_of(i, q)
    ]
    used += [
        (("structure", i, "same_person", j), code)
        for i, rule in enumerate(q.structure)
        for j, code in enumerate(rule.same_person)
    ]
    for loc, code in used:
        if code not in declared:
            yield loc, f"role {code} is not declared in roles{did_you_mean(code, declared)}"


def _first(
    key: str, field: str, what: str, idents: Iterable[str], issues: list[Issue]
) -> dict[str, int]:
    """Where each identifier of the list ``key`` first appears; a later one is an issue."""
    first: dict[str, int] = {}
    for i, ident in enumerate(idents):
        if ident in first:
            issues.append(
                ((key, i, field), f"duplicate {what} {ident!r} (first at {key}[{first[ident]}])")
            )
        else:
            first[ident] = i
    return first


def _structure(q: Questionnaire) -> Iterator[Issue]:
    issues: list[Issue] = []
    rules = _first("structure", "id", "structure rule", (s.id for s in q.structure), issues)
    yield from issues
    for i, r in enumerate(q.model):
        for j, alternative in enumerate(r.alternatives):
            loc: Loc = ("model", i, "alternatives", j)
            if alternative.structure is not None and alternative.structure not in rules:
                hint = did_you_mean(alternative.structure, rules)
                yield (*loc, "structure"), f"unknown structure rule {alternative.structure!r}{hint}"


def _regulations(q: Questionnaire) -> Iterator[Issue]:
    issues: list[Issue] = []
    ids = _first("regulations", "id", "regulation", (g.id for g in q.regulations), issues)
    yield from issues
    for i, regulation in enumerate(q.regulations):
        for j, other in enumerate(regulation.yields_to):
            loc: Loc = ("regulations", i, "yields_to", j)
            if other == regulation.id:
                yield loc, f"{other} cannot yield to itself"
            elif other not in ids:
                yield loc, f"unknown regulation {other!r}{did_you_mean(other, ids)}"
            elif regulation.id in q.regulations[ids[other]].yields_to:
                yield (
                    loc,
                    f"{regulation.id} and {other} yield to each other: one of them must apply",
                )


def _references(q: Questionnaire) -> Iterator[Issue]:
    claimed = {kind for regulation in q.regulations for kind in regulation.reference_kinds}
    located: list[tuple[Loc, str]] = [
        (("model", i, "references", j), text)
        for i, r in enumerate(q.model)
        for j, text in enumerate(r.references)
    ]
    located += [
        (("rules", i, "finding", "references", j), text)
        for i, rule in enumerate(q.rules)
        for j, text in enumerate(rule.finding.references)
    ]
    for loc, text in located:
        try:
            reference = parse_reference(text)
        except ValueError as exc:
            yield loc, str(exc)
            continue
        if reference.kind not in claimed:
            yield (
                loc,
                f"no regulation or framework claims {reference.kind} references: add "
                f"{reference.kind} to the reference_kinds of one in regulations",
            )


def _context_condition(q: Questionnaire, condition: Condition, loc: Loc) -> Iterator[Issue]:
    """A condition over the organisation's facts: it may read context questions only."""
    if isinstance(condition, AllOf | AnyOf):
        key = "all" if isinstance(condition, AllOf) else "any"
        parts = condition.all if isinstance(condition, AllOf) else condition.any
        for index, part in enumerate(parts):
            yield from _context_condition(q, part, (*loc, key, index))
    elif isinstance(condition, NotOf):
        yield from _context_condition(q, condition.not_, (*loc, "not"))
    elif isinstance(condition, RoleIs):
        yield loc, "respondent_role cannot decide a fact about the organisation"
    elif isinstance(condition, Compare):
        target = q.questions.get(condition.q)
        if target is not None and not target.context:
            yield (
                loc,
                f"{condition.q!r} is not a context question: the organisation's facts are "
                f"read from context questions only",
            )
