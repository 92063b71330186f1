"""``score()``: from a questionnaire and its respondents' answers to a Result."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from assessor.engine.facts import Facts, check_settled, facts_of
from assessor.engine.findings import generic_findings, roadmap, rule_findings
from assessor.engine.ownership import ownership_findings, stand_ins
from assessor.engine.perception import perception
from assessor.engine.question_kinds import MAX_LEVEL
from assessor.engine.questionnaire_index import Index, index_for
from assessor.engine.raci import raci
from assessor.engine.result import Method, Respondent, RespondentSummary, Result
from assessor.engine.root_causes import judged, merge
from assessor.engine.scoring import Combined, combine, score_domains, sum_scores
from assessor.engine.visibility import answers_given, view_of
from assessor.questionnaire.schema import Questionnaire

METHOD = Method(
    combination="cautious",
    description=(
        "Where respondents' answers differ, each question is scored on the most cautious "
        "answer given (the one that scores lowest), so the scores show the pessimistic "
        "view; where the respondents disagree is shown separately."
    ),
)

#: Fills ``{organization}`` when no organisation name is given.
DEFAULT_ORGANIZATION = "the organisation"


def score(
    questionnaire: Questionnaire,
    respondents: Sequence[Respondent],
    targets: Mapping[str, int] | None = None,
    *,
    organization: str | None = None,
    settled_facts: Mapping[str, Any] | None = None,
) -> Result:
    """Score the respondents' answers against the questionnaire's model.

    ``targets`` maps domain (section) ids to a target maturity 0-4 (default 3);
    ``organization`` fills the ``{organization}`` placeholder; ``settled_facts`` maps
    context questions the respondents disagree on to the value a consultant settled
    (:mod:`assessor.engine.facts`).  Answers are expected to be coerced
    (:func:`assessor.engine.answers.coerce_answer`); anything else is left out and listed
    in ``ignored``.

    :raise ValueError: a target names an unknown domain or is not an integer 0-4; a
        settled fact is not a context question or not a value it can take.
    """
    index = index_for(questionnaire)
    goals = _check_targets(targets or {}, index.domain_ids)
    settled = check_settled(index, settled_facts) if settled_facts else {}
    views = [view_of(index, respondent, n) for n, respondent in enumerate(respondents)]
    combined = combine(index, views)
    facts = facts_of(index, views, combined, settled)
    gaps = perception(index, views, combined)
    sums = sum_scores(index, combined)
    edition_two = bool(index.organisation.structure)
    findings = generic_findings(index, combined, views, goals, owners=not edition_two)
    if edition_two:
        findings += ownership_findings(index, combined, facts)
    rows = raci(index, combined)
    scores = score_domains(index, sums, views, goals, gaps.disagreement)
    findings += rule_findings(index, views, combined, organization or DEFAULT_ORGANIZATION, settled)
    findings += gaps.findings
    dependent = _dependent(index, combined, facts)
    stand_in = stand_ins(index, combined, facts)
    ordered = tuple(merge(index, judged(index, findings, facts, dependent, stand_in), facts))

    return Result(
        questionnaire=index.summary,
        method=METHOD,
        respondents=tuple(
            [
                RespondentSummary(
                    name=v.name,
                    role=v.role,
                    completeness=v.completeness,
                    shown=v.shown,
                    answered=len(v.answers),
                    hidden=tuple([info.id for info in index.ordered if info.id in v.hidden]),
                    answers=answers_given(index, respondent, v),
                )
                for respondent, v in zip(respondents, views, strict=True)
            ]
        ),
        overall=scores.overall,
        completeness=scores.completeness,
        domains=scores.domains,
        raci=rows,
        findings=ordered,
        perception=gaps.perception,
        roadmap=roadmap(ordered),
        ignored=tuple([item for view in views for item in view.ignored]),
        regulations=facts.regulations,
        unresolved_facts=facts.unresolved,
    )


def _dependent(index: Index, combined: Combined, facts: Facts) -> dict[str, tuple[str, ...]]:
    """Rule finding ids that hold only on one side of a disputed fact, with those facts."""
    if not facts.disputed:
        return {}
    values = {q: v for q, v in combined.values.items() if q not in facts.disputed}
    values.update({q: facts.consensus[q] for q in facts.disputed if q in facts.consensus})
    holding = set(index.rules_holding(values, None))
    dependent: dict[str, tuple[str, ...]] = {}
    for position, rule in enumerate(index.rules):
        reads = tuple(q for q in rule.condition.questions if q in facts.disputed)
        if reads and (rule.condition.uses_role or position not in holding):
            dependent[f"rule:{rule.id}"] = reads
    return dependent


def _check_targets(targets: Mapping[str, int], domains: frozenset[str]) -> dict[str, int]:
    checked: dict[str, int] = {}
    for domain, target in targets.items():
        if domain not in domains:
            raise ValueError(f"target for an unknown domain: {domain!r}")
        if isinstance(target, bool) or not isinstance(target, int) or not 0 <= target <= MAX_LEVEL:
            raise ValueError(f"target for {domain} must be an integer 0-{MAX_LEVEL}: {target!r}")
        checked[domain] = target
    return checked
