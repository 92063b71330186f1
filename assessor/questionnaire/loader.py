"""Loading questionnaires: YAML in, a validated, hashed :class:`Questionnaire` out.

Loading goes in three steps, each stopping at its first failing file: read the YAML
(:mod:`.source`), validate the structure with pydantic (:mod:`.errors` words its
errors), then check the cross references (:mod:`.validate`).  Every fault found in a step
is reported, as :class:`Problem` lines, in a :class:`QuestionnaireError`; nothing else is
raised for bad content.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from assessor.questionnaire import source as sources
from assessor.questionnaire.catalog import Catalog
from assessor.questionnaire.errors import pydantic_problems
from assessor.questionnaire.hashing import content_hash
from assessor.questionnaire.problems import FILE, TOP, Problem, QuestionnaireError
from assessor.questionnaire.schema import Questionnaire
from assessor.questionnaire.validate import check


def load_text(text: str, name: str = "<string>") -> Questionnaire:
    """The questionnaire in the YAML ``text``; ``name`` is the file named by problems.

    :raise QuestionnaireError: with every problem found.
    """
    return build(sources.from_text(text, name))


def load_file(path: str | Path) -> Questionnaire:
    """The questionnaire in a YAML file, or in a folder holding ``questionnaire.yaml``.

    :raise QuestionnaireError: with every problem found.
    """
    return build(read(Path(path)))


def read(path: Path) -> sources.Source:
    """The source of the questionnaire in a file or folder (its data and its texts)."""
    if path.is_dir():
        if not sources.is_folder_questionnaire(path):
            raise QuestionnaireError(
                [Problem(str(path), FILE, f"a folder questionnaire needs {sources.MARKER}")]
            )
        return sources.from_folder(path)
    return sources.from_file(path)


def load_files(files: Mapping[str, str], origin: str) -> Questionnaire:
    """The questionnaire in ``files`` (path relative to its folder, or a file's name ->
    YAML text, as :attr:`Catalog.files` gives them), loaded as those files were.

    :raise QuestionnaireError: with every problem found (named ``origin/path``).
    """
    return build(sources.from_files(files, origin))


def load_data(data: Any, name: str = "<data>") -> Questionnaire:
    """The questionnaire in already-parsed data (a mapping as YAML gives it)."""
    return build(sources.Source(data, name))


def build(source: sources.Source) -> Questionnaire:
    """Validate the data of ``source``; the questionnaire, with its content hash set."""
    data = source.data
    if data is None:
        raise QuestionnaireError([Problem(source.main, FILE, "the file is empty")])
    if isinstance(data, dict) and "hash" in data:
        raise QuestionnaireError(
            [source.problem(("hash",), "the hash is computed when loading: remove it")]
        )
    try:
        q = Questionnaire.model_validate(data)
    except ValidationError as exc:
        problems = [source.problem(loc, message) for loc, message in pydantic_problems(exc)]
        raise QuestionnaireError(problems) from None
    except RecursionError:
        raise QuestionnaireError([Problem(source.main, TOP, "nested too deeply")]) from None
    issues = check(q)
    if issues:
        raise QuestionnaireError(source.problem(loc, message) for loc, message in issues)
    return q.model_copy(update={"hash": content_hash(q)})


def discover(path: Path) -> Iterator[Path]:
    """The questionnaires under a folder: YAML files, and folders holding the marker file."""
    for child in sorted(path.iterdir()):
        if child.name.startswith("."):
            continue
        if child.is_dir():
            if sources.is_folder_questionnaire(child):
                yield child
            else:
                yield from discover(child)
        elif child.suffix in sources.SUFFIXES:
            yield child


#: How far up from a file to look for the folder questionnaire it may belong to.
_PART_DEPTH = 4


def _owning_folder(path: Path) -> Path | None:
    """The folder questionnaire a file belongs to, if it is part of one."""
    if not path.is_file():
        return None
    for parents in (path.parents, path.resolve().parents):
        for parent in list(parents)[:_PART_DEPTH]:
            if sources.is_folder_questionnaire(parent):
                return parent
    return None


def load_paths(paths: Iterable[str | Path]) -> tuple[Catalog, list[Problem]]:
    """Load every questionnaire found under ``paths`` (files, or folders searched).

    Bad files become problems and the good ones load; a second file with an id and
    version already loaded is a problem too.  Never raises for bad content.
    """
    catalog = Catalog()
    problems: list[Problem] = []
    origin: dict[tuple[str, int], str] = {}
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        if not path.exists():
            problems.append(Problem(str(path), FILE, "no such file or folder"))
            continue
        if path.is_file() or sources.is_folder_questionnaire(path):
            # A part of a folder questionnaire is checked as the whole it belongs to.
            targets = [_owning_folder(path) or path]
        else:
            targets = list(discover(path))
            if not targets:
                problems.append(Problem(str(path), FILE, "no questionnaire found in this folder"))
        for target in targets:
            resolved = target.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            try:
                source = read(target)
                q = build(source)
            except QuestionnaireError as exc:
                problems.extend(exc.problems)
                continue
            if q.key in origin:
                problems.append(
                    Problem(
                        str(target),
                        "version",
                        f"{q.id} version {q.version} is already loaded from {origin[q.key]}",
                    )
                )
                continue
            origin[q.key] = str(target)
            catalog.add(q, source.files, str(target))
    return catalog, problems
