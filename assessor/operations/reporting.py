"""Reports and exports of a stored assessment: the PDF (cached), its HTML, CSV/XLSX/JSON.

The PDF is stored in ``StoredReport`` under a hash of everything that goes into it
(the engine's result, the assessment's facts and answers, the branding, the template
version and the paper size): an unchanged assessment is served from the database, and
any change to an answer, a comment or the branding makes a new one.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from assessor.database import begin_write
from assessor.extensions import db
from assessor.models import Assessment, Organization, StoredReport, User, utcnow
from assessor.operations import (
    actions,
    audit,
    benchmarks,
    kept_results,
    render_jobs,
    rounds,
    voice,
    what_if,
)
from assessor.operations.scoring import ScoredAssessment
from assessor.reports import exports
from assessor.reports.context import PAPERS, ReportInputs, build_context
from assessor.reports.render import render_html, template_version

PDF_MIMETYPE = "application/pdf"
#: Stored PDFs kept per assessment; older ones are deleted when a new one is stored.
KEEP_STORED = 4


@dataclass(frozen=True)
class ReportFile:
    """A file for the web layer to send.

    ``etag`` is the bare value (``send_file(etag=...)`` quotes it); ``filename`` is ASCII-safe;
    ``content_disposition`` is the whole header, with RFC 5987 ``filename*`` when the
    organisation's name is not ASCII.
    """

    data: bytes
    etag: str
    filename: str
    mimetype: str
    content_disposition: str
    cached: bool = False


def _file(
    data: bytes, etag: str, inputs: ReportInputs, fmt: str, mimetype: str, *, cached: bool = False
) -> ReportFile:
    day = inputs.assessment_date
    ascii_name = ascii_filename(inputs.organization, day, fmt)
    header = content_disposition(ascii_name, report_filename(inputs.organization, day, fmt))
    return ReportFile(data, etag, ascii_name, mimetype, header, cached)


def assessment_date(assessment: Assessment) -> date:
    """The date a report is dated: closed, else the last submission, else when it started."""
    if assessment.closed_at is not None:
        return assessment.closed_at.date()
    submitted = [r.submitted_at for r in assessment.respondents if r.submitted_at is not None]
    if submitted:
        return max(submitted).date()
    return assessment.created_at.date()


def scored_report(
    assessment: Assessment,
    paper: str,
    *,
    with_actions: bool = False,
    signing: tuple[str, date] | None = None,
    live: ScoredAssessment | None = None,
) -> tuple[dict[str, Any], ReportInputs]:
    """The result (as a dict: the stored one of a closed assessment, see
    :mod:`kept_results`) and the report inputs of ``assessment``, with the progress since
    the earlier round (:func:`rounds.progress`), the consultant's edits and review
    (:mod:`voice`; ``signing``: the reviewer and date of a review being signed now) and,
    when asked, the client's actions.  ``live``: see :func:`kept_results.delivered`."""
    if paper not in PAPERS:
        raise ValueError(f"paper must be one of {', '.join(PAPERS)}: {paper!r}")
    scored = kept_results.delivered(assessment, live=live)
    organization = assessment.organization
    workspace = organization.workspace
    edits = voice.voice_of(assessment, scored.result, scored.questionnaire).for_report()
    if signing is not None:
        edits["review"] = {"reviewer": signing[0], "date": signing[1].isoformat(), "stale": False}
    inputs = ReportInputs(
        organization=organization.name,
        sector=organization.sector,
        size=organization.size,
        assessment_title=assessment.title,
        assessment_date=assessment_date(assessment),
        questionnaire=scored.questionnaire,
        respondents=tuple(scored.respondents),
        firm_name=workspace.firm_name,
        kind=workspace.kind,
        logo=workspace.logo,
        logo_mimetype=workspace.logo_mimetype,
        accent=workspace.accent_color,
        paper=paper,
        in_progress=scored.in_progress,
        waiting=scored.waiting,
        progress=rounds.progress(assessment),
        actions=tuple(actions.export_rows(organization.id, utcnow().date()))
        if with_actions
        else (),
        benchmark=benchmarks.for_report(assessment),
        # None without any edit or review: the cache keys of reports made before stay.
        voice=edits
        if any(edits[k] for k in ("paragraphs", "findings", "settled", "review"))
        else None,
        target_structures=what_if.for_report(assessment),
        appendix=assessment.report_appendix,
    )
    return scored.result, inputs


def set_appendix(assessment: Assessment, include: bool, by: User) -> None:
    """Whether the assessment's report ends with the appendix of every answer and comment
    (its next download renders accordingly: the choice is part of the report's inputs);
    audited."""
    begin_write()
    assessment.report_appendix = include
    audit.record(
        "report-appendix-set",
        workspace_id=assessment.organization.workspace_id,
        actor=by.email,
        user=by,
        target=f"assessment:{assessment.id}",
        appendix=include,
    )
    db.session.commit()


def report_inputs(assessment: Assessment, paper: str = "a4") -> ReportInputs:
    """Everything the report shows about ``assessment`` besides the engine's result."""
    return scored_report(assessment, paper)[1]


def report_html(assessment: Assessment, paper: str = "a4") -> str:
    """The report as one HTML document for a browser (the preview; the logo inlined)."""
    result, inputs = scored_report(assessment, paper)
    return render_html(build_context(result, inputs, inline_logo=True))


def content_hash(result: dict[str, Any], inputs: ReportInputs, fmt: str = "pdf") -> str:
    """sha256 of the result, the inputs, the template version and the format."""
    payload = {
        "result": result,
        "inputs": inputs.fingerprint(),
        "template": template_version(),
        "format": fmt,
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def report_etag(assessment: Assessment, paper: str = "a4") -> str:
    """The PDF's ETag without rendering it (to answer ``If-None-Match`` cheaply)."""
    return content_hash(*scored_report(assessment, paper))


def report_pdf(
    assessment: Assessment,
    paper: str = "a4",
    *,
    actor: str = "system",
    user: User | None = None,
    lane: str = "interactive",
    scored: tuple[dict[str, Any], ReportInputs] | None = None,
    version: str | None = None,
) -> ReportFile:
    """The PDF report: the stored one when nothing changed, else rendered (a render job,
    within the limits) and stored.  ``scored``: :func:`scored_report` of this assessment
    and paper, when the caller has just made it, with ``version``, the assessment's
    version read before (:func:`render_jobs.version_of`).

    :raise render_jobs.RenderRefused: the render hit a limit (now or before), or is busy.
    """
    if scored is None or version is None:
        version = render_jobs.version_of(assessment)  # read before what is scored
        scored = scored_report(assessment, paper)
    result, inputs = scored
    key = content_hash(result, inputs)
    stored = stored_pdf(assessment.id, key)
    if stored is not None:
        return _file(stored, key, inputs, "pdf", PDF_MIMETYPE, cached=True)
    html = render_html(build_context(result, inputs))
    request = _render_request(assessment, key, paper, lane, actor, user, version)
    data = render_jobs.render(
        request, html, inputs.assets(), keep=functools.partial(add_pdf, assessment.id, key)
    )
    return _file(data, key, inputs, "pdf", PDF_MIMETYPE)


def _render_request(
    assessment: Assessment,
    key: str,
    paper: str,
    lane: str,
    actor: str,
    user: User | None,
    version: str | None,
) -> render_jobs.RenderRequest:
    return render_jobs.RenderRequest(
        workspace_id=assessment.organization.workspace_id,
        assessment_id=assessment.id,
        content_hash=key,
        paper=paper,
        lane=lane,
        actor=actor,
        user=user,
        version=version,
    )


def submitted_assessments(workspace_id: int | None = None) -> list[Assessment]:
    """Every submitted or closed assessment (of one workspace, when given), oldest first."""
    query = select(Assessment).where(Assessment.status.in_(("submitted", "closed")))
    if workspace_id is not None:
        query = query.join(Organization).where(Organization.workspace_id == workspace_id)
    return list(db.session.scalars(query.order_by(Assessment.id)))


@dataclass(frozen=True)
class BulkOutcome:
    """One assessment's PDF from :func:`report_pdfs`, or why there is none."""

    assessment_id: int
    file: ReportFile | None
    refused: render_jobs.RenderRefused | None = None


def report_pdfs(
    assessments: Sequence[Assessment], paper: str = "a4", workers: int | None = None
) -> Iterator[BulkOutcome]:
    """The PDF of each assessment in the bulk lane, ``workers`` at a time (default: the
    lane's slots), yielded as each is ready; stored ones are served from the database.
    A render refused (a limit hit) is yielded as such; the others go on."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    concurrency = workers or render_jobs.settings().bulk_slots

    def render_one(
        request: render_jobs.RenderRequest, html: str, inputs: ReportInputs
    ) -> BulkOutcome:
        with app.app_context():
            try:
                keep = functools.partial(add_pdf, request.assessment_id, request.content_hash)
                data = render_jobs.render(request, html, inputs.assets(), keep=keep)
            except render_jobs.RenderRefused as exc:
                return BulkOutcome(request.assessment_id, None, exc)
            finally:
                db.session.remove()
            file = _file(data, request.content_hash, inputs, "pdf", PDF_MIMETYPE)
            return BulkOutcome(request.assessment_id, file)

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        pending: list[Future[BulkOutcome]] = []
        for assessment in assessments:
            version = render_jobs.version_of(assessment)  # read before what is scored
            result, inputs = scored_report(assessment, paper)
            key = content_hash(result, inputs)
            stored = stored_pdf(assessment.id, key)
            if stored is not None:
                file = _file(stored, key, inputs, "pdf", PDF_MIMETYPE, cached=True)
                yield BulkOutcome(assessment.id, file)
                continue
            html = render_html(build_context(result, inputs))
            request = _render_request(assessment, key, paper, "bulk", "system", None, version)
            pending.append(pool.submit(render_one, request, html, inputs))
        for future in as_completed(pending):
            yield future.result()


def stored_pdf(assessment_id: int, key: str) -> bytes | None:
    data = db.session.scalar(
        select(StoredReport.data).where(
            StoredReport.assessment_id == assessment_id,
            StoredReport.content_hash == key,
            StoredReport.format == "pdf",
        )
    )
    return bytes(data) if data is not None else None


def has_stored(assessment_id: int, key: str) -> bool:
    """Whether the PDF of this content is stored (without reading it)."""
    found = db.session.scalar(
        select(StoredReport.id).where(
            StoredReport.assessment_id == assessment_id,
            StoredReport.content_hash == key,
            StoredReport.format == "pdf",
        )
    )
    return found is not None


def pdf_file(data: bytes, key: str, inputs: ReportInputs, *, cached: bool = True) -> ReportFile:
    """A stored or rendered PDF as a file to send."""
    return _file(data, key, inputs, "pdf", PDF_MIMETYPE, cached=cached)


def store_pdf(assessment_id: int, key: str, data: bytes) -> None:
    """Keep the PDF (another process may have stored the same one: that is fine)."""
    begin_write()  # SQLite: take the write lock before reading what is changed
    add_pdf(assessment_id, key, data)
    db.session.commit()


def add_pdf(assessment_id: int, key: str, data: bytes) -> None:
    """:func:`store_pdf` in the caller's write transaction (a render job's, which records
    the job done in the same commit: :func:`render_jobs.run`)."""
    try:
        with db.session.begin_nested():  # the same one stored meanwhile: only this undone
            db.session.add(
                StoredReport(assessment_id=assessment_id, content_hash=key, format="pdf", data=data)
            )
    except IntegrityError:
        return
    keep = (
        select(StoredReport.id)
        .where(StoredReport.assessment_id == assessment_id, StoredReport.format == "pdf")
        .order_by(StoredReport.created_at.desc(), StoredReport.id.desc())
        .limit(KEEP_STORED)
    )
    db.session.execute(
        delete(StoredReport).where(
            StoredReport.assessment_id == assessment_id,
            StoredReport.format == "pdf",
            StoredReport.id.not_in(keep.scalar_subquery()),
        )
    )


def export_assessment(assessment: Assessment, fmt: str) -> ReportFile:
    """The assessment's answers and results as ``csv``, ``xlsx`` or ``json``.

    :raise ValueError: an unknown format.
    """
    if fmt not in exports.EXPORTERS:
        raise ValueError(f"unknown export format {fmt!r}; use csv, xlsx or json")
    result, inputs = scored_report(assessment, "a4", with_actions=True)
    data = exports.export(fmt, result, inputs)
    return _file(data, hashlib.sha256(data).hexdigest(), inputs, fmt, exports.MIMETYPES[fmt])


# --- file names ----------------------------------------------------------------------------


def slug(text: str, fallback: str = "organisation") -> str:
    """``Société Générale & Co`` -> ``societe-generale-co``: ASCII letters, digits, hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    cleaned = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return cleaned[:60].rstrip("-") or fallback


def report_filename(organization: str, day: date, extension: str) -> str:
    """``<organisation>-governance-gap-<date>.<ext>``, keeping the organisation's own letters."""
    name = re.sub(r"[\x00-\x1f\x7f/\\\"]+", " ", unicodedata.normalize("NFC", organization))
    name = re.sub(r"\s+", "-", name.strip()).strip(".-")[:60] or "organisation"
    return f"{name}-governance-gap-{day.isoformat()}.{extension}"


def ascii_filename(organization: str, day: date, extension: str) -> str:
    """The same name slugged to ASCII letters, digits and hyphens."""
    return f"{slug(organization)}-governance-gap-{day.isoformat()}.{extension}"


def content_disposition(ascii_name: str, name: str) -> str:
    """An attachment header: the ASCII ``filename`` and, when ``name`` is not plain ASCII,
    ``filename*`` (RFC 5987) with the name as it is."""
    header = f'attachment; filename="{ascii_name}"'
    if not name.isascii():
        header += f"; filename*=UTF-8''{quote(name, safe='')}"
    return header
