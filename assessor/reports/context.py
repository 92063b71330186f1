"""The report's context: the engine's result and the assessment's facts as plain values.

:func:`build_context` is pure: it takes the result dict (``Result.to_dict()``) and a
:class:`ReportInputs`, and returns only strings, numbers, lists and dicts (plus the
two chart SVGs, which are escaped strings), so a template can neither query a
database nor reach anything it was not given.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from assessor.engine.method import CAPPING_KINDS, CAPS
from assessor.questionnaire.schema import Questionnaire
from assessor.reports import chapters, chart_text, charts, progress, summary
from assessor.reports.branding import DEFAULT_ACCENT, BrandingError, validate_accent
from assessor.reports.disagreement_text import (
    briefing_gaps,
    maturity_questions,
    topics,
    unknown_only,
)
from assessor.reports.labels import (
    KIND_LABELS,
    ROLE_LABELS,
    SEVERITY_LABELS,
    STATUS_LABELS,
    effort_label,
    owner_short,
    sector_label,
)
from assessor.reports.report_urls import asset_url
from assessor.reports.scoring_text import method_context, scores_context

PAPERS = ("a4", "letter")
#: A firm's workspace, or an organisation's own (``Workspace.kind``).
KINDS = ("firm", "own")
PAGE_SIZES = {"a4": "A4", "letter": "letter"}
CONFIDENTIALITY = "Confidential"


class AnswerSet(Protocol):
    """One respondent's answers, as the engine takes them (``assessor.engine.Respondent``)."""

    @property
    def name(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def answers(self) -> Mapping[str, Any]: ...
    @property
    def comments(self) -> Mapping[str, str]: ...


@dataclass(frozen=True)
class ReportInputs:
    """Everything a report shows besides the engine's result."""

    organization: str
    assessment_title: str
    assessment_date: date
    questionnaire: Questionnaire
    respondents: tuple[AnswerSet, ...]
    sector: str | None = None
    size: str | None = None
    firm_name: str | None = None
    #: The workspace's kind: ``firm`` (a firm's report on a client) or ``own`` (an
    #: organisation's report on itself: its words name no consultant and no client).
    kind: str = "firm"
    logo: bytes | None = field(default=None, repr=False)
    logo_mimetype: str | None = None
    accent: str | None = None
    paper: str = "a4"
    #: Per respondent (same order): True for one counted while still answering.
    in_progress: tuple[bool, ...] = ()
    #: (name, role) of the respondents still answering who are not counted.
    waiting: tuple[tuple[str, str], ...] = ()
    #: The comparison with an earlier round (``operations/round_comparison.py``), or None.
    progress: Mapping[str, Any] | None = None
    #: The organisation's remediation actions (exports only; not in the PDF).
    actions: tuple[Mapping[str, Any], ...] = field(default=(), compare=False)
    #: The benchmark frozen with the result (``operations/benchmarks.py``): bands and
    #: group sizes only; None when the report shows none.
    benchmark: Mapping[str, Any] | None = None
    #: Whether the report ends with the appendix of every answer and comment (the
    #: consultant may leave it out of a given report).
    appendix: bool = True
    #: The consultant's voice (``operations/voice.py``, ``Voice.for_report()``): the
    #: summary as edited, each finding's status and response by key, the settled facts and
    #: the review line; None for a report without one.
    voice: Mapping[str, Any] | None = None
    #: The kept what-if scenarios marked for the report (``operations/what_if.py``), each
    #: compared with today's result: the annex "Target structure".
    target_structures: tuple[Mapping[str, Any], ...] = ()

    def __post_init__(self) -> None:
        if self.paper not in PAPERS:
            raise ValueError(f"paper must be one of {', '.join(PAPERS)}: {self.paper!r}")
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}: {self.kind!r}")

    def fingerprint(self) -> dict[str, Any]:
        """The inputs as plain values, for a cache key (the logo by its digest)."""
        plain: dict[str, Any] = {
            "organization": self.organization,
            "sector": self.sector,
            "size": self.size,
            "title": self.assessment_title,
            "date": self.assessment_date.isoformat(),
            "questionnaire": [
                self.questionnaire.id,
                self.questionnaire.version,
                self.questionnaire.hash,
            ],
            "respondents": [
                {
                    "name": r.name,
                    "role": r.role,
                    "answers": {k: _plain(v) for k, v in sorted(r.answers.items())},
                    "comments": dict(sorted(r.comments.items())),
                }
                for r in self.respondents
            ],
            "firm_name": self.firm_name,
            "logo": hashlib.sha256(self.logo).hexdigest() if self.logo else None,
            "logo_mimetype": self.logo_mimetype if self.logo else None,
            "accent": self.accent,
            "paper": self.paper,
            "in_progress": list(self.in_progress),
            "waiting": [list(person) for person in self.waiting],
            "progress": self.progress,
        }
        if self.benchmark is not None:  # absent: the keys of reports made before it stay
            plain["benchmark"] = dict(self.benchmark)
        if not self.appendix:  # likewise
            plain["appendix"] = False
        if self.kind != "firm":  # likewise; a change of kind makes a new report
            plain["kind"] = self.kind
        if self.voice is not None:
            plain["voice"] = dict(self.voice)
        if self.target_structures:  # likewise
            plain["target_structures"] = [dict(t) for t in self.target_structures]
        return plain

    def still_answering(self, index: int) -> bool:
        """Whether the respondent at ``index`` is counted while still answering."""
        return index < len(self.in_progress) and self.in_progress[index]

    def assets(self) -> dict[str, tuple[bytes, str]]:
        """The in-memory files the rendered document refers to (the logo)."""
        if self.logo and self.logo_mimetype in ("image/png", "image/svg+xml"):
            return {"logo": (self.logo, self.logo_mimetype)}
        return {}


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple | list) else value


def format_date(day: date) -> str:
    """``27 November 2026``: unambiguous on both sides of the Atlantic."""
    return f"{day.day} {day:%B %Y}"


def accent_or_default(value: str | None) -> str:
    try:
        return validate_accent(value) if value else DEFAULT_ACCENT
    except BrandingError:
        return DEFAULT_ACCENT


def build_context(
    result: Mapping[str, Any], inputs: ReportInputs, *, inline_logo: bool = False
) -> dict[str, Any]:
    """The report's template context, built from ``result`` (``Result.to_dict()``).

    ``inline_logo`` puts the (validated) logo in a ``data:`` URI, for HTML shown in a
    browser; the PDF refers to it by a private URL that only the report fetcher serves.
    """
    accent = accent_or_default(inputs.accent)
    domain_titles = {d["id"]: d["title"] for d in result["domains"]}
    for section in inputs.questionnaire.sections:
        domain_titles.setdefault(section.id, section.title)
    several = len(result["respondents"]) > 1
    findings = _findings(result, domain_titles, inputs.voice)
    own_lines = chapters.respondent_maturity(result, inputs.questionnaire) if several else []
    initiatives = chapters.roadmap(result, findings)
    told = summary.executive_summary(
        result,
        inputs.organization,
        domain_titles,
        maturity_questions(inputs.questionnaire),
        topics(inputs.questionnaire),
    )
    if inputs.voice and inputs.voice.get("paragraphs"):
        told["paragraphs"] = list(inputs.voice["paragraphs"])
    return {
        "meta": _meta(result, inputs, accent, inline_logo),
        "summary": told,
        "voice": _voice(inputs.voice),
        "risks": chapters.risks(findings),
        "scores": scores_context(result),
        "scoring": method_context(result),
        "charts": _charts(result, domain_titles, accent, own_lines, several),
        "raci": _raci(result, domain_titles),
        "grid": chapters.raci_grid(result, domain_titles, inputs.questionnaire),
        "findings": findings,
        "perception": {
            **_perception(
                result,
                domain_titles,
                several,
                {r.id: r.title for r in inputs.questionnaire.regulations},
                inputs.questionnaire,
            ),
            "agreement": told["disagreement"],
            "chart_note": (
                ""
                if _any_disagreement(result)
                else "No domain has a question the respondents answered differently, so "
                "there is no chart of disagreement by domain."
            ),
        },
        "roadmap": _roadmap(result, findings),
        "initiatives": initiatives,
        "roadmap_intro": chapters.roadmap_intro(initiatives),
        # With few findings, the chapters after them follow on the same page rather than
        # leave three near-empty pages (a strong organisation's report).
        "flows": len(findings) <= FLOWING_FINDINGS,
        "appendix": _appendix(result, inputs) if inputs.appendix else None,
        "method": result["method"]["description"],
        "progress": progress.annex(inputs.progress),
        "benchmark": _benchmark(inputs.benchmark),
        "target_structures": list(inputs.target_structures),
    }


def disagreeing(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The perception domains with each one's share of compared questions answered
    differently, less those that differ only by a "don't know" against agreeing answers
    (the engine counts them; they are a briefing need, not a disagreement)."""
    gaps = result["perception"]["gaps"]
    domains = []
    for d in result["perception"]["domains"]:
        share = d.get("disagreement")
        mine = [g for g in gaps if g.get("domain") == d["id"]]
        if share and mine:
            real = sum(1 for g in mine if not unknown_only(g))
            share = round(share * real / len(mine), 2)
        domains.append({**d, "disagreement": share})
    return domains


def _any_disagreement(result: Mapping[str, Any]) -> bool:
    """Whether the respondents differ anywhere in a domain: the disagreement chart has
    something to show (a chart of bars all at 0% is left out)."""
    return any(d.get("disagreement") for d in disagreeing(result))


def _benchmark(shown: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The frozen benchmark's bands as the report prints them (no figure but group sizes)."""
    if not shown or not shown.get("available") or not shown.get("overall"):
        return None
    made = shown.get("made")
    return {
        "overall": str(shown["overall"]["text"]),
        "domains": [
            (str(d["title"]), str(d.get("short") or d["text"])) for d in shown.get("domains", ())
        ],
        "made": format_date(date.fromisoformat(made)) if made else None,
    }


def _logo_url(inputs: ReportInputs, inline: bool) -> str | None:
    assets = inputs.assets()
    if "logo" not in assets:
        return None
    if not inline:
        return asset_url("logo")
    data, mimetype = assets["logo"]
    return f"data:{mimetype};base64,{base64.b64encode(data).decode('ascii')}"


def _charts(
    result: Mapping[str, Any],
    domain_titles: Mapping[str, str],
    accent: str,
    own_lines: Sequence[tuple[str, Sequence[float | None]]],
    several: bool,
) -> dict[str, Any]:
    """The charts as SVG shapes, and their words as HTML to place over them
    (:mod:`assessor.reports.chart_text`)."""
    severity = chapters.severity_by_domain(result, domain_titles)
    perception = disagreeing(result)
    # A chart of bars all at 0% shows nothing: the chapter says so in a sentence instead.
    several = several and _any_disagreement(result)
    return {
        "radar": charts.radar_svg(
            result["domains"], accent=accent, respondents=own_lines, text=False
        ),
        "radar_labels": chart_text.radar_labels(
            result["domains"], [label for label, _levels in own_lines]
        ),
        "severity": charts.severity_heatmap_svg(severity, text=False),
        "severity_labels": chart_text.severity_labels(severity),
        "heatmap": charts.heatmap_svg(perception, text=False) if several else None,
        "heatmap_labels": chart_text.heatmap_labels(perception) if several else [],
    }


def _meta(
    result: Mapping[str, Any], inputs: ReportInputs, accent: str, inline_logo: bool
) -> dict[str, Any]:
    questionnaire = result["questionnaire"]
    return {
        "organization": inputs.organization,
        "sector": sector_label(inputs.questionnaire, inputs.sector),
        "size": inputs.size,
        "title": inputs.assessment_title,
        "date": inputs.assessment_date.isoformat(),
        "date_text": format_date(inputs.assessment_date),
        "questionnaire_title": questionnaire["title"],
        "questionnaire_version": questionnaire["version"],
        "questionnaire_id": questionnaire["id"],
        "questionnaire_hash": (questionnaire.get("hash") or "")[:12],
        "firm_name": inputs.firm_name or None,
        # An organisation's report on itself: no consultant, no client in its words.
        "own": inputs.kind == "own",
        "logo_url": _logo_url(inputs, inline_logo),
        "accent": accent,
        "paper": inputs.paper,
        "appendix": inputs.appendix,
        "page_size": PAGE_SIZES[inputs.paper],
        "confidentiality": CONFIDENTIALITY,
        "respondents": [
            {
                "name": r["name"],
                "role": r["role"],
                "role_label": ROLE_LABELS.get(r["role"], r["role"]),
                "completeness": r["completeness"],
                "shown": r["shown"],
                "answered": r["answered"],
                "in_progress": inputs.still_answering(index),
            }
            for index, r in enumerate(result["respondents"])
        ],
        "waiting": [
            {"name": name, "role": role, "role_label": ROLE_LABELS.get(role, role)}
            for name, role in inputs.waiting
        ],
    }


def _raci(result: Mapping[str, Any], domain_titles: Mapping[str, str]) -> list[dict[str, Any]]:
    """The matrix grouped by domain, in the model's order."""
    groups: dict[str | None, dict[str, Any]] = {}
    for row in result["raci"]:
        domain = row.get("domain")
        group = groups.setdefault(
            domain,
            {"domain": domain, "title": domain_titles.get(domain or "", "Other"), "rows": []},
        )
        named = [
            {
                "respondent": n["respondent"],
                "role": ROLE_LABELS.get(n["role"], n["role"]),
                "owner": n["owner"],
                "owner_label": owner_short(n["owner"]),
                "matches": n["owner"] == row["accountable"],
            }
            for n in row["named"]
        ]
        group["rows"].append(
            {
                "id": row["responsibility"],
                "title": row["title"],
                "accountable": row["accountable"],
                "accountable_label": owner_short(row["accountable"]),
                "consulted": [owner_short(c) for c in row["consulted"]],
                "named": named,
                "status": row["status"],
                "status_label": STATUS_LABELS.get(row["status"], row["status"]),
                "mismatch": row["status"] != "aligned",
            }
        )
    return list(groups.values())


def _voice(voice: Mapping[str, Any] | None) -> dict[str, Any]:
    """The review line and the settled facts as the summary prints them."""
    if not voice:
        return {"review": None, "settled": [], "edited": False}
    review = voice.get("review")
    return {
        "review": None
        if review is None
        else {
            "reviewer": review["reviewer"],
            "date_text": format_date(date.fromisoformat(review["date"])),
            "stale": review["stale"],
        },
        "settled": list(voice.get("settled") or []),
        "edited": bool(voice.get("paragraphs")),
    }


def _judged(said: Mapping[str, Any] | None, finding: Mapping[str, Any]) -> dict[str, Any] | None:
    """A finding's status as the report prints it; ``lifts_cap``: it is not applicable and
    of a kind and severity that would cap the headline (the method's caps)."""
    if said is None:
        return None
    capping = finding["kind"] in CAPPING_KINDS and finding["severity"] in dict(CAPS)
    return {**said, "lifts_cap": said["status"] == "not_applicable" and capping}


def _findings(
    result: Mapping[str, Any],
    domain_titles: Mapping[str, str],
    voice: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    judged = (voice or {}).get("findings") or {}
    contradictions = result.get("inconsistencies") or []  # results kept before lack it
    findings = []
    for f in result["findings"]:
        number = f["number"]
        by_question: dict[str, dict[str, Any]] = {}
        for answer in f["evidence"]["answers"]:
            entry = by_question.setdefault(
                answer["question"],
                {"question": answer["question"], "text": answer["text"], "answers": []},
            )
            entry["answers"].append(
                {
                    "respondent": answer["respondent"],
                    "role": ROLE_LABELS.get(answer["role"], answer["role"]),
                    "label": answer["label"],
                }
            )
        findings.append(
            {
                "id": f["id"],
                "number": number,
                "ref": f"F{number}",
                "kind": f["kind"],
                "kind_label": KIND_LABELS.get(f["kind"], f["kind"]),
                "severity": f["severity"],
                "severity_label": SEVERITY_LABELS.get(f["severity"], f["severity"]),
                "responsibility": f.get("responsibility"),
                "domain": f.get("domain"),
                "domain_title": domain_titles.get(f.get("domain") or "", ""),
                "title": f["title"],
                "recommendation": f["recommendation"],
                "act": f["act"],
                "act_label": owner_short(f["act"]),
                "effort": effort_label(f["effort"]),
                "references": list(f["references"]),
                "evidence": list(by_question.values()),
                "check": f["evidence"]["check"],
                "voice": _judged(judged.get(f.get("key") or f["id"]), f),
                # A respondent's own answers that contradict each other, among those the
                # finding rests on: said beside it, so it is checked before it is acted on.
                "contradictions": [
                    f"{c['respondent']}: {c['message']}"
                    for c in contradictions
                    if set(c["questions"]) & set(by_question)
                ],
            }
        )
    return findings


#: Up to this many findings, the disagreements and the roadmap follow the findings on
#: their page instead of starting one of their own.
FLOWING_FINDINGS = 3


def _perception(
    result: Mapping[str, Any],
    domain_titles: Mapping[str, str],
    several: bool,
    regulation_titles: Mapping[str, str],
    questionnaire: Questionnaire,
) -> dict[str, Any]:
    perception = {**result["perception"], "domains": disagreeing(result)}
    section_of = questionnaire.section_of
    briefed = [
        {
            **gap,
            "text": questionnaire.questions[gap["question"]].text,
            "responsibility": questionnaire.questions[gap["question"]].responsibility,
            "domain": section_of[gap["question"]].id,
        }
        for gap in briefing_gaps(result)
        if gap["question"] in questionnaire.questions
    ]
    settle_first = {f["question"] for f in result.get("unresolved_facts") or []}
    gaps_by_domain: dict[str | None, int] = {}
    for gap in perception["gaps"]:
        gaps_by_domain[gap.get("domain")] = gaps_by_domain.get(gap.get("domain"), 0) + 1
    gaps = [
        {
            "question": g["question"],
            "text": g["text"],
            "responsibility": g.get("responsibility"),
            "domain": g.get("domain"),
            "domain_title": domain_titles.get(g.get("domain") or "", ""),
            "answers": [
                {
                    "respondent": a["respondent"],
                    "role": ROLE_LABELS.get(a["role"], a["role"]),
                    "label": a["label"],
                }
                for a in g["answers"]
            ],
            "unknown_only": unknown_only(g),
        }
        for g in [*perception["gaps"], *briefed]
        if g["question"] not in settle_first  # listed above them, as facts to settle first
    ]
    names = [r["name"] for r in result["respondents"]]
    for gap in gaps:
        said = {a["respondent"]: a["label"] for a in gap["answers"]}
        gap["columns"] = [said.get(name, "–") for name in names]
    by_domain = [
        {
            "title": d["title"],
            "disagreement_pct": (
                None if d.get("disagreement") is None else round(100 * d["disagreement"])
            ),
            "gaps": [g for g in gaps if g["domain"] == d["id"] and not g["unknown_only"]],
        }
        for d in perception["domains"]
    ]
    known = {d["id"] for d in perception["domains"]}
    elsewhere = [g for g in gaps if g["domain"] not in known and not g["unknown_only"]]
    if elsewhere:
        by_domain.append({"title": "Other questions", "disagreement_pct": None, "gaps": elsewhere})
    briefing = [g for g in gaps if g["unknown_only"]]
    if briefing:
        by_domain.append(
            {
                "title": "\u201cDon't know\u201d where the others agree: for briefing, "
                "not a disagreement",
                "disagreement_pct": None,
                "gaps": briefing,
            }
        )
    return {
        "show": several,
        "by_domain": [d for d in by_domain if d["gaps"]],
        # Facts the respondents answer differently that decide a regulation or that a
        # finding rests on: listed first (results kept before method 2 have none).
        "unresolved": [
            {
                "text": fact["text"],
                "regulations": [regulation_titles.get(r, r) for r in fact.get("regulations", [])],
                "answers": [
                    {
                        "respondent": a["respondent"],
                        "role": ROLE_LABELS.get(a["role"], a["role"]),
                        "label": a["label"],
                    }
                    for a in fact["answers"]
                ],
            }
            for fact in result.get("unresolved_facts") or []
        ],
        "domains": [
            {
                "id": d["id"],
                "title": d["title"],
                "disagreement_pct": (
                    None if d.get("disagreement") is None else round(100 * d["disagreement"])
                ),
                "gaps": gaps_by_domain.get(d["id"], 0),
            }
            for d in perception["domains"]
        ],
        "gaps": gaps,
    }


ROADMAP_GROUPS = (
    ("quick_wins", "Quick wins", "Small changes worth making straight away."),
    ("next_90_days", "Next 90 days", "Critical and high-severity gaps to close this quarter."),
    (
        "next_12_months",
        "Next 12 months",
        "Structural and lower-priority work to plan for the year.",
    ),
)


def _roadmap(
    result: Mapping[str, Any], findings: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    by_id = {f["id"]: f for f in findings}
    groups = []
    for key, title, intro in ROADMAP_GROUPS:
        items = [
            {
                "ref": by_id[fid]["ref"],
                "title": by_id[fid]["title"],
                "act_label": by_id[fid]["act_label"],
                "effort": by_id[fid]["effort"],
                "severity": by_id[fid]["severity"],
                "severity_label": by_id[fid]["severity_label"],
            }
            for fid in result["roadmap"].get(key, [])
            if fid in by_id
        ]
        groups.append({"key": key, "title": title, "intro": intro, "items": items})
    return groups


def _appendix(result: Mapping[str, Any], inputs: ReportInputs) -> dict[str, Any]:
    """Every question shown to at least one respondent, with each answer and comment, as
    the engine's result labels them."""
    respondents = result["respondents"]
    hidden = [frozenset(r["hidden"]) for r in respondents]
    given = [{a["question"]: a for a in r["answers"]} for r in respondents]
    sections = []
    for section in inputs.questionnaire.sections:
        questions = []
        for question in section.questions:
            shown_to = [question.id not in h for h in hidden]
            if respondents and not any(shown_to):
                continue
            answers = []
            for respondent, answered, shown in zip(respondents, given, shown_to, strict=True):
                answer = answered.get(question.id)
                value = None if answer is None else answer["value"]
                if not shown:
                    label = "Not shown"
                elif value is None:
                    label = "Not answered"
                else:
                    label = answer["label"]
                answers.append(
                    {
                        "respondent": respondent["name"],
                        "role": ROLE_LABELS.get(respondent["role"], respondent["role"]),
                        "label": label,
                        "answered": shown and value is not None,
                        "comment": "" if answer is None else answer["comment"],
                    }
                )
            questions.append({"id": question.id, "text": question.text, "answers": answers})
        if questions:
            sections.append({"id": section.id, "title": section.title, "questions": questions})
    ignored = [
        {"respondent": i["respondent"], "question": i["question"], "reason": i["reason"]}
        for i in result.get("ignored", [])
    ]
    return {"sections": sections, "ignored": ignored}
