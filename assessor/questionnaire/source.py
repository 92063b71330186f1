"""Reading questionnaire YAML: one file, a text, or a folder of files read as one.

The YAML reader is strict where PyYAML is loose: a key given twice is an error (PyYAML
keeps the last silently), only ``true``/``false`` are booleans (``yes``, ``no``, ``on``
and ``NO`` stay text, as in YAML 1.2, so ``eq: yes`` means the answer "yes"), and dates
stay text.

A folder holding ``questionnaire.yaml`` is one questionnaire spread over several files:
``questionnaire.yaml`` first, then every other ``*.yaml``/``*.yml`` below the folder in
path order.  Each file is a mapping of top-level keys; the lists ``model``, ``sections``
and ``rules`` are joined in that order, any other key may be set in one file only.
Problems are reported against the file that holds the part at fault, with the index
the part has in that file.

A :class:`Source` keeps the texts it was read from (:attr:`Source.files`, by path relative
to the folder, or the file's name), and :func:`from_files` reads such a mapping again
exactly as the files were read: that is how a questionnaire is stored and loaded back.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assessor.questionnaire.problems import (
    FILE,
    TOP,
    Loc,
    Problem,
    QuestionnaireError,
    format_loc,
)

#: The file that marks a folder as one questionnaire in several files.
MARKER = "questionnaire.yaml"
SUFFIXES = (".yaml", ".yml")
#: Top-level keys whose lists several files of a folder may each extend.
LIST_KEYS = ("model", "sections", "rules")
#: Larger files are refused before parsing.
MAX_BYTES = 2 * 1024 * 1024
#: Values in a document, counted with anchors expanded: a guard against alias bombs.
MAX_NODES = 200_000

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BOOL = "tag:yaml.org,2002:bool"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class StrictLoader(_BaseLoader):  # type: ignore[misc]
    """PyYAML's safe loader with YAML 1.2 booleans, text dates and no duplicate keys."""

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            seen: set[tuple[str, str]] = set()
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
                    continue
                key = (key_node.tag, key_node.value)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None,
                        None,
                        f"the key {key_node.value!r} appears twice in this mapping",
                        key_node.start_mark,
                    )
                seen.add(key)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL, _TIMESTAMP)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
StrictLoader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@dataclass
class Source:
    """A questionnaire's data as read, and where each part of it came from."""

    data: Any
    #: The file named by problems that belong to no particular part.
    main: str
    #: ``(list key, index in the joined list)`` -> ``(file, index in that file)``.
    parts: dict[tuple[str, int], tuple[str, int]] = field(default_factory=dict)
    #: Top-level key -> the file that set it.
    keys: dict[str, str] = field(default_factory=dict)
    #: The texts read: path relative to the folder (or the file's name) -> YAML text.
    files: dict[str, str] = field(default_factory=dict)

    def problem(self, loc: Loc, message: str) -> Problem:
        """A problem at ``loc`` (a location in the joined data), named in its own file."""
        file, local = self.locate(loc)
        return Problem(file, format_loc(local), message)

    def locate(self, loc: Loc) -> tuple[str, Loc]:
        """The file that holds ``loc``, and ``loc`` as it reads in that file."""
        if len(loc) >= 2 and isinstance(loc[0], str) and isinstance(loc[1], int):
            found = self.parts.get((loc[0], loc[1]))
            if found is not None:
                return found[0], (loc[0], found[1], *loc[2:])
        if loc and isinstance(loc[0], str) and loc[0] in self.keys:
            return self.keys[loc[0]], loc
        return self.main, loc


def yaml_problem(name: str, exc: Exception, text: str = "") -> Problem:
    """A problem for a YAML error, located by line and column when the parser knows them."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else FILE
    if isinstance(exc, yaml.reader.ReaderError):
        before = text[: exc.position]
        line, column = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        return Problem(
            name,
            f"line {line}, column {column}",
            f"YAML syntax error: the character #x{exc.character:04x} is not allowed ({exc.reason})"
            if isinstance(exc.character, int)
            else f"YAML syntax error: {exc.reason}",
        )
    problem = getattr(exc, "problem", None)
    if isinstance(exc, yaml.YAMLError) and problem:
        context = getattr(exc, "context", None)
        what = (
            "YAML error"
            if isinstance(exc, yaml.constructor.ConstructorError)
            else "YAML syntax error"
        )
        message = f"{what}: {problem}" + (f" ({context})" if context else "")
    elif isinstance(exc, RecursionError):
        message = "YAML nested too deeply"
    else:
        message = f"cannot read YAML: {exc}"
    return Problem(name, where, message)


def parse_yaml(text: str, name: str) -> Any:
    """The data of one YAML document; raises :class:`QuestionnaireError` for bad YAML."""
    try:
        data = yaml.load(text, Loader=StrictLoader)  # noqa: S506 - a safe loader, see above
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise QuestionnaireError([yaml_problem(name, exc, text)]) from None
    if _too_big(data):
        raise QuestionnaireError(
            [Problem(name, FILE, f"the document has more than {MAX_NODES} values")]
        )
    return data


def _too_big(data: Any) -> bool:
    """Whether ``data`` has more than MAX_NODES values, counting shared (aliased) ones each
    time they are used, without ever walking more than MAX_NODES of them."""
    count = 0
    stack = [data]
    while stack:
        count += 1
        if count > MAX_NODES:
            return True
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set):
            stack.extend(item)
    return False


def read_text(path: Path, name: str) -> str:
    """A file's text; raises :class:`QuestionnaireError` when it can't be read."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise QuestionnaireError(
                [Problem(name, FILE, f"the file is larger than {MAX_BYTES // 1024} KiB")]
            )
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise QuestionnaireError([Problem(name, FILE, "no such file")]) from None
    except UnicodeDecodeError as exc:
        raise QuestionnaireError([Problem(name, FILE, f"not UTF-8 text ({exc.reason})")]) from None
    except OSError as exc:
        raise QuestionnaireError([Problem(name, FILE, f"cannot read: {exc.strerror}")]) from None


def from_text(text: str, name: str) -> Source:
    return Source(parse_yaml(text, name), name)


def from_file(path: Path) -> Source:
    name = str(path)
    text = read_text(path, name)
    return Source(parse_yaml(text, name), name, files={path.name: text})


def is_folder_questionnaire(path: Path) -> bool:
    return path.is_dir() and (path / MARKER).is_file()


def folder_files(folder: Path) -> list[Path]:
    """The files of a folder questionnaire, in the order they are joined."""
    others = sorted(
        (p for p in _yaml_files(folder) if p != folder / MARKER),
        key=lambda p: p.relative_to(folder).as_posix(),
    )
    return [folder / MARKER, *others]


def _yaml_files(folder: Path) -> Iterator[Path]:
    for path in folder.rglob("*"):
        relative = path.relative_to(folder).parts
        if any(part.startswith(".") for part in relative):
            continue
        if path.is_file() and path.suffix in SUFFIXES:
            yield path


def from_folder(folder: Path) -> Source:
    """The files of a folder questionnaire, joined into one document."""
    texts: dict[str, str] = {}
    problems: list[Problem] = []
    for path in folder_files(folder):
        try:
            texts[path.relative_to(folder).as_posix()] = read_text(path, str(path))
        except QuestionnaireError as exc:
            problems.extend(exc.problems)
    return _joined(texts, folder, problems)


def from_files(files: Mapping[str, str], origin: str) -> Source:
    """The questionnaire in ``files`` (as :attr:`Source.files` holds them), read as the
    files were: one file, or a folder's files joined; ``origin`` names it in problems."""
    if len(files) == 1 and MARKER not in files:
        ((relative, text),) = files.items()
        name = f"{origin}/{relative}"
        return Source(parse_yaml(text, name), name, files=dict(files))
    if MARKER not in files:
        raise QuestionnaireError([Problem(origin, FILE, f"a folder questionnaire needs {MARKER}")])
    return _joined(files, Path(origin), [])


def _joined(texts: Mapping[str, str], folder: Path, problems: list[Problem]) -> Source:
    """The texts of a folder's files (``questionnaire.yaml`` first, then in path order)
    joined into one document; raises with ``problems`` and every problem found here."""
    order = sorted(texts, key=lambda relative: (relative != MARKER, relative))
    joined: dict[str, Any] = {}
    source = Source(joined, str(folder / MARKER), files={r: texts[r] for r in order})
    for relative in order:
        name = str(folder / relative)
        try:
            data = parse_yaml(texts[relative], name)
        except QuestionnaireError as exc:
            problems.extend(exc.problems)
            continue
        if data is None:
            problems.append(Problem(name, FILE, "the file is empty"))
            continue
        if not isinstance(data, dict):
            problems.append(
                Problem(name, TOP, "expected a mapping of keys (id, title, sections ...)")
            )
            continue
        _join(source, name, data, problems)
    if problems:
        raise QuestionnaireError(problems)
    return source


def _join(source: Source, name: str, data: dict[Any, Any], problems: list[Problem]) -> None:
    joined: dict[Any, Any] = source.data
    for key, value in data.items():
        if key in LIST_KEYS:
            if not isinstance(value, list):
                problems.append(Problem(name, str(key), "expected a list"))
                continue
            items = joined.setdefault(key, [])
            for local, item in enumerate(value):
                source.parts[(key, len(items))] = (name, local)
                items.append(item)
            source.keys.setdefault(key, name)
        elif key in joined:
            first = source.keys.get(str(key), source.main)
            problems.append(Problem(name, str(key), f"already set in {first}"))
        else:
            joined[key] = value
            source.keys[str(key)] = name
