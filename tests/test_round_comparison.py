"""Comparing two delivered results of one organisation (operations/round_comparison.py):
findings matched by ``finding_key`` (new, closed, persisting), scores and ownership
clarity, owner changes, disagreements that closed, and across questionnaire versions only
what both share.  The results are the engine's, scored here on the real questionnaires."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

from assessor.engine import Respondent, score
from assessor.operations.rescoring import finding_key
from assessor.operations.round_comparison import Round, compare
from assessor.questionnaire import Questionnaire, load_file
from tests.web_support import complete_answers

ROOT = Path(__file__).resolve().parent.parent / "questionnaires" / "cio-ciso-governance"
V1 = load_file(ROOT / "v1")
V2 = load_file(ROOT / "v2")


def _round(questionnaire: Questionnaire, *people: dict[str, Any], number: int = 1) -> Round:
    respondents = [
        Respondent(f"Person {i}", role, answers)
        for i, (role, answers) in enumerate(
            (("CIO", people[0]), *(("CISO", p) for p in people[1:])), start=1
        )
    ]
    result = score(questionnaire, respondents).to_dict()
    return Round(number, f"Round {number}", date(2025 + number, 3, 1), result, questionnaire)


def _keys(items: list[dict[str, Any]]) -> set[str]:
    return {f["key"] for f in items}


def test_findings_are_matched_by_key_into_closed_new_and_persisting() -> None:
    before = _round(
        V1, complete_answers(V1, {"sec_program_maturity": 1, "dat_strategy_maturity": 4})
    )
    after = _round(
        V1, complete_answers(V1, {"sec_program_maturity": 4, "dat_strategy_maturity": 0}), number=2
    )
    moved = compare(before, after)

    old = {finding_key(f) for f in before.result["findings"]}
    new = {finding_key(f) for f in after.result["findings"]}
    found = moved["findings"]
    assert _keys(found["closed"]) == old - new
    assert _keys(found["new"]) == new - old
    assert _keys(found["persisting"]) == old & new
    assert "immature:SEC-1" in _keys(found["closed"])  # the security programme matured
    assert found["new"] and found["persisting"]  # the data strategy fell back; the rest stayed
    assert moved["left_out"]["findings"] == []  # same questionnaire: everything compared
    assert moved["same_questionnaire"] is True
    security = next(d for d in moved["domains"] if d["id"] == "security")
    assert security["score"]["change"] > 0
    assert moved["overall"]["change"] == after.result["overall"] - before.result["overall"]


def test_a_stable_key_matches_findings_whose_ids_differ() -> None:
    """Where the engine gives a finding a key, the key matches it, not the id."""
    before = _round(V1, complete_answers(V1, {"sec_program_maturity": 1}))
    after = copy.deepcopy(before.result)
    for number, f in enumerate(after["findings"], start=1):
        f["key"] = f["id"]
        f["id"] = f"renumbered-{number}"
    moved = compare(before, Round(2, "Round 2", date(2027, 3, 1), after, V1))
    assert moved["findings"]["new"] == moved["findings"]["closed"] == []
    assert len(moved["findings"]["persisting"]) == len(after["findings"])


def test_owner_changes_and_closed_disagreements() -> None:
    cio = complete_answers(V1)
    before = _round(V1, cio, complete_answers(V1, {"sec_program_owner": "CISO"}))
    after = _round(
        V1,
        complete_answers(V1, {"sec_program_owner": "CISO"}),
        complete_answers(V1, {"sec_program_owner": "CISO"}),
        number=2,
    )
    moved = compare(before, after)
    assert "sec_program_owner" in {g["question"] for g in moved["disagreements"]["closed"]}
    assert moved["disagreements"]["compared"] is True
    owners = {o["responsibility"]: o for o in moved["owners"]}
    assert owners["SEC-1"]["owners_before"] == ["CIO", "CISO"]
    assert owners["SEC-1"]["owners_after"] == ["CISO"]


def test_disagreements_are_not_compared_with_a_single_respondent() -> None:
    before = _round(V1, complete_answers(V1), complete_answers(V1, {"sec_program_owner": "CISO"}))
    after = _round(V1, complete_answers(V1), number=2)
    moved = compare(before, after)
    assert moved["disagreements"] == {"compared": False, "closed": [], "new": [], "persisting": 0}


def test_ownership_clarity_is_compared_where_a_result_has_it() -> None:
    before = _round(V1, complete_answers(V1))
    after = copy.deepcopy(before.result)
    assert "clarity" not in after  # a method 1 result has none: nothing to compare
    assert compare(before, Round(2, "Round 2", date(2027, 3, 1), after, V1))["clarity"] == {
        "before": None,
        "after": None,
        "change": None,
    }
    after["clarity"] = 80
    after["domains"][0]["clarity"] = 60
    moved = compare(before, Round(2, "Round 2", date(2027, 3, 1), after, V1))
    assert moved["clarity"] == {"before": None, "after": 80, "change": None}
    assert moved["domains"][0]["clarity"]["after"] == 60


def test_across_versions_only_what_both_share_is_compared() -> None:
    """v1 -> v2: the questions v2 adds are named as left out; a finding that rests on one
    of them is neither new nor closed; the rest is matched as within one version."""
    before = _round(V1, complete_answers(V1, {"sec_program_maturity": 1}))
    after = _round(V2, complete_answers(V2, {"sec_program_maturity": 4}), number=2)
    resting = copy.deepcopy(after.result["findings"][0])
    resting.update(id="rule:nis2_reporting_owner", key="", number=99, domain="governance")
    resting["evidence"]["answers"][0]["question"] = "nis2_entity"  # asked in v2 only
    after.result["findings"].append(resting)

    moved = compare(before, after)
    left = moved["left_out"]
    assert moved["same_questionnaire"] is False
    assert left["questions_after_only"] == sorted(set(V2.questions) - set(V1.questions))
    assert left["questions_before_only"] == []
    assert left["domains_before_only"] == left["domains_after_only"] == []
    assert [f["key"] for f in left["findings"]] == ["rule:nis2_reporting_owner"]
    assert "rule:nis2_reporting_owner" not in _keys(moved["findings"]["new"])
    assert "immature:SEC-1" in _keys(moved["findings"]["closed"])
    shared = {finding_key(f) for f in before.result["findings"]} & {
        finding_key(f) for f in after.result["findings"]
    }
    assert _keys(moved["findings"]["persisting"]) == shared
    assert moved["before"]["questionnaire"]["version"] == 1
    assert moved["after"]["questionnaire"]["version"] == 2
    assert moved["before"]["method_version"] == moved["after"]["method_version"] == 1
