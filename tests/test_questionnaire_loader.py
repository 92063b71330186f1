"""Loading: folders read as one questionnaire, problems named in their own file, content
hashes, and a catalog holding several versions side by side."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from assessor.questionnaire import (
    Catalog,
    Questionnaire,
    QuestionnaireError,
    content_hash,
    load_data,
    load_file,
    load_paths,
    load_text,
)
from assessor.questionnaire.source import from_folder

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "questionnaires" / "cio-ciso-governance" / "v1"
QID = "cio-ciso-governance"


@pytest.fixture(scope="module")
def shipped() -> Questionnaire:
    return load_file(SHIPPED)


@pytest.fixture(scope="module")
def shipped_data() -> dict[str, object]:
    data = from_folder(SHIPPED).data
    assert isinstance(data, dict)
    return data


def copy_folder(tmp_path: Path, name: str = "v1") -> Path:
    target = tmp_path / name
    shutil.copytree(SHIPPED, target)
    return target


def set_version(folder: Path, version: int, title: str | None = None) -> None:
    marker = folder / "questionnaire.yaml"
    text = marker.read_text().replace("version: 1\n", f"version: {version}\n")
    if title:
        text = re.sub(r"^title: .*$", f"title: {title}", text, flags=re.M)
    marker.write_text(text)


# --- the content hash ------------------------------------------------------------------


def test_hash_is_sha256_hex_of_the_content(shipped: Questionnaire) -> None:
    assert re.fullmatch(r"[0-9a-f]{64}", shipped.hash)
    assert content_hash(shipped) == shipped.hash


def test_hash_ignores_layout_key_order_and_file_split(
    shipped: Questionnaire, shipped_data: dict[str, object]
) -> None:
    # One file instead of nine, keys sorted, flow style, no comments.
    flat = yaml.safe_dump(shipped_data, sort_keys=True, default_flow_style=True, width=60)
    assert load_text(flat).hash == shipped.hash

    # JSON is YAML too: reversed key order everywhere, different quoting.
    def reverse(value: object) -> object:
        if isinstance(value, dict):
            return {k: reverse(v) for k, v in reversed(list(value.items()))}
        if isinstance(value, list):
            return [reverse(v) for v in value]
        return value

    assert load_text(json.dumps(reverse(shipped_data), indent=1)).hash == shipped.hash


def test_hash_ignores_explicit_defaults(shipped_data: dict[str, object]) -> None:
    base = load_data(shipped_data).hash
    text = yaml.safe_dump(shipped_data, sort_keys=False)
    explicit = text.replace(
        "  kind: owner\n", "  kind: owner\n    required: true\n    weight: 1.0\n"
    )
    assert explicit != text
    assert load_text(explicit).hash == base


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Who is accountable for the security program?", "Who owns the security program?"),
        ("score: 0.6", "score: 0.5"),
        ("severity: critical", "severity: high"),
        ("{q: employees, gte: 1000}", "{q: employees, gte: 2000}"),
        ("version: 1", "version: 7"),
    ],
)
def test_hash_changes_with_the_content(
    tmp_path: Path, shipped: Questionnaire, old: str, new: str
) -> None:
    folder = copy_folder(tmp_path)
    changed = False
    for path in folder.rglob("*.yaml"):
        text = path.read_text()
        if old in text:
            path.write_text(text.replace(old, new, 1))
            changed = True
            break
    assert changed, old
    assert load_file(folder).hash != shipped.hash


def test_loading_twice_gives_equal_questionnaires(shipped: Questionnaire) -> None:
    again = load_file(SHIPPED)
    assert again == shipped
    assert again.hash == shipped.hash


# --- folders ---------------------------------------------------------------------------


def test_a_folder_is_one_questionnaire_in_file_order(shipped: Questionnaire) -> None:
    assert [s.id for s in shipped.sections] == [
        "context",
        "strategy",
        "infrastructure",
        "security",
        "data",
        "third_parties",
        "governance",
    ]


def test_problems_name_the_file_and_the_index_inside_it(tmp_path: Path) -> None:
    folder = copy_folder(tmp_path)
    security = folder / "sections" / "30-security.yaml"
    security.write_text(
        security.read_text().replace(
            "      - id: sec_training_owner\n        kind: owner\n",
            "      - id: sec_training_owner\n        kind: ownr\n",
        )
    )
    rules = folder / "rules.yaml"
    rules.write_text(
        rules.read_text().replace("{q: dat_fraud_maturity, lt: 2}", "{q: dat_fraud, lt: 2}")
    )
    with pytest.raises(QuestionnaireError) as caught:
        load_file(folder)
    assert [str(p) for p in caught.value.problems] == [
        f"{security}: sections[0].questions[7].kind: 'ownr' is not one of: owner, maturity, "
        "choice, multi, yesno, number, text (did you mean 'owner'?)"
    ]
    security.write_text(security.read_text().replace("kind: ownr", "kind: owner"))
    with pytest.raises(QuestionnaireError) as caught:
        load_file(folder)
    [problem] = caught.value.problems
    assert problem.file == str(rules)
    assert re.fullmatch(r"rules\[\d+\]\.when\.all\[1\]", problem.location)
    assert problem.message.startswith("unknown question 'dat_fraud' (did you mean")


def test_folder_files_must_be_mappings_and_set_a_key_once(tmp_path: Path) -> None:
    folder = copy_folder(tmp_path)
    (folder / "sections" / "99-extra.yaml").write_text("- just\n- a list\n")
    (folder / "zz-title.yaml").write_text("title: Another title\nsections: {id: x}\n")
    with pytest.raises(QuestionnaireError) as caught:
        load_file(folder)
    assert [str(p) for p in caught.value.problems] == [
        f"{folder / 'sections' / '99-extra.yaml'}: top level: expected a mapping of keys "
        "(id, title, sections ...)",
        f"{folder / 'zz-title.yaml'}: title: already set in {folder / 'questionnaire.yaml'}",
        f"{folder / 'zz-title.yaml'}: sections: expected a list",
    ]


def test_a_part_file_is_checked_as_its_whole_folder(tmp_path: Path) -> None:
    folder = copy_folder(tmp_path)
    catalog, problems = load_paths([folder / "sections" / "30-security.yaml"])
    assert (problems, [q.key for q in catalog]) == ([], [(QID, 1)])
    rules = folder / "rules.yaml"
    rules.write_text(rules.read_text().replace("act: CISO", "act: CSO", 1))
    _, problems = load_paths([folder / "sections" / "30-security.yaml"])
    assert [p.file for p in problems] == [str(rules)]


def test_a_folder_without_marker_is_not_a_questionnaire(tmp_path: Path) -> None:
    with pytest.raises(QuestionnaireError) as caught:
        load_file(tmp_path)
    assert [p.message for p in caught.value.problems] == [
        "a folder questionnaire needs questionnaire.yaml"
    ]


# --- load_paths and the catalog -----------------------------------------------------------


def test_versions_side_by_side(tmp_path: Path, shipped: Questionnaire) -> None:
    copy_folder(tmp_path, "v1")
    v2 = copy_folder(tmp_path, "v2")
    set_version(v2, 2, "CIO and CISO governance assessment, second edition")
    catalog, problems = load_paths([tmp_path])
    assert problems == []
    assert len(catalog) == 2
    assert [q.key for q in catalog.all()] == [(QID, 1), (QID, 2)]
    assert catalog.versions(QID) == [1, 2]
    assert catalog.get(QID).version == 2
    assert catalog.get(QID, 1).hash == shipped.hash
    assert catalog.get(QID, 2).hash != shipped.hash
    assert catalog.find(QID, 1, shipped.hash) is catalog.get(QID, 1)
    assert catalog.find(QID, 2, shipped.hash) is None
    assert catalog.find(QID, 3) is None
    assert catalog.find("nope") is None
    assert QID in catalog and (QID, 2) in catalog
    assert (QID, 3) not in catalog and "nope" not in catalog and ["x"] not in catalog
    with pytest.raises(KeyError, match=r"has no version 3 \(versions: 1, 2\)"):
        catalog.get(QID, 3)
    with pytest.raises(KeyError, match=r"no questionnaire 'nope' \(loaded: cio-ciso-governance\)"):
        catalog.get("nope")


def test_one_version_loaded_twice_is_a_problem(tmp_path: Path) -> None:
    first = copy_folder(tmp_path, "a")
    second = copy_folder(tmp_path, "b")
    catalog, problems = load_paths([tmp_path])
    assert len(catalog) == 1
    assert [str(p) for p in problems] == [
        f"{second}: version: cio-ciso-governance version 1 is already loaded from {first}"
    ]


def test_the_same_path_given_twice_loads_once() -> None:
    catalog, problems = load_paths([SHIPPED, SHIPPED.parent, ROOT / "questionnaires"])
    assert problems == []
    assert [q.key for q in catalog.all()] == [
        ("cio-ciso-governance", 1),
        ("cio-ciso-governance", 2),
    ]


def test_bad_files_become_problems_and_good_ones_load(tmp_path: Path) -> None:
    copy_folder(tmp_path, "good")
    (tmp_path / "bad.yaml").write_text("id: [\n")
    (tmp_path / "notes.txt").write_text("not a questionnaire, not looked at")
    (tmp_path / ".hidden.yaml").write_text("ignored: true\n")
    catalog, problems = load_paths([tmp_path, tmp_path / "missing", tmp_path / "empty"])
    assert [q.key for q in catalog] == [(QID, 1)]
    assert [str(p) for p in problems[1:]] == [
        f"{tmp_path / 'missing'}: file: no such file or folder",
        f"{tmp_path / 'empty'}: file: no such file or folder",
    ]
    assert str(problems[0]).startswith(
        f"{tmp_path / 'bad.yaml'}: line 2, column 1: YAML syntax error: did not find expected"
    )
    (tmp_path / "empty").mkdir()
    _, problems = load_paths([tmp_path / "empty"])
    assert [str(p) for p in problems] == [
        f"{tmp_path / 'empty'}: file: no questionnaire found in this folder"
    ]


def test_catalog_refuses_duplicates(shipped: Questionnaire) -> None:
    catalog = Catalog([shipped])
    with pytest.raises(ValueError, match="already loaded"):
        catalog.add(shipped)
    assert list(catalog) == [shipped]
    assert repr(catalog) == "<Catalog cio-ciso-governance v1>"


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("title: caf\xe9\n".encode("latin-1"))
    with pytest.raises(QuestionnaireError) as caught:
        load_file(path)
    assert [p.location for p in caught.value.problems] == ["file"]
    assert caught.value.problems[0].message.startswith("not UTF-8 text")
