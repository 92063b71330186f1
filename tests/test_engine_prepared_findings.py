"""engine/prepared_findings.py: findings written once per questionnaire, completed by a
scoring."""

from __future__ import annotations

import json
from pathlib import Path

from assessor.engine.prepared_findings import with_answers
from assessor.engine.questionnaire_index import index_for
from assessor.engine.result import AnswerEvidence, Evidence
from assessor.questionnaire.schema import Questionnaire

MINI = Questionnaire.model_validate(
    json.loads((Path(__file__).parent / "answers" / "mini-questionnaire.json").read_text())
)


def test_every_owner_answer_but_the_accountable_has_a_finding_written_in_advance() -> None:
    index = index_for(MINI)
    check = next(c for c in index.owner_checks if c.info.id == "dat_breach_owner")
    agreed = check.findings.agreed
    assert agreed["CISO"] is None
    assert agreed["NONE"] is not None and agreed["NONE"].kind == "orphaned"
    assert agreed["CIO"] is not None and agreed["CIO"].kind == "misplaced"
    assert check.findings.disputed_none.severity == "high"
    assert agreed["NONE"].evidence == Evidence("generic:orphaned", ())


def test_with_answers_adds_the_evidence_and_keeps_everything_else() -> None:
    index = index_for(MINI)
    check = next(c for c in index.maturity_checks if c.info.id == "dat_breach")
    prepared = check.findings[3][1]
    assert prepared is not None
    record = AnswerEvidence("dat_breach", "text", "Ann", "CIO", 1, "Ad hoc")
    done = with_answers(prepared, [record], "Said so. ")
    assert done.evidence == Evidence("generic:immature", (record,))
    assert done.recommendation == "Said so. "
    assert (
        done._replace(evidence=prepared.evidence, recommendation=prepared.recommendation)
        == prepared
    )
    assert check.findings[3][3] is None  # level 3 meets target 3
