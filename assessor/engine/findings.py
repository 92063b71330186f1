"""Findings: generic checks derived from the model, the questionnaire's rules, priority
order and the roadmap.

Generic checks, for every owner and maturity question of a domain (no rule needed);
at most one ownership finding per owner question:

* ``orphaned``: the respondents agree that nobody owns it (NONE).  Severity high.
* ``misplaced``: the respondents agree on an owner who is not the model's accountable
  and is not SHARED.  Severity medium (a consulted role as owner still scores 0.5).
* ``ambiguous``: the respondents name different owners (severity medium; high when one
  of them says nobody), or agree on SHARED where the model wants one accountable owner
  (medium).
* ``immature``: the combined (cautious) maturity level is below the domain's target.
  Severity by distance: 3 or more critical, 2 high, 1 medium.

A question weight of 2 or more raises any generic severity one step (at most critical).
Ownership findings are quick wins acted on by the executive (orphaned, ambiguous) or
the model's accountable role (misplaced); immature ones are a project (distance 1-2) or
a programme (3 or more) for the accountable role.

Rules: a rule whose condition reads ``respondent_role`` is evaluated on each
respondent's own answers.  Any other rule is evaluated on each respondent's answers
and, with several respondents, on the combined answers too; it fires if any of those
satisfies it, because one leader's account of a risk is enough to look at it.  A rule
yields at most one finding, whose evidence lists each respondent whose answers
satisfied it.  ``{respondent}`` is filled with those respondents' names (all names
when only the combined answers satisfied it), ``{QID}`` with the labels of their
answers to that question (distinct ones joined with " / "), ``{organization}`` with
the organisation's name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from assessor.engine import wording
from assessor.engine.heads import QUICK_WIN, Head, Prepared, SortKey
from assessor.engine.index import DEFAULT_TARGET, Index, QuestionInfo
from assessor.engine.result import AnswerEvidence, Evidence, Finding, Roadmap
from assessor.engine.rules import RuleInfo
from assessor.engine.scoring import Combined
from assessor.engine.visibility import View

URGENT = frozenset({"critical", "high"})
ROADMAP_QUICK = frozenset({"critical", "high", "medium"})

#: What a ``{QID}`` placeholder says when that question was not answered.
NOT_ANSWERED = "(not answered)"

#: A finding with the key it sorts by.
Ranked = tuple[SortKey, Finding]


_new: Any = tuple.__new__


def generic_findings(
    index: Index, combined: Combined, views: Sequence[View], targets: Mapping[str, int]
) -> list[Ranked]:
    """Orphaned, misplaced, ambiguous and immature findings, from the model alone."""
    found: list[Ranked] = []
    values = combined.values
    given_to = combined.given
    prepared: Prepared | None
    for info, qid, _, _, heads in index.owner_plan:
        code = values.get(qid)
        if code is None:
            continue
        given = given_to(qid)
        codes = {value for _, value in given}
        if len(codes) > 1:
            prepared = heads.disputed_none if "NONE" in codes else heads.disputed
        else:
            prepared = heads.agreed[code]
            if prepared is None:
                continue
        key, head, check = prepared
        evidence = answer_records(info, given)
        found.append((key, _new(Finding, (*head, _new(Evidence, (check, evidence))))))

    for info, qid, _, _, domain, by_target in index.maturity_plan:
        level = values.get(qid)
        if level is None:
            continue
        prepared = by_target[targets.get(domain, DEFAULT_TARGET)][level]
        if prepared is None:
            continue
        key, head, check = prepared
        evidence = answer_records(info, given_to(qid))
        found.append((key, _new(Finding, (*head, _new(Evidence, (check, evidence))))))
    return found


def answer_records(
    info: QuestionInfo, given: Sequence[tuple[View, Any]]
) -> tuple[AnswerEvidence, ...]:
    """Each respondent's answer to ``info`` as evidence, reusing the records already made."""
    qid = info.id
    records = []
    for view, _ in given:
        record = view.evidence.get(qid)
        records.append(record if record is not None else view.answer_evidence(info))
    return tuple(records)


def rule_findings(
    index: Index, views: Sequence[View], combined: Combined, organization: str
) -> list[Ranked]:
    """One finding for each rule that fires (see the module docstring for when)."""
    found: list[Ranked] = []
    if not views:
        return found
    if len(views) == 1:
        return _one_view_rule_findings(index, views[0], organization)
    holding = index.rules_holding
    held = [set(holding(view.answers, view.role)) for view in views]
    held_combined = set(holding(combined.values, None))
    for position, rule in enumerate(index.rules):
        firing = [view for view, own in zip(views, held, strict=True) if position in own]
        if firing:
            evidence = _view_evidence(index, rule, firing)
        elif not rule.condition.uses_role and position in held_combined:
            evidence = _combined_evidence(index, rule, combined)
            firing = list(views)
        else:
            continue
        found.append((rule.sort_key, _rule_finding(index, rule, firing, evidence, organization)))
    return found


def _one_view_rule_findings(index: Index, view: View, organization: str) -> list[Ranked]:
    """:func:`rule_findings` for a single respondent: the common case, kept lean."""
    found: list[Ranked] = []
    answers = view.answers
    name = view.name
    role = view.role
    known = view.evidence
    infos = index.questions
    rules = index.rules
    new = _new
    for position in index.rules_holding(answers, role):
        rule = rules[position]
        evidence = []
        for qid in rule.condition.witness(answers, role):
            record = known.get(qid)
            evidence.append(record if record is not None else view.answer_evidence(infos[qid]))
        head = rule.head
        if rule.templated:
            values = {"organization": organization, "respondent": name}
            for placeholder in rule.question_placeholders:
                label = ""
                if placeholder in answers:
                    label = view.answer_evidence(infos[placeholder]).label
                values[placeholder] = label or NOT_ANSWERED
            title = wording.fill(rule.title, values)
            recommendation = wording.fill(rule.recommendation, values)
            head = (*head[:5], title, recommendation, *head[7:])
        found.append(
            (rule.sort_key, new(Finding, (*head, new(Evidence, (rule.check, tuple(evidence))))))
        )
    return found


def _view_evidence(index: Index, rule: RuleInfo, firing: Sequence[View]) -> list[AnswerEvidence]:
    witness = rule.condition.witness
    infos = index.questions
    evidence = [
        view.answer_evidence(infos[qid])
        for view in firing
        for qid in witness(view.answers, view.role)
    ]
    if len(firing) > 1:
        position = index.position
        evidence.sort(key=lambda a: position[a.question])
    return evidence


def _combined_evidence(index: Index, rule: RuleInfo, combined: Combined) -> list[AnswerEvidence]:
    evidence: list[AnswerEvidence] = []
    for qid in rule.condition.witness(combined.values, None):
        info = index.questions[qid]
        source = combined.source[qid]
        for view, _ in combined.given(qid):
            if source is None or view is source:
                evidence.append(view.answer_evidence(info))
    return evidence


def _rule_finding(
    index: Index,
    rule: RuleInfo,
    named: Sequence[View],
    evidence: list[AnswerEvidence],
    organization: str,
) -> Finding:
    head = rule.head
    if rule.templated:
        head = _filled_head(rule, _placeholder_values(index, rule, named, evidence, organization))
    finding: Finding = _new(Finding, (*head, _new(Evidence, (rule.check, tuple(evidence)))))
    return finding


def _filled_head(rule: RuleInfo, values: Mapping[str, str]) -> Head:
    """The rule's finding head with its title and recommendation filled in."""
    head = rule.head
    title = wording.fill(rule.title, values)
    recommendation = wording.fill(rule.recommendation, values)
    return (*head[:5], title, recommendation, *head[7:])


def _placeholder_values(
    index: Index,
    rule: RuleInfo,
    named: Sequence[View],
    evidence: list[AnswerEvidence],
    organization: str,
) -> dict[str, str]:
    values = {
        "organization": organization,
        "respondent": wording.join_names([view.name for view in named]),
    }
    for name in rule.question_placeholders:
        info = index.questions[name]
        labels = [a.label for a in evidence if a.question == name]
        if not labels:
            labels = [view.answer_evidence(info).label for view in named if name in view.answers]
        values[name] = " / ".join(dict.fromkeys(labels)) or NOT_ANSWERED
    return values


def roadmap(findings: Sequence[Finding]) -> Roadmap:
    """Quick wins (quick-win effort, medium or worse), the next 90 days (critical and high),
    the next 12 months (the rest); ``findings`` must be in priority order."""
    quick: list[str] = []
    soon: list[str] = []
    later: list[str] = []
    quick_win = QUICK_WIN
    for finding in findings:
        # finding_id, kind, severity, ..., effort: indexing is the cheapest way in.
        severity = finding[2]
        if finding[8] == quick_win and severity in ROADMAP_QUICK:
            quick.append(finding[0])
        elif severity in URGENT:
            soon.append(finding[0])
        else:
            later.append(finding[0])
    return Roadmap(tuple(quick), tuple(soon), tuple(later))
