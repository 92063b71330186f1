"""The storing side of the loader: the texts a questionnaire was loaded from, loaded again
from them (as a database keeps them), and stored versions parsed once per content hash."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from assessor.questionnaire import QuestionnaireError, Versions, load_files, load_paths

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "questionnaires" / "cio-ciso-governance" / "v1"
MINI = ROOT / "tests" / "questionnaires_broken" / "zero_weight.yaml"


def test_a_folder_keeps_every_file_and_loads_from_them_alone(tmp_path: Path) -> None:
    folder = tmp_path / "v1"
    shutil.copytree(SHIPPED, folder)
    catalog, problems = load_paths([folder])
    [q] = catalog.all()
    files = catalog.files(q)
    assert problems == [] and files is not None
    assert list(files) == [
        "questionnaire.yaml",
        "model.yaml",
        "rules.yaml",
        *(f"sections/{p.name}" for p in sorted((folder / "sections").glob("*.yaml"))),
    ]
    assert files["rules.yaml"] == (folder / "rules.yaml").read_text(encoding="utf-8")
    assert catalog.path(q) == str(folder)
    shutil.rmtree(folder)  # what is kept no longer needs the disk
    again = load_files(files, "stored")
    assert again.hash == q.hash and again.model_dump() == q.model_dump()


def test_a_single_file_is_kept_under_its_name(tmp_path: Path) -> None:
    text = MINI.read_text().replace("weight: 0\n", "weight: 1\n")
    (tmp_path / "mini.yaml").write_text(text)
    catalog, problems = load_paths([tmp_path / "mini.yaml"])
    [q] = catalog.all()
    assert problems == [] and catalog.files(q) == {"mini.yaml": text}
    assert load_files({"mini.yaml": text}, "stored").hash == q.hash


def test_a_catalog_gives_files_only_for_the_content_it_holds() -> None:
    catalog, _ = load_paths([SHIPPED])
    [q] = catalog.all()
    other = q.model_copy(update={"hash": "0" * 64})
    assert catalog.files(q) is not None and catalog.files(other) is None


def test_problems_in_stored_files_name_the_origin_and_the_file() -> None:
    catalog, _ = load_paths([SHIPPED])
    files = dict(catalog.files(catalog.all()[0]) or {})
    files["rules.yaml"] = files["rules.yaml"].replace("act: CISO", "act: CSO", 1)
    with pytest.raises(QuestionnaireError) as caught:
        load_files(files, "stored cio v1")
    assert [p.file for p in caught.value.problems] == ["stored cio v1/rules.yaml"]
    del files["questionnaire.yaml"]
    with pytest.raises(QuestionnaireError, match="needs questionnaire.yaml"):
        load_files(files, "stored cio v1")


def test_versions_parse_each_hash_once_and_keep_the_latest_used() -> None:
    catalog, _ = load_paths([SHIPPED])
    [q] = catalog.all()
    files = catalog.files(q) or {}
    versions = Versions(size=1)
    first = versions.load(q.hash, files, "stored")
    assert versions.load(q.hash, {}, "never read") is first  # no parse the second time
    assert versions.get(q.hash) is first
    mini = MINI.read_text().replace("weight: 0\n", "weight: 1\n")
    other = load_files({"mini.yaml": mini}, "x")
    versions.load(other.hash, {"mini.yaml": mini}, "stored")
    assert versions.get(q.hash) is None and len(versions) == 1  # the oldest made room


def test_a_stored_hash_stays_the_questionnaires_own(caplog: pytest.LogCaptureFixture) -> None:
    """Should a later release hash the same files differently, what assessments are pinned
    to does not move; it is logged."""
    mini = MINI.read_text().replace("weight: 0\n", "weight: 1\n")
    with caplog.at_level(logging.WARNING):
        q = Versions().load("a" * 64, {"mini.yaml": mini}, "stored mini")
    assert q.hash == "a" * 64
    assert "stored mini: the stored files hash to" in caplog.text
