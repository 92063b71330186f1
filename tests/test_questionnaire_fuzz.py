"""Random mutations of the shipped questionnaire: the loader returns a questionnaire or a
list of problems, and never raises anything else."""

from __future__ import annotations

import pickle
import re
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessor.questionnaire import (
    Problem,
    Questionnaire,
    QuestionnaireError,
    load_data,
    load_text,
)
from assessor.questionnaire.source import from_folder

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_DATA: dict[str, Any] = from_folder(
    ROOT / "questionnaires" / "cio-ciso-governance" / "v1"
).data
SHIPPED_TEXT = yaml.safe_dump(SHIPPED_DATA, sort_keys=False, allow_unicode=True, width=100)
MINI_TEXT = (
    (Path(__file__).parent / "questionnaires_broken" / "missing_key.yaml")
    .read_text()
    .replace("version: 1\n", "version: 1\ntitle: Mini\n")
)

QUESTION_IDS = [q["id"] for section in SHIPPED_DATA["sections"] for q in section["questions"]]
#: Values that are valid somewhere in the format, so mutations reach the deeper checks.
WORDS = st.sampled_from(
    [
        *QUESTION_IDS[::7],
        "CIO",
        "CISO",
        "SHARED",
        "EXEC",
        "NONE",
        "CEO",
        "yes",
        "no",
        "unknown",
        "owner",
        "maturity",
        "choice",
        "multi",
        "yesno",
        "number",
        "text",
        "SEC-1",
        "DAT-7",
        "GOV-9",
        "security",
        "data",
        "structural",
        "high",
        "quick win",
        "{organization}",
        "{respondent}",
        "{nope}",
        "{",
        "eq",
        "in",
        "not",
        "all",
        "any",
        "q",
        "respondent_role",
        "show_if",
        "score",
        "weight",
        "",
    ]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-5, max_value=2000)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | WORDS
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(WORDS | st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)

Path_ = tuple[Any, ...]


def clone(data: Any) -> Any:
    """A deep copy of plain YAML data (much faster than copy.deepcopy)."""
    return pickle.loads(pickle.dumps(data))  # noqa: S301 - our own data, in memory


def walk(data: Any, draw: Any) -> Path_:
    """A random place in ``data``: go down into a random child until told to stop."""
    path: Path_ = ()
    while isinstance(data, dict | list) and data and draw(st.integers(0, 4)) > 0:
        keys = list(data) if isinstance(data, dict) else list(range(len(data)))
        key = draw(st.sampled_from(keys))
        path += (key,)
        data = data[key]
    return path


def parent_of(data: Any, path: Path_) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


def get(data: Any, path: Path_) -> Any:
    for part in path:
        data = data[part]
    return data


def mutate(data: Any, draw: Any) -> None:
    """Apply one random change to ``data`` in place."""
    path = walk(data, draw)
    action = draw(
        st.sampled_from(["replace", "delete", "rename", "duplicate", "swap", "insert", "word"])
    )
    if not path:
        return
    parent, key = parent_of(data, path), path[-1]
    if action == "replace":
        parent[key] = draw(VALUES)
    elif action == "word":
        parent[key] = draw(WORDS)
    elif action == "delete":
        del parent[key]
    elif action == "rename" and isinstance(parent, dict):
        parent[draw(WORDS)] = parent.pop(key)
    elif action == "duplicate" and isinstance(parent, list):
        parent.insert(key, clone(parent[key]))
    elif action == "insert":
        target = get(data, path)
        if isinstance(target, dict):
            target[draw(WORDS)] = draw(VALUES)
        elif isinstance(target, list):
            target.insert(draw(st.integers(0, len(target))), draw(VALUES))
    elif action == "swap":
        other = walk(data, draw)
        if other and not _nested(path, other):
            other_parent, other_key = parent_of(data, other), other[-1]
            parent[key], other_parent[other_key] = other_parent[other_key], parent[key]


def _nested(a: Path_, b: Path_) -> bool:
    shorter = min(len(a), len(b))
    return a[:shorter] == b[:shorter]


def check_outcome(run: Any) -> Questionnaire | list[Problem]:
    """Run a load; it gives a questionnaire, or a QuestionnaireError with problems."""
    try:
        q = run()
    except QuestionnaireError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert isinstance(problem, Problem)
            assert problem.file and problem.location and problem.message
            assert "\n" not in str(problem)
        return exc.problems
    assert isinstance(q, Questionnaire)
    assert re.fullmatch(r"[0-9a-f]{64}", q.hash)
    return q


@settings(deadline=None, max_examples=520, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_data_loads_or_reports_problems(data: st.DataObject) -> None:
    mutated = clone(SHIPPED_DATA)
    for _ in range(data.draw(st.integers(1, 4))):
        mutate(mutated, data.draw)
    check_outcome(lambda: load_data(mutated, "mutated.yaml"))


LINES = SHIPPED_TEXT.splitlines(keepends=True)


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["delete", "duplicate", "indent", "dedent", "insert"]),
            st.integers(0, len(LINES) - 1),
            st.text(alphabet=st.sampled_from(list(" -:[]{}#&*!|>'\"\t\nabc1")), max_size=8),
        ),
        min_size=1,
        max_size=3,
    )
)
def test_mutated_text_loads_or_reports_problems(edits: list[tuple[str, int, str]]) -> None:
    lines = list(LINES)
    for action, index, text in edits:
        index %= len(lines)
        if action == "delete":
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "indent":
            lines[index] = "  " + lines[index]
        elif action == "dedent":
            lines[index] = lines[index][2:]
        else:
            lines[index] = lines[index][: len(text)] + text + lines[index][len(text) :]
    check_outcome(lambda: load_text("".join(lines), "mutated.yaml"))


@settings(deadline=None, max_examples=450)
@given(st.integers(0, len(MINI_TEXT)), st.integers(0, 20), st.text(max_size=10))
def test_spliced_text_loads_or_reports_problems(start: int, cut: int, insert: str) -> None:
    text = MINI_TEXT[:start] + insert + MINI_TEXT[start + cut :]
    check_outcome(lambda: load_text(text, "mini.yaml"))


def test_the_unmutated_inputs_load() -> None:
    assert isinstance(check_outcome(lambda: load_data(clone(SHIPPED_DATA))), Questionnaire)
    assert isinstance(check_outcome(lambda: load_text(SHIPPED_TEXT)), Questionnaire)
    assert isinstance(check_outcome(lambda: load_text(MINI_TEXT)), Questionnaire)
