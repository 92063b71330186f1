"""Benchmark bands (``engine/benchmark.py``): the group's minimum size, the sector and size
filters, the band at its edges, and that no single client's score can be recovered from
what is shown.  Pure: no app."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessor.engine import Respondent, score
from assessor.engine.benchmark import (
    LOWER,
    MIDDLE,
    UPPER,
    benchmark,
    context_facts,
    position,
    size_band,
)
from assessor.questionnaire import load_file
from tests.web_support import complete_answers

TITLES = {"gov": "Governance", "sec": "Security"}


def result(
    overall: int,
    *,
    gov: int | None = None,
    sec: int | None = None,
    sector: str = "retail",
    employees: int = 400,
    name: str = "Someone",
    **extra: Any,
) -> dict[str, Any]:
    """A delivered result with what the benchmark reads."""
    domains = [
        {"id": "gov", "title": "Governance", "score": gov if gov is not None else overall},
        {"id": "sec", "title": "Security", "score": sec if sec is not None else overall},
    ]
    for domain in domains:
        domain["completeness"] = 100
    return {
        "overall": overall,
        "domains": domains,
        "respondents": [
            {
                "name": name,
                "role": "CIO",
                "answers": [
                    {"question": "sector", "value": sector, "label": sector.title()},
                    {"question": "employees", "value": employees, "label": str(employees)},
                ],
            }
        ],
        **extra,
    }


def peers(*scores: int, **facts: Any) -> list[dict[str, Any]]:
    return [result(s, name=f"Peer {i}", **facts) for i, s in enumerate(scores)]


def shown(own: int, others: list[int]) -> dict[str, Any]:
    return benchmark(result(own), peers(*others), TITLES)


# --- the band at its edges ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rank", "band"),
    [(1, LOWER), (2, LOWER), (3, MIDDLE), (8, MIDDLE), (9, UPPER), (10, UPPER)],
)
def test_ten_distinct_scores_a_quarter_exactly_is_the_middle_half(rank: int, band: str) -> None:
    # Rank 3 of 10 sits at a mid-rank of 2.5 / 10 = exactly a quarter: middle half.
    scores = [10 * i for i in range(1, 11)]
    own = scores[rank - 1]
    assert position(own, [s for s in scores if s != own]) == band


def test_just_under_a_quarter_is_the_lower_quartile() -> None:
    # 12 clients: rank 3 is 2.5 / 12 (under a quarter); rank 4 is 3.5 / 12 (over).
    scores = list(range(1, 13))
    assert position(3, [s for s in scores if s != 3]) == LOWER
    assert position(4, [s for s in scores if s != 4]) == MIDDLE
    assert position(10, [s for s in scores if s != 10]) == UPPER
    assert position(9, [s for s in scores if s != 9]) == MIDDLE


def test_equal_scores_share_the_middle_band() -> None:
    assert position(50, [50] * 15) == MIDDLE
    # The lowest score shared by four of twelve: all four are in the lower quartile
    # (mid-rank 2 / 12); shared by six of twelve, all six sit at a quarter: middle half.
    assert position(10, [10, 10, 10] + [60] * 8) == LOWER
    assert position(10, [10] * 5 + [60] * 6) == MIDDLE


# --- the group ------------------------------------------------------------------------------


def test_no_benchmark_under_ten_organisations() -> None:
    nine = shown(50, [10, 20, 30, 40, 60, 70, 80, 90])
    assert nine["available"] is False
    assert nine["message"] == "not enough comparable clients: 9 of 10"
    assert nine["overall"] is None and nine["domains"] == []
    ten = shown(50, [10, 20, 30, 40, 60, 70, 80, 90, 95])
    assert ten["available"] is True
    assert ten["overall"]["text"] == "middle half of 10 clients in Retail with 250-999 employees"


def test_other_sectors_and_size_bands_are_left_out() -> None:
    own = result(50)
    same = peers(*range(10, 100, 10))  # 9 retail, 400 staff
    other_sector = peers(1, 2, 3, sector="finance")
    other_size = peers(1, 2, 3, employees=1200)
    assert benchmark(own, same, TITLES)["overall"]["of"] == 10
    assert benchmark(own, same[:8] + other_sector + other_size, TITLES)["message"] == (
        "not enough comparable clients: 9 of 10"
    )


def test_provisional_results_do_not_count() -> None:
    group = peers(*range(10, 100, 10))
    group[0]["provisional"] = True
    assert shown_of(result(50), group)["message"] == "not enough comparable clients: 9 of 10"
    own = result(50, provisional=True)
    assert shown_of(own, peers(*range(10, 100, 10)))["available"] is False


def shown_of(own: dict[str, Any], group: list[dict[str, Any]]) -> dict[str, Any]:
    return benchmark(own, group, TITLES)


def test_without_sector_or_size_there_is_no_benchmark() -> None:
    own = result(50)
    own["respondents"][0]["answers"] = own["respondents"][0]["answers"][1:]  # no sector
    assert shown_of(own, peers(*range(10, 100, 10)))["message"].startswith("no benchmark")


def test_a_domain_nobody_answered_has_no_band() -> None:
    own = result(50)
    own["domains"][1]["completeness"] = 0
    found = shown_of(own, peers(*range(10, 100, 10)))
    assert [d["id"] for d in found["domains"]] == ["gov"]


def test_each_domain_has_its_own_band() -> None:
    own = result(50, gov=95, sec=5)
    found = shown_of(own, peers(*range(10, 100, 10)))
    assert [(d["title"], d["short"]) for d in found["domains"]] == [
        ("Governance", UPPER),
        ("Security", LOWER),
    ]


# --- size bands and facts -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (1, "under 250"),
        (249, "under 250"),
        (250, "250-999"),
        (999, "250-999"),
        (1000, "1000-4999"),
        (4999, "1000-4999"),
        (5000, "5000+"),
        ("50-249", "under 250"),
        ("5000+", "5000+"),
        ("many", None),
        (True, None),
    ],
)
def test_size_bands(value: Any, band: str | None) -> None:
    assert size_band(value) == band


def test_where_respondents_differ_the_first_counted_respondents_facts_count() -> None:
    first = result(50, sector="retail", employees=100)
    second = result(50, sector="finance", employees=3000)["respondents"][0]
    first["respondents"].append(second)
    facts = context_facts(first)
    assert (facts.sector, facts.size) == ("retail", "under 250")
    # The first did not answer the size: the second's answer is the only one.
    first["respondents"][0]["answers"] = first["respondents"][0]["answers"][:1]
    assert context_facts(first).size == "1000-4999"


# --- nothing of another client can be recovered ---------------------------------------------

scores = st.integers(min_value=0, max_value=100)


@given(own=scores, others=st.lists(scores, min_size=9, max_size=30), data=st.data())
def test_another_clients_score_cannot_be_recovered(
    own: int, others: list[int], data: st.DataObject
) -> None:
    """Moving any one other client's score anywhere on its side of one's own (below, level,
    above) shows exactly the same: what is shown does not determine it."""
    before = shown(own, others)
    index = data.draw(st.integers(0, len(others) - 1))
    moved = others[index]
    if moved < own:
        new = data.draw(st.integers(0, own - 1))
    elif moved > own:
        new = data.draw(st.integers(own + 1, 100))
    else:
        new = own
    changed = [*others[:index], new, *others[index + 1 :]]
    assert shown(own, changed) == before


@given(own=scores, others=st.lists(scores, min_size=10, max_size=30), extra=scores)
def test_adding_or_removing_a_client_changes_only_the_band_and_the_count(
    own: int, others: list[int], extra: int
) -> None:
    before = shown(own, others)
    after = shown(own, [*others, extra])
    assert after["overall"]["of"] == before["overall"]["of"] + 1
    assert set(after["overall"]) == {"band", "of", "text"}
    for found in (before, after):
        overall = found["overall"]
        assert overall["text"] == (
            f"{overall['band']} of {overall['of']} clients in Retail with 250-999 employees"
        )
        # The only figures shown: the group's size and the size band's bounds.
        text = " ".join([overall["text"], *(d["text"] for d in found["domains"])])
        assert set(re.findall(r"\d+", text)) <= {str(overall["of"]), "250", "999"}


def test_nothing_of_a_peer_is_in_what_is_shown() -> None:
    group = peers(*range(11, 100, 9))
    for i, peer in enumerate(group):
        peer["respondents"][0]["name"] = f"Secret Person {i}"
    found = shown_of(result(50), copy.deepcopy(group))
    assert "Secret" not in repr(found)
    assert set(found) == {"available", "message", "overall", "domains"}
    assert all(set(d) == {"id", "title", "band", "of", "text", "short"} for d in found["domains"])


def test_the_sector_is_the_scored_context_a_disputed_one_places_nobody() -> None:
    """The group is chosen on the settled facts: respondents who disagree on the sector
    put the client in no sector's group until the consultant settles it."""
    q = load_file(Path(__file__).parent.parent / "questionnaires" / "cio-ciso-governance" / "v2")
    cio = Respondent("Ann", "CIO", complete_answers(q, {"sector": "retail"}))
    ciso = Respondent("Bo", "CISO", complete_answers(q, {"sector": "finance"}))
    agreed = context_facts(score(q, [cio, Respondent("Bo", "CISO", cio.answers)]).to_dict())
    assert (agreed.sector, agreed.size) == ("retail", "250-999")
    disputed = context_facts(score(q, [cio, ciso]).to_dict())
    assert disputed.sector is None and disputed.sector_label is None
    settled = context_facts(score(q, [cio, ciso], settled_facts={"sector": "finance"}).to_dict())
    assert settled.sector == "finance"
    assert settled.sector_label == "Banking, insurance or other financial services"
