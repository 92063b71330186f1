"""Benchmarks among a firm's own clients, and the portfolio of their latest results.

* **The group** of a closed assessment: the latest delivered round (the current stored
  result of the latest closed assessment) of every *other* client of the workspace that
  opted in, on the same questionnaire id and version, of the same sector and size band
  (:func:`assessor.engine.benchmark.context_facts`).  Only a client that opted in is
  benchmarked, and only over :data:`~assessor.engine.benchmark.MIN_GROUP` organisations
  or more, itself included.
* **Frozen in reports**: the first report (PDF, preview or export) made of a stored
  result with a band keeps what it showed (``BenchmarkShown``); every later report of
  that result shows the same, whoever joins or leaves the group.  A report made while
  no band can be shown shows none and freezes nothing.
* **The portfolio**: every client's latest delivered result, per questionnaire version,
  for the firm's own eyes (its own clients' scores), filtered by sector and size band.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from assessor.database import begin_write
from assessor.engine import benchmark as bands
from assessor.extensions import db
from assessor.models import Assessment, BenchmarkShown, Organization, StoredResult, utcnow
from assessor.operations import kept_results
from assessor.reports.summary import score_band

NOT_CLOSED = "The benchmark is shown once the assessment is closed."


@dataclass(frozen=True)
class Round:
    """A client's latest delivered round."""

    organization: Organization
    assessment: Assessment
    result: dict[str, Any]


def latest_rounds(
    workspace_id: int, *, opted_in: bool, questionnaire: tuple[str, int] | None = None
) -> list[Round]:
    """The latest closed assessment of each client of the workspace (that opted in, with
    ``opted_in``; on the questionnaire ``(id, version)`` when given), with its current
    stored result; a client with none is left out."""
    query = (
        select(Assessment)
        .join(Organization)
        .where(Organization.workspace_id == workspace_id, Assessment.status == "closed")
        .order_by(Assessment.closed_at.desc(), Assessment.id.desc())
    )
    if opted_in:
        query = query.where(Organization.benchmark_consent_at.is_not(None))
    if questionnaire is not None:
        query = query.where(
            Assessment.questionnaire_id == questionnaire[0],
            Assessment.questionnaire_version == questionnaire[1],
        )
    rounds: dict[int, Round] = {}
    for assessment in db.session.scalars(query):
        if assessment.organization_id in rounds:
            continue
        kept = kept_results.current(assessment.id)
        if kept is not None:
            rounds[assessment.organization_id] = Round(
                assessment.organization, assessment, kept.result
            )
    return list(rounds.values())


def benchmark_for(assessment: Assessment) -> dict[str, Any] | None:
    """The benchmark of a closed assessment now (bands and group sizes only), or why
    there is none (``available`` False and a ``message``); None in a workspace of an
    organisation assessing itself (it has no clients to be compared with)."""
    organization = assessment.organization
    if organization.workspace.kind != "firm":
        return None
    if assessment.status != "closed":
        return _none(NOT_CLOSED)
    if organization.benchmark_consent_at is None:
        return _none(f"Not benchmarked: {organization.name} has not opted in to benchmarking.")
    kept = kept_results.current(assessment.id)
    if kept is None:
        return _none(NOT_CLOSED)
    peers = [
        r.result
        for r in latest_rounds(
            organization.workspace_id,
            opted_in=True,
            questionnaire=(assessment.questionnaire_id, assessment.questionnaire_version),
        )
        if r.organization.id != organization.id
    ]
    titles = {d["id"]: d["title"] for d in kept.result["domains"]}
    return bands.benchmark(kept.result, peers, titles)


def _none(message: str) -> dict[str, Any]:
    return {"available": False, "message": message, "overall": None, "domains": []}


def for_report(assessment: Assessment) -> dict[str, Any] | None:
    """The benchmark a report of ``assessment`` shows: the one frozen with its current
    stored result, else (frozen now, when it has a band) the current one; None when no
    band can be shown, and in an organisation's own workspace (one frozen while it was a
    firm's stays stored, and shows again if it becomes a firm's once more)."""
    organization = assessment.organization
    if assessment.status != "closed" or organization.benchmark_consent_at is None:
        return None
    if organization.workspace.kind != "firm":
        return None
    row_id = db.session.scalar(
        select(StoredResult.id)
        .where(StoredResult.assessment_id == assessment.id)
        .order_by(StoredResult.number.desc())
        .limit(1)
    )
    if row_id is None:
        return None
    frozen = _frozen(row_id)
    if frozen is not None:
        return frozen
    shown = benchmark_for(assessment)
    if shown is None or not shown["available"]:
        return None
    begin_write()  # SQLite: take the write lock before reading what is changed
    try:
        if _frozen(row_id) is None:  # another report may have frozen it meanwhile
            made = utcnow().date().isoformat()
            db.session.add(BenchmarkShown(stored_result_id=row_id, shown={**shown, "made": made}))
        db.session.commit()
    except IntegrityError:  # PostgreSQL: another report froze it first
        db.session.rollback()
    return _frozen(row_id)


def _frozen(stored_result_id: int) -> dict[str, Any] | None:
    shown = db.session.scalar(
        select(BenchmarkShown.shown).where(BenchmarkShown.stored_result_id == stored_result_id)
    )
    return dict(shown) if shown is not None else None


# --- the portfolio --------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """A score with the band the report names it by (Weak, Developing, ...): the heatmap
    says it in words as well as in colour."""

    score: int
    band: str

    @classmethod
    def of(cls, score: int | None) -> Cell | None:
        return None if score is None else cls(score, score_band(score)[0])


@dataclass(frozen=True)
class PortfolioRow:
    organization: str
    organization_id: int
    assessment_id: int
    closed: date | None
    sector: str | None
    size: str | None
    overall: Cell | None
    #: Per domain of the table, in its order: the score, or None when not answered.
    scores: tuple[Cell | None, ...]
    provisional: bool


@dataclass(frozen=True)
class PortfolioTable:
    """The clients' latest results on one questionnaire version."""

    questionnaire: str
    version: int
    domains: tuple[tuple[str, str], ...]
    rows: tuple[PortfolioRow, ...]


@dataclass(frozen=True)
class Portfolio:
    tables: tuple[PortfolioTable, ...]
    #: Every sector (value, label) the clients' results name, for the filter.
    sectors: tuple[tuple[str, str], ...]
    #: How many clients have a delivered result at all (before the filter).
    clients: int


def portfolio(workspace_id: int, *, sector: str | None, size: str | None) -> Portfolio:
    """The workspace's clients x domains: each client's latest delivered result, one table
    per questionnaire version, keeping those of ``sector`` and ``size`` (a band) when
    given."""
    rounds = latest_rounds(workspace_id, opted_in=False)
    sectors: dict[str, str] = {}
    grouped: dict[tuple[str, int], list[Round]] = {}
    for found in rounds:
        facts = bands.context_facts(found.result)
        if facts.sector is not None:
            sectors[facts.sector] = facts.sector_label or facts.sector
        if (sector and facts.sector != sector) or (size and facts.size != size):
            continue
        key = (found.assessment.questionnaire_id, found.assessment.questionnaire_version)
        grouped.setdefault(key, []).append(found)
    tables = tuple(_table(found) for _, found in sorted(grouped.items()))
    return Portfolio(tables, tuple(sorted(sectors.items(), key=lambda s: s[1])), len(rounds))


def _table(rounds: Iterable[Round]) -> PortfolioTable:
    ordered = sorted(rounds, key=lambda r: r.organization.name.casefold())
    first = ordered[0].result
    domains = tuple((d["id"], d["title"]) for d in first["domains"])
    rows = []
    for found in ordered:
        facts = bands.context_facts(found.result)
        scores = bands.domain_scores(found.result)
        closed = found.assessment.closed_at
        rows.append(
            PortfolioRow(
                organization=found.organization.name,
                organization_id=found.organization.id,
                assessment_id=found.assessment.id,
                closed=closed.date() if closed else None,
                sector=facts.sector_label,
                size=facts.size,
                overall=Cell.of(
                    bands.headline(found.result) if found.result["respondents"] else None
                ),
                scores=tuple(Cell.of(scores.get(domain_id)) for domain_id, _ in domains),
                provisional=found.result.get("provisional") is True,
            )
        )
    info = first["questionnaire"]
    return PortfolioTable(info["title"], info["version"], domains, tuple(rows))
