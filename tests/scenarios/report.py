"""Score each scenario organisation with the current engine and print, per organisation,
which of the consultant's expectations are met and which are violated; then the ranking.

    .venv/bin/python -m tests.scenarios.report

The expectations are a consultant's, written before the scoring method (issue #14 B) and
the findings rework (D) (docs/scenarios.md); ``tests/test_scenario_findings.py`` asserts
the findings' part of them.  A finding is read by its key and its parts: it is about the
structure rule its key names (``dual-role:structure``), the responsibilities of its parts,
and the regulations its rules or references cite; its kinds are its parts' kinds; its
severity is its own.  A regulation applies when the result lists it; an unknown fact is
met when the result lists the disputed question among its unresolved facts (with the
regulation that hangs on it).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from assessor.engine import Result, score
from assessor.reports.summary import score_band
from tests.scenarios import (
    PROVISIONAL,
    FalseAlarm,
    Required,
    Scenario,
    load_ranking,
    load_scenarios,
    parse,
)
from tests.scenarios.model_ids import REGULATIONS, SEVERITIES, STRUCTURE_RULES

RANK = {severity: n for n, severity in enumerate(SEVERITIES)}
#: How a rule id or reference names a regulation.
RULE_PREFIXES = {"gdpr_": "GDPR", "hipaa_": "HIPAA", "card_data_": "PCI-DSS", "nis2_": "NIS2"}
REFERENCE_PREFIXES = {
    "GDPR": "GDPR",
    "UK GDPR": "UK-GDPR",
    "HIPAA": "HIPAA",
    "PCI": "PCI-DSS",
    "NIS2": "NIS2",
    "DORA": "DORA",
    "SEC ": "SEC",
    "Form 8-K": "SEC",
    "Regulation S-K": "SEC",
}


@dataclass(frozen=True)
class Seen:
    """One finding, in the model's terms."""

    key: str
    kinds: frozenset[str]
    severity: str
    subjects: frozenset[str]
    regulations: frozenset[str]
    text: str
    #: How severe the finding is about each regulation: its parts raised by that
    #: regulation's rules, or the finding's own severity where only references cite it.
    regulation_severity: tuple[tuple[str, str], ...] = ()

    def label(self) -> str:
        return f"{self.key} ({self.severity})"

    def severity_about(self, subject: str) -> str:
        return dict(self.regulation_severity).get(subject, self.severity)


def regulation_name(regulation: str) -> str:
    """A questionnaire's regulation id as the scenarios name it (``PCI_DSS``: ``PCI-DSS``)."""
    return regulation.replace("_", "-")


def seen(result: Result) -> list[Seen]:
    """The result's findings in the model's terms."""
    found = []
    for finding in result.findings:
        parts = finding.parts or ()
        by_rule: dict[str, str] = {}
        for part in parts:
            for prefix, reg in RULE_PREFIXES.items():
                if part.check.removeprefix("rule:").startswith(prefix):
                    worst = by_rule.get(reg, part.severity)
                    by_rule[reg] = max(worst, part.severity, key=lambda s: RANK[s])
        regulations = set(by_rule)
        for reference in finding.references:
            for prefix, regulation in REFERENCE_PREFIXES.items():
                if reference.startswith(prefix):
                    regulations.add(regulation)
        subjects = {r for r in (finding.responsibility, *(p.responsibility for p in parts)) if r}
        topic, _, family = finding.key.rpartition(":")
        if family == "structure" and topic in STRUCTURE_RULES:
            subjects.add(topic)
        text = " ".join((finding.title, finding.recommendation, finding.act))
        found.append(
            Seen(
                finding.key,
                frozenset({finding.kind, *(p.kind for p in parts)}),
                finding.severity,
                frozenset(subjects | regulations),
                frozenset(regulations),
                text,
                tuple(sorted(by_rule.items())),
            )
        )
    return found


def _about(subject: str) -> set[str]:
    return {subject}


def check_required(required: Required, findings: Sequence[Seen], result: Result) -> str:
    """'met: ...' or 'VIOLATED: ...' for one finding that must be there."""
    if required.kind == "unknown-fact":
        facts = [u for u in result.unresolved_facts if u.question == required.question]
        if not facts:
            return f"VIOLATED: the dispute on '{required.question}' is not an unresolved fact"
        hanging = {regulation_name(r) for r in facts[0].regulations}
        if required.about in REGULATIONS and required.about not in hanging:
            return (
                f"VIOLATED: '{required.question}' is unresolved, but {required.about} not with it"
            )
        return f"met: '{required.question}' is an unresolved fact"
    subjects = _about(required.about)
    about = [f for f in findings if f.subjects & subjects]
    if required.regulation:
        about = [f for f in about if required.regulation in f.regulations]
    of_kind = [f for f in about if required.kind in f.kinds]
    strong = [f for f in of_kind if RANK[f.severity] >= RANK[required.min_severity]]
    if strong:
        return "met: " + ", ".join(f.label() for f in strong[:3])
    if of_kind:
        return "VIOLATED: too low: " + ", ".join(f.label() for f in of_kind[:3])
    if about:
        return "VIOLATED: only as " + ", ".join(f.label() for f in about[:3])
    return "VIOLATED: nothing about it"


def check_false_alarm(alarm: FalseAlarm, findings: Sequence[Seen]) -> list[Seen]:
    """The findings that raise this false alarm (none when the expectation holds)."""
    if alarm.phrase is not None:
        pattern = re.compile(alarm.phrase, re.IGNORECASE)
        return [f for f in findings if pattern.search(f.text)]
    raised = []
    for finding in findings:
        if alarm.about is not None and not finding.subjects & _about(alarm.about):
            continue
        if alarm.kind != "any" and alarm.kind not in finding.kinds:
            continue
        if alarm.regulation is not None and alarm.regulation not in finding.regulations:
            continue
        severity = finding.severity_about(alarm.about) if alarm.about else finding.severity
        if alarm.above is not None and RANK[severity] <= RANK[alarm.above]:
            continue
        raised.append(finding)
    return raised


@dataclass(frozen=True)
class Outcome:
    scenario: Scenario
    result: Result
    lines: tuple[str, ...]
    met: int
    violated: int


def _mark(ok: bool) -> str:
    return "met     " if ok else "VIOLATED"


def assess(scenario: Scenario) -> Outcome:
    """Score one scenario and compare the result with its expectations."""
    document = parse(scenario)
    result = score(
        document.questionnaire,
        document.respondents,
        document.targets,
        organization=scenario.profile.name,
    )
    findings = seen(result)
    expect = scenario.expect
    band = PROVISIONAL if result.provisional else score_band(result.overall)[0]
    lines: list[str] = []
    oks: list[bool] = []

    def add(ok: bool, text: str) -> None:
        oks.append(ok)
        lines.append(f"  {_mark(ok)} {text}")

    add(
        band == expect.band,
        f"band: expected {expect.band}; engine {result.overall}/100 {band}"
        f" at {result.completeness}% answered",
    )
    for required in expect.findings_required:
        verdict = check_required(required, findings, result)
        where = f" [{required.regulation}]" if required.regulation else ""
        add(
            verdict.startswith("met"),
            f"required {required.about}{where} {required.kind} >= {required.min_severity}: "
            + verdict.split(": ", 1)[1],
        )
    for alarm in expect.false_alarms:
        raised = check_false_alarm(alarm, findings)
        if alarm.phrase is not None:
            what = f"no finding says '{alarm.phrase}'"
        else:
            what = f"no {alarm.kind} finding about {alarm.about}"
            what += f" above {alarm.above}" if alarm.above else ""
        shown = ", ".join(f.label() for f in raised[:4]) + (" ..." if len(raised) > 4 else "")
        add(not raised, what + (f": {len(raised)} raised: {shown}" if raised else ""))
    applies = {regulation_name(r) for r in result.regulations}
    hanging = {regulation_name(r) for u in result.unresolved_facts for r in u.regulations}
    for regulation in expect.regulations_apply:
        add(regulation in applies, f"applies: {regulation} " + _listed(regulation in applies))
    for regulation in expect.regulations_not:
        wrong = regulation in applies or regulation in hanging
        add(not wrong, f"does not apply: {regulation} " + _listed(wrong))
    for regulation in expect.regulations_unsettled:
        add(
            regulation in hanging and regulation not in applies,
            f"unsettled: {regulation} "
            + ("(hangs on a fact)" if regulation in hanging else "(not)"),
        )
    add(
        len(result.findings) <= expect.max_findings,
        f"at most {expect.max_findings} findings: {len(result.findings)}",
    )
    return Outcome(scenario, result, tuple(lines), oks.count(True), oks.count(False))


def _listed(listed: bool) -> str:
    return "(listed)" if listed else "(not listed)"


def ranking_lines(outcomes: Iterable[Outcome]) -> list[str]:
    """The expert's ranking beside the engine's scores, and the pairs in the wrong order."""
    by_slug = {o.scenario.slug: o for o in outcomes}
    ranking = load_ranking()
    lines = ["Ranking (expert, best first) and today's score:"]
    order = [item.scenario for item in ranking.ranking]
    for n, slug in enumerate(order, start=1):
        outcome = by_slug[slug]
        lines.append(f"  {n}. {slug:28} {outcome.result.overall:3}  {outcome.scenario.expect.band}")
    for item in ranking.unranked:
        outcome = by_slug[item.scenario]
        lines.append(f"  -  {item.scenario:28} {outcome.result.overall:3}  ({PROVISIONAL})")
    inverted = [
        (better, worse)
        for i, better in enumerate(order)
        for worse in order[i + 1 :]
        if by_slug[better].result.overall < by_slug[worse].result.overall
    ]
    pairs = len(order) * (len(order) - 1) // 2
    lines.append(f"  pairs in the expert's order: {pairs - len(inverted)} of {pairs}")
    lines.extend(f"  VIOLATED {b} ranks above {w} but scores lower" for b, w in inverted)
    return lines


def main(argv: Sequence[str] = ()) -> int:
    outcomes = [assess(scenario) for scenario in load_scenarios()]
    out: list[str] = []
    for o in outcomes:
        out.append(f"== {o.scenario.slug}: {o.scenario.profile.name}")
        out.append(f"  {o.met} met, {o.violated} violated; {len(o.result.findings)} findings")
        out.extend(o.lines)
        out.append("")
    out.extend(ranking_lines(outcomes))
    out.append("")
    met = sum(o.met for o in outcomes)
    violated = sum(o.violated for o in outcomes)
    out.append(f"Total: {met} expectations met, {violated} violated")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
