"""``score()``: from a questionnaire and its respondents' answers to a Result."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from assessor.engine.consistency import inconsistencies
from assessor.engine.findings import generic_findings, roadmap, rule_findings
from assessor.engine.perception import perception
from assessor.engine.prepared_findings import priority
from assessor.engine.question_kinds import MAX_LEVEL
from assessor.engine.questionnaire_index import index_for
from assessor.engine.raci import raci
from assessor.engine.result import Method, Respondent, RespondentSummary, Result
from assessor.engine.scoring import combine, score_domains, sum_scores
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
) -> Result:
    """Score the respondents' answers against the questionnaire's model.

    ``targets`` maps domain (section) ids to a target maturity 0-4 (default 3);
    ``organization`` fills the ``{organization}`` placeholder.  Answers are expected to
    be coerced (:func:`assessor.engine.answers.coerce_answer`); anything else is left
    out and listed in ``ignored``.

    :raise ValueError: a target names an unknown domain or is not an integer 0-4.
    """
    index = index_for(questionnaire)
    goals = _check_targets(targets or {}, index.domain_ids)
    views = [view_of(index, respondent, n) for n, respondent in enumerate(respondents)]
    combined = combine(index, views)
    gaps = perception(index, views, combined)
    sums = sum_scores(index, combined)
    findings = generic_findings(index, combined, views, goals)
    rows = raci(index, combined)
    scores = score_domains(index, sums, views, goals, gaps.disagreement)
    findings += rule_findings(index, views, combined, organization or DEFAULT_ORGANIZATION)
    findings += gaps.findings
    ordered = tuple(sorted(findings, key=priority))

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
        inconsistencies=inconsistencies(index, views),
    )


def _check_targets(targets: Mapping[str, int], domains: frozenset[str]) -> dict[str, int]:
    checked: dict[str, int] = {}
    for domain, target in targets.items():
        if domain not in domains:
            raise ValueError(f"target for an unknown domain: {domain!r}")
        if isinstance(target, bool) or not isinstance(target, int) or not 0 <= target <= MAX_LEVEL:
            raise ValueError(f"target for {domain} must be an integer 0-{MAX_LEVEL}: {target!r}")
        checked[domain] = target
    return checked
