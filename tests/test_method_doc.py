"""docs/method.md's worked example, computed by the engine: every figure the page states
is the engine's (change the method, and this test says which sentence to rewrite)."""

from __future__ import annotations

import json
from pathlib import Path

from assessor.engine import Respondent, coerce_answer, score
from assessor.engine.method import CAPS, METHOD_VERSION, PROVISIONAL_BELOW
from assessor.questionnaire.schema import Questionnaire
from assessor.reports.summary import score_band

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "method.md").read_text(encoding="utf-8")
MINI = Questionnaire.model_validate(
    json.loads((ROOT / "tests" / "answers" / "mini-questionnaire.json").read_text())
)
EXAMPLE = json.loads((ROOT / "tests" / "method-example.json").read_text())


def people() -> list[Respondent]:
    return [
        Respondent(
            p["name"],
            p["role"],
            {k: coerce_answer(MINI.questions[k], v) for k, v in p["answers"].items()},
        )
        for p in EXAMPLE["respondents"]
    ]


def says(text: str) -> None:
    assert text in DOC, f"docs/method.md no longer says {text!r}"


def test_the_page_states_the_engine_s_constants() -> None:
    says(f"scoring method {METHOD_VERSION}")
    says(f"`METHOD_VERSION = {METHOD_VERSION}`")
    says(f"**Below {PROVISIONAL_BELOW}%**")
    limits = dict(CAPS)
    says(f"a **critical** one caps it at **{limits['critical']}**")
    says(f"a **high** one at **{limits['high']}**")


def test_the_worked_example_is_what_the_engine_computes() -> None:
    result = score(MINI, people(), organization=EXAMPLE["organization"]["name"])
    security, data, leadership = result.domains
    assert (security.score, data.score) == (81, 100)
    says("→ **81**")
    says("**Data** = (1 + 1) / 2 →\n  **100**")
    assert result.practice == 87
    says("5.25 / 6 = 87.5 → **87**")
    assert result.completeness == 100 and not result.provisional
    says("**100%**")
    assert [r.completeness for r in result.respondents] == [100, 86]
    says("(Bo alone: 86%)")
    line = result.finding("GOV-2:structure") or result.finding("rule:ciso_under_cio")
    assert line is not None and line.severity == "medium" and line.depends_on == ("board_line",)
    assert result.overall == 87 and score_band(result.overall)[0] == "Strong"
    says("holds on Bo's account only")
    says("(**87 / 100, Strong**)")
    settled = score(
        MINI,
        people(),
        organization=EXAMPLE["organization"]["name"],
        settled_facts={"board_line": "no"},
    )
    assert settled.cap is not None
    assert (settled.cap.severity, settled.cap.limit, settled.cap.applied) == ("high", 79, True)
    assert settled.overall == 79 and score_band(settled.overall)[0] == "Established"
    says("**79 / 100, Established**")
    assert result.clarity == 60
    assert [d.clarity for d in result.domains] == [50, 50, 100]
    assert [r.fit for r in result.raci] == [
        "expected",
        "disputed",
        "expected",
        "shared_without_lead",
        "expected",
    ]
    says("Clarity **3 of 5 = 60%**")
    says("(security 50%, data 50%, leadership 100%)")
    assert [r.scores.overall for r in result.respondents] == [95, 81]
    says("Ann's own practice score **95**, Bo's **81**, combined **87**")


def test_the_provisional_variant_is_what_the_engine_computes() -> None:
    bo = people()[1]
    kept = ("employees", "regulated_data", "has_ciso", "ciso_reports_to", "board_line")
    partial = {
        k: v for k, v in bo.answers.items() if k in (*kept, "sec_program", "sec_program_owner")
    }
    result = score(MINI, [Respondent(bo.name, bo.role, partial)])
    assert result.provisional and result.completeness == 50
    says("(7 of 14 required\n  questions, 50%)")
    assert result.range is not None and tuple(result.range) == (30, 79)
    says("**30 to 79**")
    assert result.practice == 75
    says("level 3, scores 75")
