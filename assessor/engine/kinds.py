"""Answers, kind by kind: the canonical value of an answer, its score and its label.

Built once per question by :mod:`assessor.engine.questionnaire_index`; a scoring then only looks
values up.  Single-value kinds (owner, maturity, choice, yes/no) get a table from each
value to its :class:`Entry` (canonical value, score or None, label); the other kinds get functions.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

from assessor.engine import wording
from assessor.questionnaire.schema import OWNER_CODES, Question, Responsibility

#: Returned by a normaliser for a value the question cannot take.
INVALID: Any = object()
MAX_LEVEL = 4
#: Kinds whose answer is one hashable value, looked up in a Table.
SINGLE_KINDS = frozenset({"owner", "maturity", "yesno", "choice"})


class Entry(NamedTuple):
    """One answer a single-value question can take."""

    value: Any
    #: 0.0-1.0, or None when this answer is not scored.
    score: float | None
    label: str


#: A single-value question's answers: each value (as given) -> its entry.
Table = dict[Any, Entry]


def table_of(
    question: Question, score: Callable[[Any], float | None], label: Callable[[Any], str]
) -> Table | None:
    """The lookup table of a single-value question; None for the other kinds."""
    if question.kind not in SINGLE_KINDS:
        return None
    return {v: Entry(v, score(v), label(v)) for v in single_values(question)}


def single_values(question: Question) -> list[Any]:
    if question.kind == "maturity":
        return list(range(len(question.levels) or MAX_LEVEL + 1))
    return [option.value for option in question.all_options]


def normaliser(question: Question, table: Table | None) -> Callable[[Any], Any]:
    """A function from a coerced answer to its canonical value, or INVALID.

    The engine trusts :func:`assessor.engine.answers.coerce_answer` to have checked the
    answer; this is the cheap guard that keeps a stray value from raising.
    """
    kind = question.kind
    if kind == "number":

        def number(value: Any) -> Any:
            if isinstance(value, bool) or not isinstance(value, int | float):
                return INVALID
            return value if math.isfinite(value) else INVALID

        return number
    if kind == "text":
        return lambda value: value if isinstance(value, str) else INVALID
    if kind == "multi":
        order = {option.value: n for n, option in enumerate(question.all_options)}

        def multi(value: Any) -> Any:
            if not isinstance(value, list | tuple):
                return INVALID
            try:
                if any(isinstance(v, bool) or v not in order for v in value):
                    return INVALID
            except TypeError:
                return INVALID
            chosen = sorted(set(value), key=order.__getitem__)
            if len(chosen) != len(value):
                return INVALID
            return tuple(chosen)

        return multi
    lookup = table or {}

    def single(value: Any) -> Any:
        if value is True or value is False:
            return INVALID
        try:
            entry = lookup.get(value)
        except TypeError:
            return INVALID
        return INVALID if entry is None else entry.value

    return single


def scorer(
    question: Question, responsibility: Responsibility | None
) -> Callable[[Any], float | None]:
    kind = question.kind
    if kind == "owner":
        return (owner_scores(responsibility) if responsibility else {}).get
    if kind == "maturity":
        return {level: level / MAX_LEVEL for level in range(MAX_LEVEL + 1)}.get
    scores = {o.value: float(o.score) for o in question.all_options if o.score is not None}
    if kind == "multi":

        def multi(value: Any) -> float | None:
            chosen = [scores[v] for v in value if v in scores]
            return min(1.0, sum(chosen)) if chosen else None

        return multi
    return scores.get


def owner_scores(responsibility: Responsibility) -> dict[str, float]:
    """Alignment of each owner answer with the model: 1.0 for the accountable owner,
    0.5 for a partial fit (SHARED where one owner is wanted, a consulted role, or one
    half of a SHARED accountability), 0.0 for NONE, 0.25 for anyone else."""
    accountable = responsibility.accountable
    table: dict[str, float] = {}
    for code in OWNER_CODES:
        if code == accountable:
            table[code] = 1.0
        elif code == "NONE":
            table[code] = 0.0
        elif (
            code == "SHARED"
            or code in responsibility.consulted
            or (accountable == "SHARED" and code in ("CIO", "CISO"))
        ):
            table[code] = 0.5
        else:
            table[code] = 0.25
    return table


def labeller(question: Question, labels: dict[Any, str]) -> Callable[[Any], str]:
    kind = question.kind
    if kind == "number":
        return wording.format_number
    if kind == "text":
        return str
    if kind == "multi":
        return lambda value: ", ".join(labels.get(v, str(v)) for v in value) or "(none)"
    return lambda value: labels.get(value, str(value))
