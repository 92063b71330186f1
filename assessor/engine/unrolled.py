"""The one-respondent pass, unrolled: straight-line Python generated per questionnaire.

A single respondent's scoring walks every question once (see :mod:`.single`).  As a
loop, most of its time goes to unpacking each question's plan and to branches whose
outcome is fixed by the questionnaire (is the question required, scored, an owner or
a maturity question, conditional?).  :func:`compile_single_pass` decides those once, at
index time, and writes one block of Python per question with only the work that
question needs; per-domain sums live in local variables instead of lists.

Nothing from the questionnaire file is written into the source but question ids, which
the schema restricts to ``[a-z][a-z0-9_]*`` and which are written with ``repr``; every
other value (tables, findings, labels, texts, weights, compiled conditions) is bound by
a generated name in the function's own namespace.  The generated source is kept on the
function (``__source__``) for reading and debugging.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assessor.engine.conditions import Test
from assessor.engine.heads import Prepared
from assessor.engine.kinds import INVALID, Table
from assessor.engine.result import AnswerEvidence, Evidence, Finding, Ignored, NamedOwner, RaciRow

#: (answers, hidden ids, ignored, required shown, answered per slot then context,
#: required shown per slot, (weights, points, level weights, levels) per slot,
#: findings, RACI rows, named owners).
PassResult = tuple[
    dict[str, Any],
    list[str],
    list[Ignored],
    int,
    tuple[int, ...],
    tuple[int, ...],
    tuple[list[float], list[float], list[float], list[float]],
    list[Any],
    list[RaciRow],
    dict[str, NamedOwner],
]
#: ``single_pass(given answers, name, role, target per slot) -> PassResult``.
SinglePass = Callable[[Mapping[str, Any], str, str, Sequence[int]], PassResult]


@dataclass(frozen=True, slots=True)
class QuestionStep:
    """What the generated block of one question needs (built by the index)."""

    id: str
    table: Table | None
    normalise: Callable[[Any], Any]
    required: bool
    #: Domain slot, or -1 for the context section.
    slot: int
    show_if: Test | None
    scored: bool
    score: Callable[[Any], float | None]
    weight: float
    maturity: bool
    #: Owner questions: the finding per agreed owner code (None when aligned).
    owner_heads: dict[str, Prepared | None] | None
    #: Maturity questions: the finding per target, then level (None when met).
    immature_heads: tuple[tuple[Prepared | None, ...], ...] | None
    text: str
    labels: dict[Any, str]
    #: Owner questions of a responsibility: its RACI row's position, else -1.
    raci_position: int
    raci_prefix: tuple[str, str | None, str, str, tuple[str, ...]] | None
    raci_status: dict[str, str] | None


def compile_single_pass(
    steps: Sequence[QuestionStep],
    slots: int,
    required_by_slot: Sequence[int],
    required_total: int,
    unanswered_raci: tuple[RaciRow, ...],
    *,
    scoring: bool = True,
) -> SinglePass:
    """Generate, compile and return the single-respondent pass over ``steps``
    (every question, in visit order).  Without ``scoring`` the pass only checks the
    answers and decides visibility (one respondent among several): its sums stay zero
    and it finds nothing."""
    namespace: dict[str, Any] = {
        "__builtins__": {},
        "list": list,
        "INVALID": INVALID,
        "Ignored": Ignored,
        "NamedOwner": NamedOwner,
        "_new": tuple.__new__,
        "_Finding": Finding,
        "_Evidence": Evidence,
        "_AnswerEvidence": AnswerEvidence,
        "_RaciRow": RaciRow,
        "_TypeError": TypeError,
        "UNANSWERED_RACI": unanswered_raci,
    }
    per_slot = range(slots)
    lines = [
        "def single_pass(given, name, role, targets):",
        "    get = given.get",
        "    answers = {}",
        "    hidden = []",
        "    ignored = []",
        "    found = []",
        "    named = {}",
        "    rows = list(UNANSWERED_RACI)",
        f"    required = {int(required_total)}",
        "    answered_context = 0",
    ]
    for s in per_slot:
        lines.append(
            f"    answered{s} = 0; shown{s} = {int(required_by_slot[s])}; "
            f"weights{s} = points{s} = level_weights{s} = levels{s} = 0.0; "
            f"target{s} = targets[{s}]"
        )
    for n, step in enumerate(steps):
        lines.extend(_question_block(n, step, namespace, scoring))
    answered = ", ".join([f"answered{s}" for s in per_slot] + ["answered_context"])
    shown = "".join(f"shown{s}, " for s in per_slot)

    def sums(name: str) -> str:
        return "[" + ", ".join(f"{name}{s}" for s in per_slot) + "]"

    lines.append(
        f"    return (answers, hidden, ignored, required, ({answered},), ({shown}), "
        f"({sums('weights')}, {sums('points')}, {sums('level_weights')}, {sums('levels')}), "
        "found, rows, named)"
    )
    source = "\n".join(lines) + "\n"
    exec(compile(source, "<assessor.engine.unrolled>", "exec"), namespace)  # noqa: S102
    single_pass: Any = namespace["single_pass"]
    single_pass.__source__ = source
    result: SinglePass = single_pass
    return result


def _question_block(
    n: int, step: QuestionStep, namespace: dict[str, Any], scoring: bool
) -> list[str]:
    """The lines of one question: read, visibility, check, count, score, find."""
    qid = repr(step.id)
    slot = step.slot
    counted = f"answered{slot}" if slot >= 0 else "answered_context"
    out = [f"    # {step.id}", f"    raw = get({qid})"]
    indent = "    "
    if step.show_if is not None:
        namespace[f"show_if{n}"] = step.show_if
        out.append(f"    if not show_if{n}(answers, role):")
        out.append(f"        hidden.append({qid})")
        if step.required:
            out.append("        required -= 1")
            if slot >= 0:
                out.append(f"        shown{slot} -= 1")
        out.append(
            f"        if raw is not None: ignored.append(_new(Ignored, (name, {qid}, 'hidden')))"
        )
        out.append("    elif raw is not None:")
    else:
        out.append("    if raw is not None:")
    indent = "        "
    body: list[str] = []
    if step.table is not None:
        # One lookup checks the answer and gives its canonical value, score and label.
        namespace[f"lookup{n}"] = step.table.get
        if any(key == True or key == False for key in step.table):  # noqa: E712
            # True == 1 and False == 0: a boolean must not pass for such an option.
            body += [
                "if raw is True or raw is False: entry = None",
                "else:",
                f"    try: entry = lookup{n}(raw)",
                "    except _TypeError: entry = None",
            ]
        else:
            body += [f"try: entry = lookup{n}(raw)", "except _TypeError: entry = None"]
        body += [
            "if entry is None:",
            f"    ignored.append(_new(Ignored, (name, {qid}, 'invalid')))",
            "else:",
            "    value = entry[0]",
        ]
        score = "entry[1]"
    else:
        namespace[f"normalise{n}"] = step.normalise
        namespace[f"score{n}"] = step.score
        body += [
            f"value = normalise{n}(raw)",
            "if value is INVALID:",
            f"    ignored.append(_new(Ignored, (name, {qid}, 'invalid')))",
            "else:",
        ]
        score = f"score{n}(value)"
    inner = [f"answers[{qid}] = value"]
    if step.required:
        inner.append(f"{counted} += 1")
    if scoring and step.scored and slot >= 0:
        # Most questions weigh 1.0, whose products are the other factor, bit for bit.
        namespace[f"weight{n}"] = step.weight
        weight, times = ("1.0", "") if step.weight == 1.0 else (f"weight{n}", f"weight{n} * ")
        inner += [
            f"score = {score}",
            "if score is not None:",
            f"    weights{slot} += {weight}",
            f"    points{slot} += {times}score",
        ]
        if step.maturity:
            inner += [
                f"    level_weights{slot} += {weight}",
                f"    levels{slot} += {times}value",
            ]
    finding = None
    if scoring and step.owner_heads is not None:
        namespace[f"owner_heads{n}"] = step.owner_heads
        if step.raci_position >= 0:
            namespace[f"raci_prefix{n}"] = step.raci_prefix
            namespace[f"raci_status{n}"] = step.raci_status
            inner += [
                "owner = named.get(value)",
                "if owner is None: owner = named[value] = _new(NamedOwner, (name, role, value))",
                f"rows[{int(step.raci_position)}] = _new(_RaciRow, "
                f"(*raci_prefix{n}, (owner,), raci_status{n}[value]))",
            ]
        finding = f"owner_heads{n}[value]"
    elif scoring and step.immature_heads is not None and slot >= 0:
        namespace[f"immature_heads{n}"] = step.immature_heads
        finding = f"immature_heads{n}[target{slot}][value]"
    if finding is not None:
        namespace[f"text{n}"] = step.text
        namespace[f"labels{n}"] = step.labels
        inner += [
            f"prepared = {finding}",
            "if prepared is not None:",
            "    key, head, check = prepared",
            f"    record = _new(_AnswerEvidence, ({qid}, text{n}, name, role, value, "
            f"labels{n}[value]))",
            "    found.append((key, _new(_Finding, (*head, _new(_Evidence, (check, (record,)))))))",
        ]
    body += ["    " + line for line in inner]
    out += [indent + line for line in body]
    return out
