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
yields at most one finding, whose evidence lists the answers that satisfied it, each
question with every respondent's answer to it (an answer all give reads as theirs, not
one leader's claim; one they give differently shows the other side).  ``{respondent}`` is filled with those respondents' names (all names
when only the combined answers satisfied it), ``{QID}`` with the labels of their
answers to that question (distinct ones joined with " / "), ``{organization}`` with
the organisation's name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from assessor.engine import wording
from assessor.engine.prepared_findings import QUICK_WIN, with_answers
from assessor.engine.questionnaire_index import DEFAULT_TARGET, Index, QuestionInfo
from assessor.engine.result import AnswerEvidence, Evidence, Finding, Roadmap
from assessor.engine.rules import RuleInfo
from assessor.engine.scoring import Combined
from assessor.engine.visibility import View

URGENT = frozenset({"critical", "high"})
ROADMAP_QUICK = frozenset({"critical", "high", "medium"})

#: What a ``{QID}`` placeholder says when that question was not answered.
NOT_ANSWERED = "(not answered)"


def generic_findings(
    index: Index,
    combined: Combined,
    views: Sequence[View],
    targets: Mapping[str, int],
    owners: bool = True,
) -> list[Finding]:
    """Immature findings, and (``owners``: an edition 1 model, which knows no alternative
    owners) orphaned, misplaced and ambiguous ones, from the model alone."""
    found: list[Finding] = []
    values = combined.values
    prepared: Finding | None
    for check in index.owner_checks if owners else ():
        info = check.info
        code = values.get(info.id)
        if code is None:
            continue
        answering = combined.answering(info.id)
        codes = {view.answers[info.id] for view in answering}
        if len(codes) > 1:
            findings = check.findings
            prepared = findings.disputed_none if "NONE" in codes else findings.disputed
        else:
            prepared = check.findings.agreed[code]
            if prepared is None:
                continue
        found.append(with_answers(prepared, answer_records(info, answering)))

    for maturity in index.maturity_checks:
        info = maturity.info
        level = values.get(info.id)
        if level is None:
            continue
        by_level = maturity.findings[targets.get(info.section, DEFAULT_TARGET)]
        prepared = by_level[level]
        if prepared is None:
            continue
        answering = combined.answering(info.id)
        finding = with_answers(prepared, answer_records(info, answering))
        if prepared.severity == "critical" and _lone_critical(by_level, info.id, answering):
            finding = finding._replace(severity="high")
        found.append(finding)
    return found


def _lone_critical(by_level: Sequence[Finding | None], qid: str, answering: Sequence[View]) -> bool:
    """Whether only one of several respondents' levels makes the finding critical."""
    if len(answering) < 2:
        return False
    critical = 0
    for view in answering:
        finding = by_level[view.answers[qid]]
        critical += finding is not None and finding.severity == "critical"
    return critical == 1


def answer_records(info: QuestionInfo, answering: Sequence[View]) -> tuple[AnswerEvidence, ...]:
    """Each respondent's answer to ``info`` as evidence, reusing the records already made."""
    qid = info.id
    records = []
    for view in answering:
        record = view.evidence.get(qid)
        records.append(record if record is not None else view.answer_evidence(info))
    return tuple(records)


def rule_findings(
    index: Index,
    views: Sequence[View],
    combined: Combined,
    organization: str,
    settled: Mapping[str, Any] | None = None,
) -> list[Finding]:
    """One finding for each rule that fires (see the module docstring for when).

    ``settled`` context answers replace every respondent's own.  With two or more
    respondents, a rule that one respondent's answers fire while another's, answering
    the same questions, do not (a lone dissent), or that only the combined answers fire,
    is at most high: nobody's account alone makes it critical.
    """
    found: list[Finding] = []
    if not views:
        return found
    holding = index.rules_holding
    own_answers = [{**view.answers, **settled} if settled else view.answers for view in views]
    held = [
        set(holding(answers, view.role)) for view, answers in zip(views, own_answers, strict=True)
    ]
    # One respondent's combined answers are their own.
    values = {**combined.values, **settled} if settled else combined.values
    held_combined = held[0] if len(views) == 1 else set(holding(values, None))
    for position, rule in enumerate(index.rules):
        firing = [view for view, own in zip(views, held, strict=True) if position in own]
        lone = False
        if firing:
            evidence = _view_evidence(index, rule, firing, views)
            lone = len(firing) == 1 and len(views) > 1 and _contradicted(rule, views, firing[0])
        elif not rule.condition.uses_role and position in held_combined:
            evidence = _combined_evidence(index, rule, combined)
            firing = list(views)
            lone = len(views) > 1
        else:
            continue
        found.append(_rule_finding(index, rule, firing, evidence, organization, lone=lone))
    return found


def _contradicted(rule: RuleInfo, views: Sequence[View], firing: View) -> bool:
    """Whether another respondent answered the questions that fired the rule otherwise."""
    asked = rule.condition.witness(firing.answers, firing.role)
    return any(view is not firing and all(qid in view.answers for qid in asked) for view in views)


def _view_evidence(
    index: Index, rule: RuleInfo, firing: Sequence[View], views: Sequence[View]
) -> list[AnswerEvidence]:
    """The answers that fired the rule, each with every respondent's answer to the same
    question: an answer both give reads as both (not as one leader's claim), and one
    they give differently shows the other side."""
    witness = rule.condition.witness
    infos = index.questions
    asked = list(dict.fromkeys(qid for view in firing for qid in witness(view.answers, view.role)))
    if len(asked) > 1:
        position = index.position
        asked.sort(key=position.__getitem__)
    return [
        view.answer_evidence(infos[qid]) for qid in asked for view in views if qid in view.answers
    ]


def _combined_evidence(index: Index, rule: RuleInfo, combined: Combined) -> list[AnswerEvidence]:
    evidence: list[AnswerEvidence] = []
    for qid in rule.condition.witness(combined.values, None):
        info = index.questions[qid]
        source = combined.source.get(qid)
        for view in combined.answering(qid):
            if source is None or view is source:
                evidence.append(view.answer_evidence(info))
    return evidence


def _rule_finding(
    index: Index,
    rule: RuleInfo,
    named: Sequence[View],
    evidence: list[AnswerEvidence],
    organization: str,
    *,
    lone: bool,
) -> Finding:
    """The rule's finding with its evidence and placeholders filled, built once; a lone
    dissent's critical reads high."""
    head = rule.finding
    title, recommendation = head.title, head.recommendation
    if rule.templated:
        values = _placeholder_values(index, rule, named, evidence, organization)
        title = wording.fill(rule.title, values)
        recommendation = wording.fill(rule.recommendation, values)
    return head._replace(
        severity="high" if lone and head.severity == "critical" else head.severity,
        title=title,
        recommendation=recommendation,
        evidence=Evidence(head.id, tuple(evidence)),
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
    firing = {view.name for view in named}
    for name in rule.question_placeholders:
        info = index.questions[name]
        # The answers that fired it, not the others' beside them in the evidence.
        labels = [a.label for a in evidence if a.question == name and a.respondent in firing]
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
    for finding in findings:
        if finding.effort == QUICK_WIN and finding.severity in ROADMAP_QUICK:
            quick.append(finding.id)
        elif finding.severity in URGENT:
            soon.append(finding.id)
        else:
            later.append(finding.id)
    return Roadmap(tuple(quick), tuple(soon), tuple(later))
