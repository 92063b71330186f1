"""One finding per root cause, in priority order.

The checks (ownership, immaturity, rules, perception gaps) each find a gap; here the gaps
about one root cause merge into one finding that carries all their evidence:

* a rule about a structure rule of the model (``topic``: ``dual-role``, ``no-ciso``,
  ``reporting-line``, ``size``) is keyed ``<topic>:structure``, and the findings about its
  responsibility (GOV-1 for a dual role ...) merge into it;
* every other finding merges with the others about its responsibility, keyed
  ``<responsibility>:<family>`` (``practice`` for immaturity and regulation, ``ownership``,
  ``structure``, ``perception``), the family of the most severe part;
* where two or more practices of one domain are only immature at medium or below and
  the same role acts on them, they are one finding, ``<domain>:practice`` (one bundle in
  the domain) or ``<domain>:<role>:practice``; low ones across the domains likewise, per
  role, filed under no domain (``below-target``): :mod:`.practice_bundles`.

Before merging, each part is judged for this organisation: a regulation's finding only
where it applies (one that applies on some respondents' accounts only stays at medium and
says so, as does any finding that holds only on one side of a disputed fact); references
of regulations that do not apply are left out; responsibilities the structure makes moot
(a CISO's reporting line where there is no CISO) raise nothing; a low-exposure
organisation's critical reads high; fraud is low outside finance and retail; breach
readiness is high at most where no regulated data is held.

Priority is severity, then weight (heaviest first), then exposure (highest first), then
security, data and oversight work before IT work alone, then questionnaire order: never
the id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from assessor.engine import wording
from assessor.engine.facts import LOW_EXPOSURE, Facts
from assessor.engine.organisation_model import ALWAYS
from assessor.engine.practice_bundles import roll_up
from assessor.engine.questionnaire_index import Index, QuestionInfo
from assessor.engine.result import AnswerEvidence, Evidence, Finding, FindingPart
from assessor.engine.wording import SEVERITY_RANK, settle_first
from assessor.questionnaire.references import parse_reference
from assessor.questionnaire.schema import MATURITY_NAMES

#: Responsibilities a structure rule makes moot (their questions are hidden in v2's
#: next edition): no CISO has no reporting line and no joint CIO-CISO plan; one person
#: in both roles plans with nobody.
MOOT = {"no_ciso": frozenset({"GOV-2", "GOV-3"}), "dual_role": frozenset({"GOV-3"})}
#: Fraud prevention is a high stake in these sectors only (the model's DAT-5 note).
FRAUD = "DAT-5"
FRAUD_SECTORS = frozenset({"finance", "retail"})
#: Breach readiness is critical only where regulated data (and its notification duties)
#: is held; without it, high at most.
BREACH = "DAT-7"
REGULATED_DATA = "regulated_data"
NO_DATA = frozenset({"none"})
#: Which kind writes a merged finding when severities tie: the most informative, so who
#: holds it (misplaced, disputed) before the level it is at.
KIND_ORDER = {
    kind: n
    for n, kind in enumerate(
        ("structural", "regulatory", "orphaned", "misplaced", "ambiguous", "immature", "perception")
    )
}
FAMILY = {
    "structural": "structure",
    "regulatory": "practice",
    "immature": "practice",
    "orphaned": "ownership",
    "misplaced": "ownership",
    "ambiguous": "ownership",
    "perception": "perception",
}
#: A root cause's family, whichever part leads: a practice gap (immaturity or a
#: regulation) over a structural one, over ownership, over a disagreement alone; so a key
#: stays the same while one of its parts is fixed.
FAMILIES = ("practice", "structure", "ownership", "perception")
FAMILY_RANK = {kind: FAMILIES.index(family) for kind, family in FAMILY.items()}
#: Responsibilities whose findings merge into a structure rule's finding when it is raised,
#: besides the responsibility its rule names: whether the roles exist and are distinct
#: (GOV-1) and who holds security in writing (SEC-2) are the no-CISO and dual-role
#: questions themselves; the CISO's reporting line (GOV-2) is the reporting-line one.
#: ``<family>:<responsibility>`` takes in only that family's findings: where one person
#: holds both roles, the independent review (SEC-9) and who accepts risk (SEC-8's owner)
#: are the dual role's root cause, while SEC-8's practice stays a finding of its own.
TOPIC_HOMES = {
    "no-ciso": ("SEC-2", "GOV-1"),
    "dual-role": ("GOV-1", "SEC-9", "ownership:SEC-8"),
    "reporting-line": ("GOV-2",),
}
#: The accountable role whose responsibilities are IT work alone.
IT = "CIO"

CAP_UNSETTLED = "medium"
PERCEPTION_ACT = "EXEC"
HIGH = SEVERITY_RANK["high"]
OWNER = wording.OWNER


def judged(
    index: Index,
    findings: Iterable[Finding],
    facts: Facts,
    dependent: dict[str, tuple[str, ...]],
    stand_in: dict[str, str],
) -> list[Finding]:
    """Each finding judged for this organisation (module docstring), before merging.

    ``dependent`` maps a rule finding's id to the disputed facts it holds only on one side
    of; ``stand_in`` the role who acts for one the organisation does not have (the
    security lead for the CISO, the CTO for the CIO).
    """
    statics = _statics(index)
    moot: frozenset[str] = frozenset().union(*(MOOT.get(s, frozenset()) for s in facts.held))
    sector = facts.values.get("sector")
    fraud_low = bool(sector) and sector not in FRAUD_SECTORS
    data = facts.values.get(REGULATED_DATA)
    no_data = isinstance(data, tuple) and bool(data) and not set(data) - NO_DATA
    kinds = facts.reference_kinds
    edition_two = bool(statics.claims)
    regulated = frozenset(
        kind for g in facts.regulations for kind in statics.regulated_kinds.get(g, ())
    )
    modest = facts.modest
    out: list[Finding] = []
    for finding in findings:
        rid = finding.responsibility
        if rid in moot:
            continue
        kind = finding.kind
        depends = dependent.get(finding.id, ())
        regulation = statics.regulation_of.get(finding.id)
        if regulation is not None and edition_two:
            if regulation in facts.unsettled:
                depends = depends or tuple(
                    u.question for u in facts.unresolved if regulation in u.regulations
                )
            elif regulation not in facts.regulations:
                continue
        severity = finding.severity
        if fraud_low and rid == FRAUD:
            severity = "low"
        elif no_data and rid == BREACH and severity == "critical":
            severity = "high"
        if modest and finding.evidence.check == "generic:immature":
            severity = wording.SEVERITIES[min(SEVERITY_RANK[severity] + 1, len(SEVERITY_RANK) - 1)]
        elif severity == "critical" and facts.exposure <= LOW_EXPOSURE:
            severity = "high"
        if depends and SEVERITY_RANK[severity] < SEVERITY_RANK[CAP_UNSETTLED]:
            severity = CAP_UNSETTLED
        references = finding.references
        if edition_two:
            allowed = (
                kinds | statics.claims.get(regulation or "", frozenset()) if depends else kinds
            )
            references = _shown_references(statics, references, allowed)
            if kind == "immature" and regulated and SEVERITY_RANK[severity] <= HIGH:
                if any(_kind(r) in regulated for r in references):
                    kind = "regulatory"
        # A disagreement is settled by the executive, never by one of the parties to it.
        act = PERCEPTION_ACT if kind == "perception" else stand_in.get(finding.act, finding.act)
        if (
            severity is not finding.severity
            or kind is not finding.kind
            or act is not finding.act
            or references is not finding.references
            or depends
        ):
            finding = Finding(
                finding.id,
                kind,
                severity,
                rid,
                finding.domain,
                finding.title,
                finding.recommendation,
                act,
                finding.effort,
                references,
                finding.weight,
                finding.evidence,
                finding.key,
                finding.parts,
                finding.exposure,
                depends,
            )
        out.append(finding)
    return out


@dataclass(frozen=True, slots=True)
class _Statics:
    """What judging needs of a questionnaire, computed once."""

    regulation_of: dict[str, str | None]
    #: Reference kinds per regulation or framework; those some regulation claims.
    claims: dict[str, frozenset[str]]
    claimed: frozenset[str]
    #: Reference kinds per regulation (not the frameworks, which always apply).
    regulated_kinds: dict[str, frozenset[str]]
    #: The references shown, by a finding's references and the kinds allowed to show.
    shown: dict[tuple[tuple[str, ...], frozenset[str]], tuple[str, ...]]
    #: The responsibilities that are IT work alone (the CIO accountable): among findings
    #: otherwise equal, they list after security, data and oversight work.
    it_work: frozenset[str] = frozenset()


@lru_cache(maxsize=32)
def _statics(index: Index) -> _Statics:
    regulations = index.organisation.regulations
    return _Statics(
        regulation_of={f"rule:{rule.id}": rule.regulation for rule in index.rules},
        claims={g.id: g.reference_kinds for g in regulations},
        claimed=index.organisation.claimed_kinds,
        regulated_kinds={g.id: g.reference_kinds for g in regulations if g.when is not ALWAYS},
        shown={},
        it_work=frozenset(
            row.responsibility.id for row in index.raci if row.responsibility.accountable == IT
        ),
    )


#: A bound on the references remembered per questionnaire (a few hundred in practice).
_SHOWN_KEPT = 4096


def _shown_references(
    statics: _Statics, references: tuple[str, ...], allowed: frozenset[str]
) -> tuple[str, ...]:
    """The references a finding shows where only the ``allowed`` kinds of the claimed ones
    apply (the same tuple when none is left out), remembered per questionnaire."""
    key = (references, allowed)
    shown = statics.shown.get(key)
    if shown is None:
        claimed = statics.claimed
        shown = tuple(r for r in references if _kind(r) in allowed or _kind(r) not in claimed)
        if len(statics.shown) >= _SHOWN_KEPT:
            statics.shown.clear()
        statics.shown[key] = shown
    # None left out: the finding's own tuple, so judging sees nothing changed.
    return references if len(shown) == len(references) else shown


@lru_cache(maxsize=4096)
def _kind(reference: str) -> str:
    try:
        return parse_reference(reference).kind
    except ValueError:
        return "text"


def merge(index: Index, findings: Sequence[Finding], facts: Facts) -> list[Finding]:
    """One finding per root cause, in priority order (module docstring)."""
    topics = {f"rule:{rule.id}": rule for rule in index.rules if rule.topic}
    home: dict[str, str] = {}
    for finding in findings:
        rule = topics.get(finding.id)
        if rule is None or rule.topic is None:
            continue
        read = [index.questions[q] for q in rule.condition.questions if q in index.questions]
        homes = (finding.responsibility, *TOPIC_HOMES.get(rule.topic, ()))
        homes += tuple(i.question.responsibility or i.id for i in read)
        for rid in homes:
            if rid:
                home.setdefault(rid, rule.topic)
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        rule = topics.get(finding.id)
        topic = rule.topic if rule is not None else None
        subject = finding.responsibility or _question(finding) or finding.id
        topic = topic or home.get(f"{FAMILY.get(finding.kind)}:{subject}") or home.get(subject)
        group = f"{topic}:structure" if topic else subject
        groups.setdefault(group, []).append(finding)
    position = index.responsibility_position or {}
    statics = _statics(index)
    regulation_of = statics.regulation_of
    disputed = frozenset(
        kind for g in facts.unsettled for kind in statics.claims.get(g, frozenset())
    ).difference(facts.reference_kinds)
    merged = [
        _merged(group, parts, facts.exposure, regulation_of, index.questions, disputed)
        for group, parts in groups.items()
    ]
    merged = roll_up(index, merged, _part_order)
    it_work = statics.it_work
    return sorted(merged, key=lambda f: priority(f, position, it_work))


def _question(finding: Finding) -> str | None:
    """The question a finding about no responsibility is about (a perception gap's)."""
    answers = finding.evidence.answers
    return answers[0].question if answers and finding.kind == "perception" else None


def _part_order(finding: Finding) -> tuple[int, int, bool, float]:
    """Which part writes a merged finding: the most severe, then by kind, then a rule's
    (it names the specific gap) before a generic check's, then the heaviest."""
    return (
        SEVERITY_RANK[finding.severity],
        KIND_ORDER.get(finding.kind, 9),
        not finding.id.startswith("rule:"),
        -finding.weight,
    )


def _owners_apart(
    lead: Finding,
    parts: Sequence[Finding],
    questions: Mapping[str, QuestionInfo],
    evidence: Evidence,
) -> str:
    """For an immature practice whose owner the respondents dispute (its "no agreed owner"
    part merged into it), who names whom (from the merged ``evidence``): the action's role
    is the model's, which one of them disputes, so the owner is agreed first."""
    if not lead.id.startswith("immature:") or not any(
        p.id == f"ambiguous:{lead.responsibility}" for p in parts
    ):
        return ""
    named = [
        a
        for a in evidence.answers
        if a.question in questions
        and questions[a.question].kind == "owner"
        and questions[a.question].question.responsibility == lead.responsibility
    ]
    if len({a.value for a in named}) < 2:
        return ""
    said = [
        f"{a.respondent} names {wording.ROLE_PHRASES.get(a.value, a.label)} as its owner"
        if n == 0
        else f"{a.respondent} {wording.ROLE_PHRASES.get(a.value, a.label)}"
        for n, a in enumerate(named)
    ]
    return f" {', '.join(said)}: agree one owner first."


def _levels_apart(lead: Finding, parts: Sequence[Finding]) -> str:
    """For an immature practice the respondents put two or more levels apart (its
    perception gap merged into it), the levels each gave, to be checked: the title states
    the combined level, which one of them disputes."""
    answers = lead.evidence.answers
    if not lead.id.startswith("immature:") or not answers:
        return ""
    question = answers[0].question
    if not any(p.id == f"perception:{question}" for p in parts):
        return ""
    given = [
        f"{a.respondent}{' puts it' if n == 0 else ''} at level {a.value} ({MATURITY_NAMES[a.value]})"
        for n, a in enumerate(a for a in answers if a.question == question)
        if isinstance(a.value, int) and 0 <= a.value < len(MATURITY_NAMES)
    ]
    if len(given) < 2:
        return ""
    return f" {', '.join(given)}: check which holds."


def _merged(
    group: str,
    parts: list[Finding],
    exposure: int,
    regulation_of: dict[str, str | None],
    questions: Mapping[str, QuestionInfo],
    disputed: frozenset[str] = frozenset(),
) -> Finding:
    """The parts of one root cause as one finding, written by its lead (the first in
    :func:`_part_order`).  Its references are those of the parts that drive it: the lead
    and the other parts at its severity (only rules, when a rule leads: a generic part
    cites its responsibility's whole list); above medium, none of a regulation whose
    applicability is disputed (``disputed``: its reference kinds).  One that holds on one
    side of disputed answers (among ``questions``) ends by naming them, to be settled
    first."""
    if len(parts) > 1:
        parts.sort(key=_part_order)
    lead = parts[0]
    references = lead.references
    weight = lead.weight
    family = FAMILY_RANK.get(lead.kind, 0)
    regulated = dependent = False
    for p in parts:
        family = min(family, FAMILY_RANK.get(p.kind, 0))
        regulated = regulated or p.kind == "regulatory" or bool(regulation_of.get(p.id))
        dependent = dependent or bool(p.depends_on)
        weight = max(weight, p.weight)
    key = group if group.endswith(":structure") else f"{group}:{FAMILIES[family]}"
    recommendation = lead.recommendation
    if OWNER in recommendation:
        recommendation = recommendation.replace(OWNER, _owner(lead))
    evidence = lead.evidence
    depends = lead.depends_on
    if len(parts) > 1:
        answers: dict[tuple[str, str], AnswerEvidence] = {}
        for part in parts:
            for answer in part.evidence.answers:
                answers.setdefault((answer.question, answer.respondent), answer)
        rule_led = lead.id.startswith("rule:")
        driving = [
            p
            for p in parts[1:]
            if p.severity == lead.severity and (not rule_led or p.id.startswith("rule:"))
        ]
        if any(part.references != references for part in driving):
            references = tuple(dict.fromkeys(r for p in (lead, *driving) for r in p.references))
        evidence = Evidence(evidence.check, tuple(answers.values()))
        if dependent:
            depends = tuple(
                dict.fromkeys(q for p in parts if p.severity == lead.severity for q in p.depends_on)
            )
    recommendation += _owners_apart(lead, parts, questions, evidence)
    recommendation += _levels_apart(lead, parts)
    if depends:
        recommendation += settle_first([questions[q].question for q in depends])
    if disputed and SEVERITY_RANK[lead.severity] < SEVERITY_RANK[CAP_UNSETTLED]:
        kept = tuple(r for r in references if _kind(r) not in disputed)
        references = kept if len(kept) < len(references) else references
    return Finding(
        lead.id,
        lead.kind,
        lead.severity,
        lead.responsibility,
        lead.domain,
        lead.title,
        recommendation,
        lead.act,
        lead.effort,
        references,
        weight,
        evidence,
        key,
        tuple([_part(p) for p in parts]),
        exposure + regulated,
        depends,
    )


_parts: dict[tuple[str, str, str, str, str | None, str], FindingPart] = {}
_PARTS_KEPT = 20_000


def _part(finding: Finding) -> FindingPart:
    """The part a finding makes, shared between scorings (most are written in advance)."""
    # Keyed by every field of the part, so a cached part is exactly the one this finding
    # makes, whichever questionnaire was scored first.
    key = (
        finding.id,
        finding.evidence.check,
        finding.kind,
        finding.severity,
        finding.responsibility,
        finding.title,
    )
    part = _parts.get(key)
    if part is None:
        if len(_parts) >= _PARTS_KEPT:
            _parts.clear()
        part = FindingPart(*key)
        _parts[key] = part
    return part


def _owner(finding: Finding) -> str:
    return wording.capital(wording.ROLE_PHRASES.get(finding.act, finding.act))


def priority(
    finding: Finding, position: Mapping[str, int], it_work: frozenset[str] = frozenset()
) -> tuple[int, float, int, bool, int]:
    """The order findings are listed in: severity, weight (heaviest first), exposure
    (highest first; a regulation at stake adds to it), security before IT work alone
    (``it_work``: a finding all of whose responsibilities are the CIO's), then the
    questionnaire order of their responsibility (``position``; a bundle's first member's);
    never the id."""
    last = len(position) + 1
    rid = finding.responsibility
    if rid is not None:
        where = position.get(rid, last)
        it_only = rid in it_work
    else:
        members = {p.responsibility for p in finding.parts}
        where = min((position.get(r or "", last) for r in members), default=last)
        it_only = bool(members) and all(r in it_work for r in members)
    return (SEVERITY_RANK[finding.severity], -finding.weight, -finding.exposure, it_only, where)
