"""Findings: generic checks derived from the model, the questionnaire's rules, priority
order and the roadmap.

Generic checks, for every owner and maturity question of a domain (no rule needed);
at most one ownership finding per owner question:

* ``orphaned``: the respondents agree that nobody owns it (NONE).  Severity high.
* ``misplaced``: the respondents agree on an owner who is not the model's accountable
  and is not SHARED.  Severity medium, low when that owner is one the model consults.
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

from assessor.engine import wording
from assessor.engine.index import DEFAULT_TARGET, QUICK_WIN, Head, Index, RuleInfo, SortKey
from assessor.engine.result import AnswerEvidence, Evidence, Finding, Roadmap
from assessor.engine.scoring import Combined
from assessor.engine.visibility import View

URGENT = frozenset({"critical", "high"})
ROADMAP_QUICK = frozenset({"critical", "high", "medium"})

#: A finding with the key it sorts by.
Ranked = tuple[SortKey, Finding]


def _finding(head: Head, evidence: Evidence) -> Finding:
    return Finding._make((*head, evidence))


def generic_findings(
    index: Index, combined: Combined, views: Sequence[View], targets: Mapping[str, int]
) -> list[Ranked]:
    """Orphaned, misplaced, ambiguous and immature findings, from the model alone."""
    found: list[Ranked] = []
    values = combined.values
    single = combined.single
    owner_heads = index.owner_heads
    for info in index.owner_questions:
        code = values.get(info.id)
        if code is None:
            continue
        heads = owner_heads[info.id]
        if single is not None:
            ranked = heads.agreed[code]
            if ranked is not None:
                evidence = Evidence("generic:" + ranked[0][1], (single.answer_evidence(info),))
                found.append((ranked[1], _finding(ranked[0], evidence)))
            continue
        answered = [view for view in views if info.id in view.answers]
        codes = {view.answers[info.id] for view in answered}
        if len(codes) > 1:
            ranked = heads.disputed_none if "NONE" in codes else heads.disputed
        else:
            ranked = heads.agreed[code]
            if ranked is None:
                continue
        evidence = Evidence(
            "generic:" + ranked[0][1], tuple(view.answer_evidence(info) for view in answered)
        )
        found.append((ranked[1], _finding(ranked[0], evidence)))

    immature_heads = index.immature_heads
    for info in index.maturity_questions:
        level = values.get(info.id)
        if level is None:
            continue
        target = targets.get(info.domain or "", DEFAULT_TARGET)
        if level >= target:
            continue
        head, key = immature_heads[info.id][(level, target)]
        if single is not None:
            answers: tuple[AnswerEvidence, ...] = (single.answer_evidence(info),)
        else:
            answers = tuple(view.answer_evidence(info) for view in views if info.id in view.answers)
        found.append((key, _finding(head, Evidence("generic:immature", answers))))
    return found


def rule_findings(
    index: Index, views: Sequence[View], combined: Combined, organization: str
) -> list[Ranked]:
    """One finding for each rule that fires (see the module docstring for when)."""
    found: list[Ranked] = []
    if not views:
        return found
    several = len(views) > 1
    for rule in index.rules:
        test = rule.condition.test
        firing = [view for view in views if test(view.answers, view.role)]
        if firing:
            evidence = _view_evidence(index, rule, firing)
        elif several and not rule.condition.uses_role and test(combined.values, None):
            evidence = _combined_evidence(index, rule, combined)
        else:
            continue
        found.append(
            (rule.sort_key, _rule_finding(index, rule, views, firing, evidence, organization))
        )
    return found


def _view_evidence(index: Index, rule: RuleInfo, firing: list[View]) -> list[AnswerEvidence]:
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
    views: Sequence[View],
    firing: list[View],
    evidence: list[AnswerEvidence],
    organization: str,
) -> Finding:
    template = rule.rule.finding
    title = template.title
    recommendation = template.recommendation
    if rule.templated:
        values = _placeholder_values(index, rule, firing or views, evidence, organization)
        title = wording.fill(rule.title, values)
        recommendation = wording.fill(rule.recommendation, values)
    return Finding(
        f"rule:{rule.id}",
        template.kind,
        template.severity,
        rule.responsibility,
        rule.domain,
        title,
        recommendation,
        template.act,
        template.effort,
        rule.references,
        rule.weight,
        Evidence(f"rule:{rule.id}", tuple(evidence)),
    )


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
    for name in wording.placeholders(rule.title) + wording.placeholders(rule.recommendation):
        info = index.questions.get(name)
        if name in values or info is None:
            continue
        labels = [a.label for a in evidence if a.question == name]
        if not labels:
            labels = [view.answer_evidence(info).label for view in named if name in view.answers]
        values[name] = " / ".join(dict.fromkeys(labels)) or "(not answered)"
    return values


def roadmap(findings: Sequence[Finding]) -> Roadmap:
    """Quick wins (quick-win effort, medium or worse), the next 90 days (critical and high),
    the next 12 months (the rest); ``findings`` must be in priority order."""
    quick: list[str] = []
    soon: list[str] = []
    later: list[str] = []
    for finding in findings:
        if finding.effort == QUICK_WIN and finding.severity in ROADMAP_QUICK:
            quick.append(finding.id)
        elif finding.severity in URGENT:
            soon.append(finding.id)
        else:
            later.append(finding.id)
    return Roadmap(tuple(quick), tuple(soon), tuple(later))
