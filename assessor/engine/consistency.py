"""Contradictions across one respondent's answers, declared as data in the questionnaire
(its ``consistency`` checks), flagged for settling.

A contradiction within one question ("None of these" ticked with other boxes) is refused
when the answer is given (:meth:`assessor.engine.question_kinds.MultiKind.parse`).  One
across questions ("no written breach plan" with breach readiness at level 4) is not: the
answers may sit on different pages, and refusing one would block an autosave over an
answer the respondent cannot see.  Such answers are kept as given and listed in
``Result.inconsistencies``, each with the questions involved and a sentence saying what
contradicts what; they never change a score or raise a finding.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import NamedTuple

from assessor.engine.conditions import Compiled, compile_condition
from assessor.engine.questionnaire_index import Index
from assessor.engine.result import Inconsistency
from assessor.engine.visibility import View
from assessor.questionnaire.schema import ConsistencyCheck, Questionnaire


class CompiledCheck(NamedTuple):
    check: ConsistencyCheck
    condition: Compiled


_CACHE_SIZE = 32
_cache: dict[tuple[str, int, str], tuple[CompiledCheck, ...]] = {}
_lock = threading.Lock()


def compiled_checks(questionnaire: Questionnaire) -> tuple[CompiledCheck, ...]:
    """The questionnaire's checks, compiled once per content hash."""
    if not questionnaire.consistency:
        return ()
    key = (questionnaire.id, questionnaire.version, questionnaire.hash)
    found = _cache.get(key) if questionnaire.hash else None
    if found is None:
        found = tuple(
            CompiledCheck(check, compile_condition(check.when, questionnaire.questions))
            for check in questionnaire.consistency
        )
        if questionnaire.hash:
            with _lock:
                if len(_cache) >= _CACHE_SIZE:
                    _cache.pop(next(iter(_cache)))
                _cache[key] = found
    return found


def inconsistencies(index: Index, views: Sequence[View]) -> tuple[Inconsistency, ...]:
    """Each check that holds on one respondent's own (shown) answers, per respondent, in
    respondent then check order, with the questions' texts and that respondent's answers
    as every page prints them."""
    checks = compiled_checks(index.questionnaire)
    if not checks:
        return ()
    found: list[Inconsistency] = []
    for view in views:
        for item in checks:
            if not item.condition.test(view.answers, view.role):
                continue
            infos = [index.questions[qid] for qid in item.check.questions]
            found.append(
                Inconsistency(
                    check=item.check.id,
                    respondent=view.name,
                    role=view.role,
                    questions=item.check.questions,
                    texts=tuple(info.text for info in infos),
                    answers=tuple(
                        info.label_of(view.answers[info.id]) if info.id in view.answers else ""
                        for info in infos
                    ),
                    message=item.check.message,
                )
            )
    return tuple(found)
