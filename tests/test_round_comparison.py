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
from assessor.reports.progress import annex
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
    # The programme matured and its HIPAA risk analysis is current: nothing keeps the
    # SEC-1 practice finding open (the merged finding also carries the HIPAA rule).
    matured = {
        "sec_program_maturity": 4,
        "sec_hipaa_risk_analysis": "within_year",
        "dat_strategy_maturity": 0,
    }
    after = _round(V1, complete_answers(V1, matured), number=2)
    moved = compare(before, after)

    old = {finding_key(f) for f in before.result["findings"]}
    new = {finding_key(f) for f in after.result["findings"]}
    found = moved["findings"]
    assert _keys(found["closed"]) == old - new
    assert _keys(found["new"]) == new - old
    assert _keys(found["persisting"]) == old & new
    assert "SEC-1:practice" in _keys(found["closed"])  # the security programme matured
    assert "SEC-1:practice" in {finding_key(f) for f in before.result["findings"]}
    assert "DAT-1:practice" in _keys(found["new"])  # the data strategy fell back
    assert found["persisting"]  # the rest stayed
    assert moved["left_out"]["findings"] == []  # same questionnaire: everything compared
    assert moved["same_questionnaire"] is True
    security = next(d for d in moved["domains"] if d["id"] == "security")
    assert security["score"]["change"] > 0
    assert moved["overall"]["change"] == after.result["overall"] - before.result["overall"]


def test_a_stable_key_matches_findings_whose_ids_differ() -> None:
    """The engine's key matches a finding, not its id (which names the rule that raised it
    and may differ from round to round)."""
    before = _round(V1, complete_answers(V1, {"sec_program_maturity": 1}))
    after = copy.deepcopy(before.result)
    for number, f in enumerate(after["findings"], start=1):
        assert f["key"]  # every finding of the engine carries its key
        f["id"] = f"renumbered-{number}"
    moved = compare(before, Round(2, "Round 2", date(2027, 3, 1), after, V1))
    assert moved["findings"]["new"] == moved["findings"]["closed"] == []
    assert _keys(moved["findings"]["persisting"]) == {f["key"] for f in after["findings"]}
    # Without keys (results of older methods) the ids are what is matched: all differ.
    for f in after["findings"]:
        del f["key"]
    moved = compare(before, Round(2, "Round 2", date(2027, 3, 1), after, V1))
    assert moved["findings"]["persisting"] == []
    assert len(moved["findings"]["closed"]) == len(before.result["findings"])


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
    before = _round(V1, complete_answers(V1, {"sec_program_owner": "CISO"}))
    after = _round(V1, complete_answers(V1), number=2)  # the CIO now claims the programme
    assert isinstance(before.result["clarity"], int)  # the engine's method gives clarity
    moved = compare(before, after)
    assert moved["clarity"]["before"] == before.result["clarity"]
    assert moved["clarity"]["after"] == after.result["clarity"]
    assert moved["clarity"]["change"] == after.result["clarity"] - before.result["clarity"]
    assert moved["clarity"]["change"] < 0  # SEC-1 lost its fitting owner
    security = next(d for d in moved["domains"] if d["id"] == "security")
    assert security["clarity"]["change"] is not None and security["clarity"]["change"] < 0

    older = copy.deepcopy(before.result)  # a result of an older method has no clarity
    del older["clarity"]
    for domain in older["domains"]:
        domain.pop("clarity", None)
    moved = compare(Round(1, "Round 1", date(2026, 3, 1), older, V1), after)
    assert moved["clarity"] == {"before": None, "after": after.result["clarity"], "change": None}
    assert all(d["clarity"]["change"] is None for d in moved["domains"])


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
    assert "rule:nis2_reporting_owner" in _keys(left["findings"])
    assert "rule:nis2_reporting_owner" not in _keys(moved["findings"]["new"])
    # Each finding left out rests on a question the other version does not ask.
    v1_only, v2_only = set(V1.questions) - set(V2.questions), set(V2.questions) - set(V1.questions)
    raised = {finding_key(f): (f, "after") for f in after.result["findings"]} | {
        finding_key(f): (f, "before") for f in before.result["findings"]
    }
    for item in left["findings"]:
        f, side = raised[item["key"]]
        assert item["round"] == side
        asked = {a["question"] for a in f["evidence"]["answers"]}
        assert asked & (v2_only if side == "after" else v1_only), item["key"]
    # What both versions can raise is matched as within one version.
    assert not _keys(left["findings"]) & _keys(moved["findings"]["new"])
    assert "SEC-1:practice" in _keys(moved["findings"]["closed"])
    # (read in version 2's terms: its data renames some of version 1's root causes)
    as_v2 = {r["before"]: r["after"] for r in moved["renamed"]}
    shared = {as_v2.get(finding_key(f), finding_key(f)) for f in before.result["findings"]} & {
        finding_key(f) for f in after.result["findings"]
    }
    assert _keys(moved["findings"]["persisting"]) == shared
    assert moved["before"]["questionnaire"]["version"] == 1
    assert moved["after"]["questionnaire"]["version"] == 2
    assert moved["before"]["method_version"] == before.result["method"]["version"]
    assert moved["after"]["method_version"] == after.result["method"]["version"]


def test_a_root_cause_renamed_by_the_newer_version_persists_under_its_new_key() -> None:
    """No CISO in both rounds: version 1 keyed the finding by its responsibility
    (GOV-1), version 2 by the structure rule (no-ciso); v2's own data maps one onto the
    other, so the gap persists rather than closing and opening again, and the comparison
    says which finding it read under another name."""
    no_ciso = {"has_ciso": "no"}
    before = _round(V1, complete_answers(V1, no_ciso))
    after = _round(V2, complete_answers(V2, no_ciso), number=2)
    v1_keys = {finding_key(f) for f in before.result["findings"]}
    assert "no-ciso:structure" not in v1_keys  # the name is version 2's

    moved = compare(before, after)
    assert "no-ciso:structure" in _keys(moved["findings"]["persisting"])
    assert not {"no-ciso:structure", "GOV-1:practice"} & _keys(moved["findings"]["new"])
    assert "GOV-1:practice" not in _keys(moved["findings"]["closed"])
    renamed = {(r["before"], r["after"]) for r in moved["renamed"]}
    assert ("GOV-1:practice", "no-ciso:structure") in renamed
    # A finding led by a check that kept its home keeps its key, whatever else it merged.
    assert "SEC-1:practice" in _keys(moved["findings"]["persisting"])
    assert all(r["before"] != "SEC-1:practice" for r in moved["renamed"])


def test_the_mapping_works_whichever_round_is_on_the_older_version() -> None:
    reporting_line = {"ciso_reports_to": "cio", "security_board_line": "no"}
    v2_first = _round(V2, complete_answers(V2, reporting_line))
    v1_later = _round(V1, complete_answers(V1, reporting_line), number=2)
    moved = compare(v2_first, v1_later)
    assert "reporting-line:structure" in _keys(moved["findings"]["persisting"])
    assert [r["after"] for r in moved["renamed"]] == ["reporting-line:structure"]


def test_the_shipped_mapping_names_what_version_1_has() -> None:
    (earlier,) = V2.earlier_versions
    assert earlier.version == 1
    v1_checks = {f"rule:{r.id}" for r in V1.rules}
    for new_key, olds in earlier.findings.items():
        assert olds, new_key
        for old in olds:
            assert old in v1_checks or ":" in old, (new_key, old)
    assert set(earlier.questions) <= set(V1.questions)
    assert set(earlier.questions.values()) <= set(V2.questions)


def test_the_report_annex_carries_what_was_read_under_another_name() -> None:
    no_ciso = {"has_ciso": "no"}
    moved = compare(
        _round(V1, complete_answers(V1, no_ciso)),
        _round(V2, complete_answers(V2, no_ciso), number=2),
    )
    shown = annex(moved)
    assert shown is not None
    assert "No security executive in an organisation of 420 people" in {
        r["title"] for r in shown["renamed"]
    }
