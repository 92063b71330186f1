"""A questionnaire's rules as the engine keeps them: compiled, with their finding written
in advance but for its evidence (and, when they hold placeholders, their wording)."""

from __future__ import annotations

from dataclasses import dataclass

from assessor.engine import wording
from assessor.engine.conditions import Compiled
from assessor.engine.result import Evidence, Finding
from assessor.questionnaire.schema import Question, Responsibility, Rule


@dataclass(frozen=True, slots=True)
class RuleInfo:
    id: str
    rule: Rule
    condition: Compiled
    title: wording.Template
    recommendation: wording.Template
    #: Whether title or recommendation hold placeholders.
    templated: bool
    #: The placeholders that name questions, each once.
    question_placeholders: tuple[str, ...]
    responsibility: str | None
    domain: str | None
    references: tuple[str, ...]
    weight: float
    #: The structure rule the finding is about (``dual-role`` ...), or None.
    topic: str | None
    #: The regulation (id) the finding is about, or None.
    regulation: str | None
    #: The finding with no answers yet, title and recommendation as written.
    finding: Finding


def rule_info(
    rule: Rule,
    condition: Compiled,
    questions: dict[str, Question],
    model: dict[str, Responsibility],
    responsibility_domain: dict[str, str | None],
) -> RuleInfo:
    """The rule with its finding head written, ``condition`` being its compiled ``when``."""
    finding = rule.finding
    rid = finding.responsibility
    domain = responsibility_domain.get(rid) if rid else None
    references = finding.references
    if not references and rid in model:
        references = model[rid].references
    title = wording.parse_template(finding.title)
    recommendation = wording.parse_template(finding.recommendation)
    weight = round(max(0.0, float(rule.weight)), 3)
    finding_id = f"rule:{rule.id}"
    return RuleInfo(
        id=rule.id,
        rule=rule,
        condition=condition,
        title=title,
        recommendation=recommendation,
        templated=bool(wording.placeholders(title) or wording.placeholders(recommendation)),
        question_placeholders=tuple(
            dict.fromkeys(
                name
                for name in wording.placeholders(title) + wording.placeholders(recommendation)
                if name in questions
            )
        ),
        responsibility=rid,
        domain=domain,
        references=references,
        weight=weight,
        topic=finding.topic,
        regulation=finding.regulation,
        finding=Finding(
            id=finding_id,
            kind=finding.kind,
            severity=finding.severity,
            responsibility=rid,
            domain=domain,
            title=finding.title,
            recommendation=finding.recommendation,
            act=finding.act,
            effort=finding.effort,
            references=references,
            weight=weight,
            evidence=Evidence(finding_id, ()),
        ),
    )
