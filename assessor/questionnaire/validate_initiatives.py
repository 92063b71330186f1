"""Cross-reference checks of the roadmap's catalogue of initiatives (``initiatives``).

At most :data:`MAX_INITIATIVES`; ids unique; each responsibility named is one of the
model's and belongs to one initiative only; the owner is a role the model declares;
the structure rule of each other wording is one the model declares;
dependencies name other initiatives and form no cycle.
"""

from __future__ import annotations

from collections.abc import Iterator

from assessor.questionnaire.initiative_schema import MAX_INITIATIVES
from assessor.questionnaire.problems import Loc, did_you_mean
from assessor.questionnaire.schema import Questionnaire

Issue = tuple[Loc, str]


def check_initiatives(q: Questionnaire) -> Iterator[Issue]:
    """Every problem of the questionnaire's initiatives."""
    if not q.initiatives:
        return
    if len(q.initiatives) > MAX_INITIATIVES:
        yield (
            ("initiatives",),
            (f"{len(q.initiatives)} initiatives: a roadmap holds at most {MAX_INITIATIVES}"),
        )
    ids: dict[str, int] = {}
    for i, initiative in enumerate(q.initiatives):
        if initiative.id in ids:
            yield ("initiatives", i, "id"), f"duplicate initiative {initiative.id!r}"
        ids.setdefault(initiative.id, i)
    declared = {role.code for role in q.roles}
    model = {r.id for r in q.model}
    owner_of: dict[str, str] = {}
    structures = {rule.id for rule in q.structure}
    for i, initiative in enumerate(q.initiatives):
        for j, wording in enumerate(initiative.wordings):
            if wording.structure not in structures:
                yield (
                    ("initiatives", i, "wordings", j, "structure"),
                    f"unknown structure rule {wording.structure!r}"
                    f"{did_you_mean(wording.structure, structures)}",
                )
        if declared and initiative.owner not in declared:
            yield ("initiatives", i, "owner"), f"role {initiative.owner} is not declared"
        for j, rid in enumerate(initiative.responsibilities):
            loc: Loc = ("initiatives", i, "responsibilities", j)
            if rid not in model:
                yield loc, f"unknown responsibility {rid!r}{did_you_mean(rid, model)}"
            elif rid in owner_of:
                yield loc, f"{rid} is already in initiative {owner_of[rid]!r}"
            else:
                owner_of[rid] = initiative.id
        for j, dep in enumerate(initiative.depends_on):
            if dep not in ids:
                yield (
                    ("initiatives", i, "depends_on", j),
                    f"unknown initiative {dep!r}{did_you_mean(dep, ids)}",
                )
    cycle = _cycle({x.id: tuple(d for d in x.depends_on if d in ids) for x in q.initiatives})
    if cycle:
        yield ("initiatives",), f"the dependencies form a cycle: {' -> '.join(cycle)}"


def _cycle(edges: dict[str, tuple[str, ...]]) -> list[str]:
    """A cycle of ``edges`` (its ids, the first repeated at the end), or []."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in edges.get(node, ()):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return []

    for node in edges:
        if node not in state:
            found = visit(node)
            if found:
                return found
    return []
