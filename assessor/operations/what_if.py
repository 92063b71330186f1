"""What-if: the assessment scored again with structural answers and targets changed in a
sandbox, side by side with today's result.

Nothing here is an answer.  A sandbox is an **overlay** given to the engine
(``score(overlay=...)``, the mechanism settled facts use too) and domain targets; the
respondents' answers are read, never written.  A sandbox can be kept under a name
(:class:`~assessor.models.WhatIfScenario`); a kept one marked for the report is printed in
the PDF as the annex "Target structure".

Findings are matched by :func:`~assessor.operations.finding_keys.finding_key`: a finding
of today's result that the sandbox does not raise *would close*; one the sandbox raises
that today's does not *would appear*.  Both sides are scored live with today's method,
so a change comes from the sandbox alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from assessor.database import begin_write
from assessor.engine import Result, score
from assessor.engine.method import METHOD_VERSION
from assessor.engine.questionnaire_index import DEFAULT_TARGET
from assessor.extensions import db
from assessor.models import Assessment, User, WhatIfScenario
from assessor.operations import audit
from assessor.operations.catalog import questionnaire_for
from assessor.operations.errors import InvalidInput
from assessor.operations.finding_keys import finding_key
from assessor.operations.overlay import overlay_of
from assessor.operations.scoring import counted_respondents, engine_respondent
from assessor.questionnaire import Questionnaire
from assessor.reports.labels import SEVERITY_LABELS, SEVERITY_RANK
from assessor.reports.summary import score_band

#: The longest name a kept scenario may have.
MAX_NAME = 120
LEVELS = range(5)


@dataclass(frozen=True)
class Lever:
    """A structural answer the sandbox may change: a question and the values offered."""

    question: str
    label: str
    #: (value, what it means) for each value the sandbox offers.
    choices: tuple[tuple[str, str], ...]


#: The structural changes a consultant simulates (issue 17): the CISO's reporting line,
#: two people in the CIO and CISO roles, a DPO, an independent line to the board, a
#: security lead assigned in writing.
LEVERS: tuple[Lever, ...] = (
    Lever(
        "ciso_reports_to",
        "The CISO reports to",
        (("ceo", "The CEO"), ("board", "The board or one of its committees")),
    ),
    Lever("dual_role", "The CIO and CISO roles", (("no", "Held by two people"),)),
    Lever(
        "dat_dpo_designated",
        "A Data Protection Officer",
        (("designated", "Is designated and notified to the authority"),),
    ),
    Lever(
        "security_board_line",
        "Security's line to the board",
        (("yes", "Security can escalate to the board independently"),),
    ),
    Lever(
        "security_assignment_written",
        "Security leadership",
        (("yes", "Is assigned to a named person in writing"),),
    ),
)


@dataclass(frozen=True)
class Sandbox:
    """What the sandbox changes: answers (question id to value) and domain targets."""

    overlay: Mapping[str, str]
    targets: Mapping[str, int]

    @property
    def empty(self) -> bool:
        return not self.overlay and not self.targets


@dataclass(frozen=True)
class Offer:
    """A lever as this assessment offers it, with the answers given today."""

    lever: Lever
    #: Today's answers to the question, as "Name (role): label".
    now: tuple[str, ...]


def _questionnaire(assessment: Assessment) -> Questionnaire:
    return questionnaire_for(
        assessment.questionnaire_id, assessment.questionnaire_version, assessment.questionnaire_hash
    )


def _score(
    assessment: Assessment, questionnaire: Questionnaire, sandbox: Sandbox | None = None
) -> Result:
    """The assessment scored live from its counted respondents' answers, with the facts
    the consultant settled and the findings marked not applicable, then the sandbox's
    overlay and targets (the assessment's targets where it sets none)."""
    stored = overlay_of(assessment.id)
    targets = dict(assessment.targets or {})
    overlay: dict[str, Any] = dict(stored.settled)
    if sandbox is not None:
        targets.update(sandbox.targets)
        overlay.update(sandbox.overlay)
    return score(
        questionnaire,
        [engine_respondent(r) for r in counted_respondents(assessment)],
        targets=targets or None,
        organization=assessment.organization.name,
        overlay=overlay or None,
        not_applicable=stored.not_applicable,
    )


def offers(assessment: Assessment, today: Result | None = None) -> list[Offer]:
    """The levers this assessment offers: those whose question its questionnaire has and a
    counted respondent was shown (whom the CISO reports to is not asked without a CISO)."""
    questionnaire = _questionnaire(assessment)
    result = today or _score(assessment, questionnaire)
    offered: list[Offer] = []
    for lever in LEVERS:
        if lever.question not in questionnaire.questions:
            continue
        shown = [r for r in result.respondents if lever.question not in r.hidden]
        if not shown:
            continue
        now = tuple(
            f"{r.name}: {a.label}"
            for r in shown
            for a in r.answers
            if a.question == lever.question and a.label
        )
        offered.append(Offer(lever, now))
    return offered


def scored_domains(assessment: Assessment) -> list[tuple[str, str, int]]:
    """(domain id, title, today's target) of each scored domain (a section holding model
    responsibilities)."""
    questionnaire = _questionnaire(assessment)
    domains = {r.domain for r in questionnaire.model}
    targets = assessment.targets or {}
    return [
        (s.id, s.title, int(targets.get(s.id, DEFAULT_TARGET)))
        for s in questionnaire.sections
        if s.id in domains
    ]


def check(
    assessment: Assessment, overlay: Mapping[str, str], targets: Mapping[str, Any]
) -> Sandbox:
    """The sandbox of the values chosen (empty choices left out).

    :raise InvalidInput: a lever the assessment does not offer or a value it does not
        offer, or a target that is not 0-4 for one of its domains (``field`` names the
        form field: ``lever_<question>`` or ``target_<domain>``).
    """
    offered = {o.lever.question: o.lever for o in offers(assessment)}
    chosen: dict[str, str] = {}
    for qid, value in overlay.items():
        if not value:
            continue
        lever = offered.get(qid)
        if lever is None:
            raise InvalidInput(
                "This change does not apply to this assessment.", field=f"lever_{qid}"
            )
        if value not in dict(lever.choices):
            raise InvalidInput("Choose one of the changes listed.", field=f"lever_{qid}")
        chosen[qid] = value
    domains = {d for d, _, _ in scored_domains(assessment)}
    goals: dict[str, int] = {}
    for domain, raw in targets.items():
        if raw in (None, ""):
            continue
        if domain not in domains:
            raise InvalidInput("Not a domain of this assessment.", field=f"target_{domain}")
        try:
            level = int(raw)
        except (TypeError, ValueError):
            level = -1
        if level not in LEVELS:
            raise InvalidInput("A target is a level from 0 to 4.", field=f"target_{domain}")
        goals[domain] = level
    return Sandbox(chosen, goals)


def _measure(before: Any, after: Any) -> dict[str, Any]:
    change = after - before if isinstance(before, int) and isinstance(after, int) else None
    return {"before": before, "after": after, "change": change}


def _headline(result: Result) -> dict[str, Any]:
    if result.provisional and result.range is not None:
        return {
            "score": result.overall,
            "text": f"{result.range.low}–{result.range.high} (provisional)",
            "band": None,
        }
    return {
        "score": result.overall,
        "text": str(result.overall),
        "band": score_band(result.overall)[0],
    }


def _finding(f: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "key": finding_key(f),
        "title": f["title"],
        "severity": f["severity"],
        "severity_label": SEVERITY_LABELS.get(f["severity"], f["severity"]),
    }


def _by_severity(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda f: (SEVERITY_RANK.get(f["severity"], 9), f["title"]))


def compare(before: Result, after: Result) -> dict[str, Any]:
    """Two results of the same answers side by side (plain values the page and the PDF
    print): each score's move, the findings that would close, appear or change severity."""
    old = {finding_key(f): f for f in before.to_dict()["findings"]}
    new = {finding_key(f): f for f in after.to_dict()["findings"]}
    changed = [
        {**_finding(new[k]), "before_label": SEVERITY_LABELS.get(old[k]["severity"])}
        for k in old.keys() & new.keys()
        if old[k]["severity"] != new[k]["severity"]
    ]
    domains = [
        {
            "id": b.id,
            "title": b.title,
            "score": _measure(b.score, a.score),
            "target": _measure(b.target, a.target),
            "clarity": _measure(b.clarity, a.clarity),
        }
        for b, a in zip(before.domains, after.domains, strict=True)
    ]
    return {
        "overall": {
            **_measure(before.overall, after.overall),
            "before_text": _headline(before)["text"],
            "after_text": _headline(after)["text"],
            "before_band": _headline(before)["band"],
            "after_band": _headline(after)["band"],
        },
        "practice": _measure(before.practice, after.practice),
        "clarity": _measure(before.clarity, after.clarity),
        "domains": domains,
        "close": _by_severity([_finding(old[k]) for k in old.keys() - new.keys()]),
        "appear": _by_severity([_finding(new[k]) for k in new.keys() - old.keys()]),
        "severity": _by_severity(changed),
        "unchanged": len(old.keys() & new.keys()) - len(changed),
        "method_version": METHOD_VERSION,
    }


def changes_text(assessment: Assessment, sandbox: Sandbox) -> list[str]:
    """The sandbox in words: "The CISO reports to: The board or one of its committees"."""
    levers = {lever.question: lever for lever in LEVERS}
    lines = [
        f"{levers[q].label}: {dict(levers[q].choices)[v]}"
        for q, v in sandbox.overlay.items()
        if q in levers
    ]
    titles = {d: t for d, t, _ in scored_domains(assessment)} if sandbox.targets else {}
    lines += [
        f"Target for {titles.get(d, d)}: level {level}" for d, level in sandbox.targets.items()
    ]
    return lines


def preview(assessment: Assessment, sandbox: Sandbox) -> dict[str, Any]:
    """Today's result and the sandbox's, compared; nothing is written."""
    questionnaire = _questionnaire(assessment)
    return compare(_score(assessment, questionnaire), _score(assessment, questionnaire, sandbox))


def run(
    assessment: Assessment, overlay: Mapping[str, str], targets: Mapping[str, Any]
) -> dict[str, Any]:
    """The sandbox of the values chosen, compared with today's result (:func:`check`,
    :func:`preview`); nothing is written.

    :raise InvalidInput: as :func:`check`, and when nothing is chosen (``field`` names the
        first change offered).
    """
    sandbox = check(assessment, overlay, targets)
    if sandbox.empty:
        first = next(iter(overlay), None) or next(iter(targets), "")
        prefix = "lever_" if first in overlay else "target_"
        raise InvalidInput("Choose at least one change to see its effect.", field=prefix + first)
    return preview(assessment, sandbox)


def keep(
    assessment: Assessment,
    by: User,
    overlay: Mapping[str, str],
    targets: Mapping[str, Any],
    *,
    name: str,
    in_report: bool,
) -> WhatIfScenario:
    """Check the values chosen and keep them under ``name`` (:func:`check`, :func:`save`)."""
    return save(
        assessment, by, name=name, sandbox=check(assessment, overlay, targets), in_report=in_report
    )


# --- kept scenarios ---------------------------------------------------------------------


def scenarios(assessment: Assessment) -> list[WhatIfScenario]:
    return list(
        db.session.scalars(
            select(WhatIfScenario)
            .where(WhatIfScenario.assessment_id == assessment.id)
            .order_by(WhatIfScenario.name, WhatIfScenario.id)
        )
    )


def scenario_of(assessment: Assessment, scenario_id: int) -> WhatIfScenario | None:
    """The kept scenario of this assessment with this id (None for another's)."""
    return db.session.scalars(
        select(WhatIfScenario).where(
            WhatIfScenario.id == scenario_id, WhatIfScenario.assessment_id == assessment.id
        )
    ).one_or_none()


def sandbox_of(scenario: WhatIfScenario) -> Sandbox:
    return Sandbox(dict(scenario.overlay or {}), dict(scenario.targets or {}))


def save(
    assessment: Assessment, by: User, *, name: str, sandbox: Sandbox, in_report: bool
) -> WhatIfScenario:
    """Keep the sandbox under ``name`` (replacing a scenario of that name); audited.

    :raise InvalidInput: no name, a name too long, or a sandbox that changes nothing.
    """
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("Give the scenario a name.", field="name")
    if len(name) > MAX_NAME:
        raise InvalidInput(f"A name has at most {MAX_NAME} characters.", field="name")
    if sandbox.empty:
        raise InvalidInput("Choose at least one change to keep.", field="name")
    begin_write()  # SQLite: take the write lock before reading what is changed
    kept = db.session.scalars(
        select(WhatIfScenario).where(
            WhatIfScenario.assessment_id == assessment.id, WhatIfScenario.name == name
        )
    ).one_or_none()
    created = kept is None
    if kept is None:
        kept = WhatIfScenario(assessment_id=assessment.id, name=name, created_by=by.email)
        db.session.add(kept)
    kept.overlay = dict(sandbox.overlay)
    kept.targets = dict(sandbox.targets)
    kept.in_report = in_report
    db.session.flush()
    audit.record(
        "what-if-saved" if created else "what-if-updated",
        workspace_id=assessment.organization.workspace_id,
        actor=by.email,
        user=by,
        target=f"what-if:{kept.id}",
        assessment=assessment.id,
        overlay=dict(sandbox.overlay),
        targets=dict(sandbox.targets),
        in_report=in_report,
    )
    db.session.commit()
    return kept


def delete(scenario: WhatIfScenario, by: User) -> None:
    """Remove a kept scenario; audited."""
    begin_write()  # SQLite: take the write lock before reading what is changed
    assessment = scenario.assessment
    audit.record(
        "what-if-deleted",
        workspace_id=assessment.organization.workspace_id,
        actor=by.email,
        user=by,
        target=f"what-if:{scenario.id}",
        assessment=assessment.id,
        name=scenario.name,
    )
    db.session.delete(scenario)
    db.session.commit()


def for_report(assessment: Assessment) -> tuple[dict[str, Any], ...]:
    """The kept scenarios marked for the report, each compared with today's result (the
    annex "Target structure"); empty when none is marked."""
    marked = [s for s in scenarios(assessment) if s.in_report]
    if not marked:
        return ()
    questionnaire = _questionnaire(assessment)
    today = _score(assessment, questionnaire)
    shown = []
    for kept in marked:
        sandbox = sandbox_of(kept)
        shown.append(
            {
                "name": kept.name,
                "changes": changes_text(assessment, sandbox),
                "comparison": compare(today, _score(assessment, questionnaire, sandbox)),
            }
        )
    return tuple(shown)
