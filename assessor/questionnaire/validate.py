"""Cross-reference checks over a questionnaire that pydantic has already validated.

Pydantic checks each object on its own (kinds, options, levels, one operator per
comparison); this module checks what needs the whole questionnaire: unique ids, that
conditions name questions that exist and answers those questions can take, that a
``show_if`` only looks back, that placeholders are known, and that every responsibility
of the model is covered by a question of its own domain.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from typing import Any

from assessor.questionnaire.problems import Loc, did_you_mean, format_loc
from assessor.questionnaire.schema import (
    MATURITY_NAMES,
    OWNER_CODES,
    AllOf,
    AnyOf,
    Compare,
    Condition,
    NotOf,
    Question,
    Questionnaire,
    RoleIs,
)
from assessor.questionnaire.validate_initiatives import check_initiatives
from assessor.questionnaire.validate_model import check_model, model_conditions

#: ``{name}`` in a finding's title or recommendation; the engine fills the same pattern.
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
#: Placeholders that are not question ids.
FIXED_PLACEHOLDERS: tuple[str, ...] = ("organization", "respondent")

Issue = tuple[Loc, str]
_NUMERIC_OPS = ("gt", "gte", "lt", "lte")


def check(q: Questionnaire) -> list[Issue]:
    """Every cross-reference problem of ``q``, as ``(location, message)``; empty when sound."""
    issues: list[Issue] = list(_duplicates(q))
    if issues:
        # Everything below looks questions up by id: with duplicates it would mislead.
        return issues
    issues += _questions(q)
    issues += _rules(q)
    issues += _guidance(q)
    issues += _consistency(q)
    for loc, condition in model_conditions(q):
        issues += _condition(q, condition, loc, None, None)
    issues += check_model(q)
    issues += check_initiatives(q)
    issues += _coverage(q)
    issues += _earlier_versions(q)
    return issues


def _earlier_versions(q: Questionnaire) -> Iterator[Issue]:
    """An earlier version is earlier, named once, and maps onto questions this one has."""
    seen: set[int] = set()
    for i, earlier in enumerate(q.earlier_versions):
        loc: Loc = ("earlier_versions", i)
        if earlier.version >= q.version:
            yield loc + ("version",), f"version {earlier.version} is not earlier than {q.version}"
        if earlier.version in seen:
            yield loc + ("version",), f"version {earlier.version} is mapped twice"
        seen.add(earlier.version)
        for old, new in earlier.questions.items():
            if new not in q.questions:
                yield loc + ("questions", old), f"unknown question {new!r}"
        claimed: dict[str, str] = {}
        for key, olds in earlier.findings.items():
            for old in olds:
                if old in claimed:
                    yield (
                        loc + ("findings", key),
                        f"{old!r} is already mapped to {claimed[old]!r}",
                    )
                claimed[old] = key


def _duplicates(q: Questionnaire) -> Iterator[Issue]:
    groups: list[tuple[str, Iterable[tuple[Loc, str]]]] = [
        ("responsibility", ((("model", i, "id"), r.id) for i, r in enumerate(q.model))),
        ("section", ((("sections", i, "id"), s.id) for i, s in enumerate(q.sections))),
        ("question", ((loc + ("id",), question.id) for loc, question in _located(q))),
        ("rule", ((("rules", i, "id"), r.id) for i, r in enumerate(q.rules))),
        (
            "consistency check",
            ((("consistency", i, "id"), c.id) for i, c in enumerate(q.consistency)),
        ),
    ]
    for what, items in groups:
        first: dict[str, Loc] = {}
        for loc, ident in items:
            if ident in first:
                yield loc, f"duplicate {what} id {ident!r} (first at {format_loc(first[ident])})"
            else:
                first[ident] = loc


def _located(q: Questionnaire) -> Iterator[tuple[Loc, Question]]:
    for s, section in enumerate(q.sections):
        for i, question in enumerate(section.questions):
            yield ("sections", s, "questions", i), question


def _questions(q: Questionnaire) -> Iterator[Issue]:
    responsibilities = q.responsibilities
    earlier: set[str] = set()
    for loc, question in _located(q):
        section = q.sections[int(loc[1])]
        if question.responsibility is not None:
            found = responsibilities.get(question.responsibility)
            if found is None:
                hint = did_you_mean(question.responsibility, responsibilities)
                yield (
                    loc + ("responsibility",),
                    f"unknown responsibility {question.responsibility!r}{hint}",
                )
            elif found.domain != section.id:
                yield (
                    loc + ("responsibility",),
                    f"{found.id} belongs to the domain {found.domain!r}, but this question is "
                    f"in the section {section.id!r} (a section holds one domain)",
                )
        declared: list[str] = [role.code for role in q.roles] or list(OWNER_CODES)
        for n, code in enumerate(question.roles):
            if code not in declared:
                yield (
                    loc + ("roles", n),
                    f"{code} is not a role of this questionnaire (one of: {', '.join(declared)})",
                )
        if question.show_if is not None:
            yield from _condition(q, question.show_if, loc + ("show_if",), question, earlier)
        earlier.add(question.id)


def _rules(q: Questionnaire) -> Iterator[Issue]:
    for i, rule in enumerate(q.rules):
        loc: Loc = ("rules", i)
        yield from _condition(q, rule.when, loc + ("when",), None, None)
        finding = rule.finding
        if finding.responsibility is not None and finding.responsibility not in q.responsibilities:
            hint = did_you_mean(finding.responsibility, q.responsibilities)
            yield (
                loc + ("finding", "responsibility"),
                f"unknown responsibility {finding.responsibility!r}{hint}",
            )
        for key in ("title", "recommendation"):
            text = getattr(finding, key)
            yield from _placeholders(q, text, loc + ("finding", key))


def _guidance(q: Questionnaire) -> Iterator[Issue]:
    """A section's guidance reads answers of earlier sections only (its page is drawn
    from them)."""
    earlier: set[str] = set()
    for s, section in enumerate(q.sections):
        for g, note in enumerate(section.guidance):
            loc: Loc = ("sections", s, "guidance", g, "show_if")
            yield from _condition(q, note.show_if, loc, None, None)
            for name in condition_questions(note.show_if):
                if name in q.questions and name not in earlier:
                    yield (
                        loc,
                        f"guidance reads {name!r}, which is not on an earlier page: a page's "
                        f"guidance depends only on answers given before it",
                    )
        earlier.update(question.id for question in section.questions)


def _consistency(q: Questionnaire) -> Iterator[Issue]:
    for i, check in enumerate(q.consistency):
        loc: Loc = ("consistency", i)
        yield from _condition(q, check.when, loc + ("when",), None, None)
        for n, name in enumerate(check.questions):
            if name not in q.questions:
                hint = did_you_mean(name, q.questions)
                yield loc + ("questions", n), f"unknown question {name!r}{hint}"
        read = condition_questions(check.when)
        missing = [name for name in read if name in q.questions and name not in check.questions]
        if missing:
            yield (
                loc + ("questions",),
                f"list every question the check reads: {', '.join(missing)} missing",
            )


def condition_questions(condition: Condition) -> list[str]:
    """The question ids a condition reads, in first-use order."""
    if isinstance(condition, AllOf | AnyOf):
        parts = condition.all if isinstance(condition, AllOf) else condition.any
        found: list[str] = []
        for part in parts:
            found += [name for name in condition_questions(part) if name not in found]
        return found
    if isinstance(condition, NotOf):
        return condition_questions(condition.not_)
    if isinstance(condition, Compare):
        return [condition.q]
    return []


def _placeholders(q: Questionnaire, text: str, loc: Loc) -> Iterator[Issue]:
    known = [*FIXED_PLACEHOLDERS, *q.questions]
    for match in PLACEHOLDER.finditer(text):
        name = match.group(1)
        if name not in FIXED_PLACEHOLDERS and name not in q.questions:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
            hint = f" (did you mean {{{close[0]}}}?)" if close else ""
            yield (
                loc,
                f"unknown placeholder {{{name}}}: use a question id, {{organization}} or "
                f"{{respondent}}{hint}",
            )
    rest = PLACEHOLDER.sub("", text)
    for brace in "{}":
        if brace in rest:
            yield (
                loc,
                f"stray {brace!r}: a placeholder is a question id, organization or respondent "
                f"in braces, like {{organization}}",
            )
            break


def _condition(
    q: Questionnaire,
    condition: Condition,
    loc: Loc,
    owner: Question | None,
    earlier: set[str] | None,
) -> Iterator[Issue]:
    """Problems of one condition; ``owner``/``earlier`` are set for a question's show_if."""
    if isinstance(condition, AllOf | AnyOf):
        key = "all" if isinstance(condition, AllOf) else "any"
        parts = condition.all if isinstance(condition, AllOf) else condition.any
        for index, part in enumerate(parts):
            yield from _condition(q, part, loc + (key, index), owner, earlier)
    elif isinstance(condition, NotOf):
        yield from _condition(q, condition.not_, loc + ("not",), owner, earlier)
    elif isinstance(condition, RoleIs):
        if owner is not None:
            yield (
                loc,
                "respondent_role can only be used in rules: a show_if sees the answers, "
                "not who gives them",
            )
    elif isinstance(condition, Compare):
        yield from _compare(q, condition, loc, owner, earlier)


def _compare(
    q: Questionnaire,
    condition: Compare,
    loc: Loc,
    owner: Question | None,
    earlier: set[str] | None,
) -> Iterator[Issue]:
    target = q.questions.get(condition.q)
    if target is None:
        yield loc, f"unknown question {condition.q!r}{did_you_mean(condition.q, q.questions)}"
        return
    if owner is not None and earlier is not None:
        if target.id == owner.id:
            yield loc, "show_if refers to the question itself"
            return
        if target.id not in earlier:
            yield (
                loc,
                f"show_if refers to {target.id!r}, which comes later: a question can only "
                f"depend on questions before it",
            )
            return
    op = condition.op
    if op == "answered":
        return
    if op in _NUMERIC_OPS:
        if target.kind not in ("number", "maturity"):
            yield (
                loc,
                f"{op!r} compares numbers, but {target.id!r} is a {target.kind} question",
            )
        elif target.kind == "maturity" and _never_true(op, float(condition.operand)):
            top = len(MATURITY_NAMES) - 1
            yield (
                loc,
                f"'{op}: {condition.operand:g}' is never true: maturity levels are 0 to {top}",
            )
        return
    if target.kind == "text":
        yield loc, f"{target.id!r} is a text question: compare it only with 'answered'"
        return
    values = condition.operand if op in ("in", "not_in") else (condition.operand,)
    for value in values:
        message = _bad_value(target, value)
        if message:
            yield loc, message


def _never_true(op: str, operand: float) -> bool:
    """Whether a comparison of a maturity level (0 to 4) with ``operand`` can never hold."""
    top = len(MATURITY_NAMES) - 1
    return {
        "gt": operand >= top,
        "gte": operand > top,
        "lt": operand <= 0,
        "lte": operand < 0,
    }[op]


def _bad_value(target: Question, value: Any) -> str:
    """Why ``value`` can't be an answer of ``target``; empty when it can."""
    if target.kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"{target.id!r} is a number question: compare it with a number, not {value!r}"
        return ""
    answers = [str(option.value) for option in target.all_options]
    if not isinstance(value, bool) and str(value) in answers:
        return ""
    listed = ", ".join(answers)
    if isinstance(value, bool) and target.kind == "yesno":
        return f"{target.id!r} is a yesno question: write yes or no, not {str(value).lower()}"
    if target.kind == "owner":
        return f"{value!r} is not a role code (one of: {listed}){did_you_mean(str(value), answers)}"
    if target.kind == "maturity":
        return f"{value!r} is not a maturity level (one of: {listed})"
    hint = did_you_mean(str(value), answers)
    return f"{value!r} is not an answer of {target.id!r} (one of: {listed}){hint}"


def uncovered(q: Questionnaire) -> list[str]:
    """The responsibilities no question evidences (allowed in a draft only)."""
    covered = {question.responsibility for question in q.questions.values()}
    return [r.id for r in q.model if r.id not in covered]


def _coverage(q: Questionnaire) -> Iterator[Issue]:
    sections = {section.id for section in q.sections}
    covered = {
        question.responsibility
        for question in q.questions.values()
        if question.responsibility is not None
    }
    for i, responsibility in enumerate(q.model):
        if responsibility.domain not in sections:
            yield (
                ("model", i, "domain"),
                f"no section {responsibility.domain!r} for {responsibility.id}'s domain"
                f"{did_you_mean(responsibility.domain, sections)}",
            )
        elif responsibility.id not in covered and not q.draft:
            yield (
                ("model", i),
                f"{responsibility.id} is not covered by any question: add at least an owner "
                f"question with responsibility: {responsibility.id}",
            )
