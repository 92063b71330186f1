"""Hostile questionnaire files through the path the service itself takes (``load_paths`` on a
folder, as at start-up and in ``assessor questionnaire check``): never a traceback, never a
hang.  tests/test_questionnaire_fuzz.py mutates the parsed data and the YAML text (1,030
examples); this adds what it leaves out: raw bytes (invalid UTF-8, NUL, truncation) in the
files of a folder questionnaire, and the classic YAML attacks."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessor.questionnaire import Problem, load_paths

SHIPPED = Path(__file__).resolve().parent.parent / "questionnaires" / "cio-ciso-governance" / "v1"
FILES = sorted(p.relative_to(SHIPPED) for p in SHIPPED.rglob("*.yaml"))
ORIGINAL = {name: (SHIPPED / name).read_bytes() for name in FILES}


def _outcome(folder: Path) -> tuple[int, list[Problem]]:
    """Load the folder as the service does; (questionnaires loaded, problems)."""
    catalog, problems = load_paths([folder])
    for problem in problems:
        assert isinstance(problem, Problem)
        assert problem.file and problem.location and problem.message
        assert "\n" not in str(problem) and "Traceback" not in str(problem)
    return len(catalog.all()), problems


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the shipped questionnaire folder; each example rewrites one file."""
    root = tmp_path_factory.mktemp("hostile") / "v1"
    shutil.copytree(SHIPPED, root)
    return root


BYTE_EDITS = st.lists(
    st.tuples(
        st.sampled_from(["flip", "insert", "delete", "truncate"]),
        st.integers(min_value=0),
        st.binary(min_size=1, max_size=6)
        | st.sampled_from([b"\x00", b"\xff\xfe", b"\xc3", b"\xed\xa0\x80", b"\t", b"\r", b"&a *a"]),
    ),
    min_size=1,
    max_size=4,
)


@settings(
    deadline=None,
    max_examples=150,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(name=st.sampled_from(FILES), edits=BYTE_EDITS)
def test_byte_mutations_of_a_folder_file_are_problems(
    folder: Path, name: Path, edits: list[tuple[str, int, bytes]]
) -> None:
    data = bytearray(ORIGINAL[name])
    for action, where, chunk in edits:
        if not data:
            break
        where %= len(data)
        if action == "flip":
            data[where] ^= chunk[0] or 0x80
        elif action == "insert":
            data[where:where] = chunk
        elif action == "delete":
            del data[where : where + len(chunk) * 7]
        else:
            del data[where:]
    try:
        (folder / name).write_bytes(bytes(data))
        loaded, problems = _outcome(folder)
        assert loaded == 1 or problems
    finally:
        (folder / name).write_bytes(ORIGINAL[name])


LAUGHS = "\n".join(
    [
        "id: bomb",
        "version: 1",
        "title: Bomb",
        "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]",
    ]
    + [f"a{n}: &a{n} [{', '.join(f'*a{n - 1}' for _ in range(9))}]" for n in range(1, 10)]
    + ["sections: *a9"]
)
HOSTILE = {
    "billion laughs": LAUGHS,
    "python object tag": "!!python/object/apply:os.system ['echo pwned']\n",
    "python name tag": "id: !!python/name:os.system\nversion: 1\n",
    "deep flow nesting": "id: " + "[" * 5000 + "]" * 5000 + "\n",
    "deep block nesting": "".join(f"{'  ' * n}k{n}:\n" for n in range(400)) + "  " * 400 + "x\n",
    "NUL in text": "id: a\x00b\nversion: 1\n",
    "huge integer": "id: x\nversion: 1" + "0" * 5000 + "\n",
    "tab indentation": "id: x\n\tversion: 1\n",
    "merge key loop": "a: &a {<<: *a}\n",
    "document stream": "id: a\n---\nid: b\n",
    "only a scalar": "just text\n",
    "unicode controls": "id: \u202e\u200b\ufeff\nversion: 1\ntitle: \ud7ff\n",
    "enormous": "id: x\ntitle: " + "y" * (3 * 1024 * 1024) + "\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_yaml_is_a_problem_quickly(tmp_path: Path, name: str) -> None:
    (tmp_path / "hostile.yaml").write_text(HOSTILE[name], encoding="utf-8")
    started = time.perf_counter()
    loaded, problems = _outcome(tmp_path)
    assert loaded == 0 and problems
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize(
    "data",
    [b"\xff\xfe\x00i\x00d", b"id: \xc3\x28\n", b"\x00" * 64, b"\xef\xbb\xbf\xef\xbb\xbfid: x"],
)
def test_undecodable_bytes_are_a_problem(tmp_path: Path, data: bytes) -> None:
    (tmp_path / "bytes.yaml").write_bytes(data)
    loaded, problems = _outcome(tmp_path)
    assert loaded == 0 and problems
