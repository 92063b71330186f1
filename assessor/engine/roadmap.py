"""The roadmap: a result's findings grouped into at most twelve initiatives.

The initiatives come from the questionnaire's catalogue (``initiatives``: each owns some
of the model's responsibilities, has an owner role and depends on other initiatives); a
finding goes to the initiative that holds its responsibility, else to the one that holds
a responsibility of its domain.  A questionnaire without a catalogue gets one initiative
per domain, named for its most important finding and owned by the role most of its
findings name.

The owner is resolved as the findings' ``act`` is: a role the organisation does not have
is replaced by its stand-in (``stand_in``, from :func:`assessor.engine.ownership.stand_ins`:
the named security lead or the executive who must name one for the CISO, the CTO for the
CIO), and where one person holds both roles (the structure rule ``dual_role`` among the
``held`` ones) an initiative of the CIO or the CISO is owned by that person
(:data:`DUAL_OWNER`).  An initiative's outcome takes the catalogue's other wording for the
first of the organisation's structure rules that has one (no CISO, one person in both
roles).

Each initiative's horizon is the soonest of its findings':

* **30 days**: a critical finding, or a high one that is a quick win (a decision, not a
  project);
* **90 days**: a high finding, or a medium quick win;
* **12 months**: the rest;

the initiative holding the most important finding (the result's first) starts within 30
days whatever its effort when that finding is high or critical (a medium one waits its
turn: "urgent" is kept for what is); and an initiative another depends on is never due later than the one that depends on
it (its horizon is brought forward).  Dependencies on initiatives without findings pass
through to theirs (A needs B, B has nothing to do and needs C: A needs C).  The plan is
ordered by horizon, then by its most important finding, each initiative after those it
depends on.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import NamedTuple

from assessor.engine.ownership import DUAL_OWNER, DUAL_ROLE
from assessor.engine.prepared_findings import QUICK_WIN
from assessor.engine.result import Finding, Plan, PlannedInitiative
from assessor.questionnaire.initiative_schema import MAX_INITIATIVES
from assessor.questionnaire.schema import Questionnaire

#: The horizons, soonest first.
HORIZONS: tuple[str, ...] = ("30 days", "90 days", "12 months")
#: The role that owns the catch-all initiative.
DEFAULT_OWNER = "EXEC"
#: The severities whose most important finding starts its initiative within 30 days.
URGENT = frozenset({"critical", "high"})
#: Codes that cannot own an initiative.
NO_OWNER = frozenset({"NONE", "SHARED"})
OTHER_ID = "other"


class _Entry(NamedTuple):
    id: str
    title: str
    outcome: str
    owner: str
    depends_on: tuple[str, ...]


def finding_horizon(finding: Finding) -> int:
    """The index in :data:`HORIZONS` of when ``finding`` should be acted on."""
    quick = finding.effort == QUICK_WIN
    if finding.severity == "critical" or (finding.severity == "high" and quick):
        return 0
    if finding.severity == "high" or (finding.severity == "medium" and quick):
        return 1
    return 2


def plan(
    questionnaire: Questionnaire,
    findings: Sequence[Finding],
    stand_in: Mapping[str, str] | None = None,
    held: Collection[str] = (),
) -> Plan:
    """The roadmap of ``findings`` (in priority order) by ``questionnaire``'s catalogue,
    for an organisation whose missing roles have ``stand_in``s and where the structure
    rules ``held`` hold (module docstring)."""
    entries, home = _catalogue(questionnaire, findings, held)
    members: dict[str, list[int]] = {}
    for rank, finding in enumerate(findings):
        members.setdefault(home(finding), []).append(rank)
    if len(members) > MAX_INITIATIVES:
        members = _fold(members, entries)
    horizon = {
        key: min(finding_horizon(findings[rank]) for rank in ranks)
        for key, ranks in members.items()
    }
    # The most important finding's initiative starts now, whatever its effort, if it is
    # high or critical.
    for key, ranks in members.items():
        if ranks[0] == 0 and findings[0].severity in URGENT:
            horizon[key] = 0
    needs = {key: _needs(key, entries, members) for key in members}
    # Bring prerequisites forward until no initiative is due after one that needs it.
    changed = True
    while changed:
        changed = False
        for key, prerequisites in needs.items():
            for other in prerequisites:
                if horizon[other] > horizon[key]:
                    horizon[other] = horizon[key]
                    changed = True
    order = _ordered(sorted(members, key=lambda k: (horizon[k], members[k][0])), needs)
    return Plan(
        tuple(
            PlannedInitiative(
                id=key,
                title=entries[key].title,
                outcome=entries[key].outcome,
                owner=owner(entries[key].owner, stand_in or {}, held),
                horizon=HORIZONS[horizon[key]],
                findings=tuple(findings[rank].id for rank in members[key]),
                depends_on=tuple(sorted(needs[key], key=order.index)),
            )
            for key in order
        )
    )


def owner(role: str, stand_in: Mapping[str, str], held: Collection[str]) -> str:
    """Who owns an initiative of ``role`` in this organisation (module docstring)."""
    if DUAL_ROLE in held and role in ("CIO", "CISO"):
        return DUAL_OWNER
    return stand_in.get(role, role)


def _catalogue(
    questionnaire: Questionnaire, findings: Sequence[Finding], held: Collection[str] = ()
) -> tuple[dict[str, _Entry], _Home]:
    domain_of = {r.id: r.domain for r in questionnaire.model}
    entries: dict[str, _Entry] = {}
    by_responsibility: dict[str, str] = {}
    by_domain: dict[str, str] = {}
    for initiative in questionnaire.initiatives:
        outcome = next(
            (w.outcome for w in initiative.wordings if w.structure in held), initiative.outcome
        )
        entries[initiative.id] = _Entry(
            initiative.id,
            initiative.title,
            outcome,
            initiative.owner,
            initiative.depends_on,
        )
        for rid in initiative.responsibilities:
            by_responsibility[rid] = initiative.id
            if rid in domain_of:
                by_domain.setdefault(domain_of[rid], initiative.id)
    if not entries:
        titles = {section.id: section.title for section in questionnaire.sections}
        for domain, title in titles.items():
            entries[domain] = _by_domain(domain, title, [f for f in findings if f.domain == domain])
            by_domain[domain] = domain
    entries.setdefault(
        OTHER_ID,
        _Entry(OTHER_ID, "Other findings", "The remaining findings are closed.", DEFAULT_OWNER, ()),
    )
    return entries, _Home(by_responsibility, by_domain, domain_of)


def _by_domain(domain: str, title: str, findings: Sequence[Finding]) -> _Entry:
    """The initiative of one domain where the questionnaire has no catalogue: named for
    its most important finding, owned by the role most of its findings name (never
    nobody or two roles jointly)."""
    owners = [f.act for f in findings if f.act not in NO_OWNER]
    owner = _most_common(owners) or DEFAULT_OWNER
    if not findings:
        return _Entry(domain, title, "Its findings are closed.", owner, ())
    lead = findings[0].title
    if lead.startswith("\u201c") and "\u201d is at level" in lead:  # the model quoted
        lead = lead[: lead.index("\u201d") + 1] + " is below its target"
    subject = lead if lead[1:2].isupper() else lead[:1].lower() + lead[1:]
    if len(findings) == 1:
        outcome = "This finding is closed."
    else:
        outcome = f"The {len(findings)} findings of this area are closed, this one first."
    return _Entry(domain, f"{title}: {subject}", outcome, owner, ())


class _Home:
    """Which initiative a finding belongs to."""

    def __init__(
        self,
        by_responsibility: Mapping[str, str],
        by_domain: Mapping[str, str],
        domain_of: Mapping[str, str],
    ) -> None:
        self.by_responsibility = by_responsibility
        self.by_domain = by_domain
        self.domain_of = domain_of

    def __call__(self, finding: Finding) -> str:
        responsibility = finding.responsibility or ""
        # A roll-up of a domain's practices has no responsibility of its own: it goes with
        # its first practice's, not with whichever initiative lists the domain first.
        for held in (responsibility, *(p.responsibility or "" for p in finding.parts)):
            if held in self.by_responsibility:
                return self.by_responsibility[held]
        domain = finding.domain or self.domain_of.get(responsibility, "")
        return self.by_domain.get(domain, OTHER_ID)


def _most_common(values: Iterable[str]) -> str | None:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return max(counts, key=lambda v: counts[v]) if counts else None


def _fold(members: dict[str, list[int]], entries: dict[str, _Entry]) -> dict[str, list[int]]:
    """The first eleven initiatives (by their most important finding) and the rest in one."""
    ranked = sorted(members, key=lambda key: members[key][0])
    kept = {key: members[key] for key in ranked[: MAX_INITIATIVES - 1] if key != OTHER_ID}
    rest = sorted(rank for key in ranked if key not in kept for rank in members[key])
    kept[OTHER_ID] = rest
    entries[OTHER_ID] = entries[OTHER_ID]._replace(depends_on=())
    return kept


def _needs(key: str, entries: Mapping[str, _Entry], members: Mapping[str, object]) -> set[str]:
    """The planned initiatives ``key`` depends on, through those with nothing to do."""
    found: set[str] = set()
    seen: set[str] = set()
    stack = list(entries[key].depends_on)
    while stack:
        other = stack.pop()
        if other in seen or other == key or other not in entries:
            continue
        seen.add(other)
        if other in members:
            found.add(other)
        else:
            stack.extend(entries[other].depends_on)
    return found


def _ordered(keys: Sequence[str], needs: Mapping[str, set[str]]) -> list[str]:
    """``keys`` in their order, except that each comes after what it needs."""
    placed: list[str] = []
    waiting = list(keys)
    while waiting:
        for key in waiting:
            if needs[key] <= set(placed):
                placed.append(key)
                waiting.remove(key)
                break
        else:  # a cycle (the loader refuses them): keep the given order
            placed.extend(waiting)
            break
    return placed
