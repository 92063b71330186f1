"""The consultant's statuses and the score (issue 15, Decisions): a finding marked "not
applicable" (with its reason) puts no cap on the headline; "risk accepted" keeps the cap.
The engine takes the not-applicable keys as input; a risk accepted never reaches it."""

from __future__ import annotations

from typing import Any

from assessor.engine import score
from assessor.engine.method import CAPPING_KINDS
from tests.scenarios import load_scenarios, parse


def _capped() -> tuple[Any, Any, Any]:
    """A scenario organisation whose headline a structural or regulatory finding caps."""
    for scenario in load_scenarios():
        document = parse(scenario)
        result = score(document.questionnaire, document.respondents)
        if result.cap is not None and result.cap.applied and not result.provisional:
            return document, result, scenario
    raise AssertionError("no scenario has a capped headline")


def test_not_applicable_removes_the_cap_and_risk_accepted_does_not() -> None:
    document, result, _ = _capped()
    capping = [
        f for f in result.findings if f.kind in CAPPING_KINDS and f.severity in ("critical", "high")
    ]
    assert capping
    assert result.overall < result.practice

    # Every capping finding not applicable: the headline is the practice score again.
    waived = score(
        document.questionnaire,
        document.respondents,
        not_applicable={f.key for f in capping},
    )
    assert waived.cap is None or not waived.cap.applied
    assert waived.overall == waived.practice == result.practice
    # ... and the findings are still raised and listed.
    assert [f.key for f in waived.findings] == [f.key for f in result.findings]

    # Marking only some of them leaves the cap the others set.
    strictest = capping[0].severity
    same = [f for f in capping if f.severity == strictest]
    if len(capping) > len(same):
        partial = score(
            document.questionnaire,
            document.respondents,
            not_applicable={f.key for f in same},
        )
        assert partial.cap is not None
        assert partial.cap.severity != strictest


def test_risk_accepted_is_no_input_so_the_cap_stays() -> None:
    """Keys of findings that are not capping, or unknown keys, change nothing: a risk
    accepted (never passed) and a stale key leave the result as it was."""
    document, result, _ = _capped()
    others = {f.key for f in result.findings if f.kind not in CAPPING_KINDS}
    again = score(
        document.questionnaire,
        document.respondents,
        not_applicable=others | {"no-such-finding:practice"},
    )
    assert again.to_dict() == result.to_dict()
