"""The rounds of an organisation: which earlier assessments one can be compared with, and
the comparison itself (:mod:`assessor.operations.round_comparison`) of their delivered
results (:func:`kept_results.delivered`: a closed round's stored result, as it was)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import exists, or_, select

from assessor.extensions import db
from assessor.models import Assessment, Respondent

# reporting builds the report's inputs with progress(): it imports this module.
from assessor.operations import actions, kept_results, reporting, round_comparison, voice
from assessor.operations.finding_keys import finding_key
from assessor.reports.progress import annex


class NotAnEarlierRound(Exception):
    """The round asked for is no earlier round of the organisation."""


@dataclass(frozen=True)
class Choice:
    """An earlier round offered in the chooser."""

    assessment_id: int
    title: str
    day: str
    questionnaire_version: int


def _counted() -> Any:
    return exists().where(
        Respondent.assessment_id == Assessment.id,
        Respondent.removed_at.is_(None),
        or_(Respondent.submitted_at.is_not(None), Respondent.included.is_(True)),
    )


def earlier(assessment: Assessment) -> list[Assessment]:
    """The organisation's assessments started before this one that count someone (so have
    scores), newest first."""
    return list(
        db.session.scalars(
            select(Assessment)
            .where(
                Assessment.organization_id == assessment.organization_id,
                Assessment.id != assessment.id,
                or_(
                    Assessment.created_at < assessment.created_at,
                    (Assessment.created_at == assessment.created_at)
                    & (Assessment.id < assessment.id),
                ),
                _counted(),
            )
            .order_by(Assessment.created_at.desc(), Assessment.id.desc())
        )
    )


def choices(assessment: Assessment) -> list[Choice]:
    """The earlier rounds the results page offers to compare with."""
    return [
        Choice(a.id, a.title, reporting.assessment_date(a).isoformat(), a.questionnaire_version)
        for a in earlier(assessment)
    ]


def baseline(assessment: Assessment, since: int | None = None) -> Assessment | None:
    """The round to compare with: ``since`` (an earlier round of the same organisation),
    else the round this one repeats (Re-assess), else the latest earlier one.

    :raise NotAnEarlierRound: ``since`` names no earlier round of the organisation.
    """
    rounds = earlier(assessment)
    if since is not None:
        for item in rounds:
            if item.id == since:
                return item
        raise NotAnEarlierRound(f"assessment {since} is no earlier round of this organisation")
    for item in rounds:
        if item.id == assessment.previous_id:
            return item
    return rounds[0] if rounds else None


def _round(
    assessment: Assessment, shown: kept_results.Delivered | None = None
) -> round_comparison.Round:
    shown = shown or kept_results.delivered(assessment)
    return round_comparison.Round(
        assessment.id,
        assessment.title,
        reporting.assessment_date(assessment),
        shown.result,
        shown.questionnaire,
    )


def progress(
    assessment: Assessment,
    since: int | None = None,
    shown: kept_results.Delivered | None = None,
) -> dict[str, Any] | None:
    """The comparison of ``assessment``'s delivered result with an earlier round's (see
    :func:`baseline`); None when there is no earlier round, or this one has no scores yet.

    ``shown``: the assessment's delivered result, when the caller has it already.

    :raise NotAnEarlierRound: ``since`` names no earlier round of the organisation.
    """
    before = baseline(assessment, since)
    if before is None:
        return None
    after = _round(assessment, shown)
    if not after.result["respondents"]:
        return None
    return round_comparison.compare(_round(before), after)


@dataclass(frozen=True)
class ResultsPage:
    """What the results page shows besides the result: the rounds it can be compared with,
    the comparison (as the PDF annex prints it) and the client's actions by finding key."""

    shown: kept_results.Delivered
    choices: list[Choice]
    #: The earlier round compared with (None: none to compare with).
    since: int | None
    progress: dict[str, Any] | None
    actions: dict[str, actions.ActionView]
    #: Each finding's key (``rescoring.finding_key``) by its id in the shown result.
    finding_keys: dict[str, str]
    #: The consultant's edits and review (None: no scores to edit yet).
    voice: voice.Voice | None = None
    #: The executive summary's paragraphs as the report prints them (edited or generated).
    summary: tuple[str, ...] = ()


def results_page(assessment: Assessment, since: int | None, today: date) -> ResultsPage:
    """The results page's rounds and actions (``since``: the earlier round chosen, else
    :func:`baseline`).

    :raise NotAnEarlierRound: ``since`` names no earlier round of the organisation.
    """
    shown = kept_results.delivered(assessment)
    compared = progress(assessment, since, shown)
    said = voice.voice_of(assessment, shown.result, shown.questionnaire)
    return ResultsPage(
        shown=shown,
        choices=choices(assessment),
        since=compared["before"]["assessment_id"] if compared else None,
        progress=annex(compared),
        actions=actions.views_by_key(assessment.organization_id, today),
        finding_keys={f["id"]: finding_key(f) for f in shown.result["findings"]},
        voice=said,
        summary=tuple(
            voice.paragraphs(said.summary or voice.generated_summary(assessment, shown.result))
        ),
    )
