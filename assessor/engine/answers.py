"""Answer validation: a whole ANSWERS.json document (:func:`parse_answers_document`); one
raw answer is checked by its kind (:func:`assessor.engine.question_kinds.coerce_answer`,
re-exported here).

Used at the edges (the command line, the web forms), so the engine itself can trust
what it is given.  Every error is one line that says what is wrong; document errors
start with the path inside the document: ``respondents[1].answers.sec_training:
'sometimes' is not one of 0, 1, 2, 3, 4``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assessor.engine.question_kinds import AnswerError, coerce_answer, one_of, show

__all__ = [
    "AnswerError",
    "AnswersDocument",
    "AnswersFileError",
    "coerce_answer",
    "parse_answers_document",
    "show",
]
from assessor.engine.questionnaire_index import index_for
from assessor.engine.result import Respondent
from assessor.questionnaire.schema import (
    MATURITY_NAMES,
    RESPONDENT_ROLES,
    Questionnaire,
    RespondentRole,
)

#: The longest comment accepted on one question.
MAX_COMMENT = 5000


class AnswersFileError(ValueError):
    """An answers document that cannot be used; the message starts with the path in it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- the ANSWERS.json document --------------------------------------------------------


class CatalogLike(Protocol):
    """What :func:`parse_answers_document` needs of a questionnaire catalog."""

    def get(self, id: str, version: int | None = None, /) -> Questionnaire:
        """The questionnaire (latest version unless given); KeyError when unknown."""
        ...


class _Respondent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    role: RespondentRole
    answers: dict[str, Any] = Field(default_factory=dict)
    comments: dict[str, str] = Field(default_factory=dict)


class _Organization(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str = Field(default="", max_length=200)


class _Document(BaseModel):
    model_config = ConfigDict(extra="forbid")

    questionnaire: str = Field(min_length=1)
    version: int | None = Field(default=None, ge=1)
    organization: _Organization = Field(default_factory=_Organization)
    respondents: list[_Respondent] = Field(min_length=1)
    targets: dict[str, int] = Field(default_factory=dict)


class AnswersDocument(tuple[Questionnaire, tuple[Respondent, ...], dict[str, Any]]):
    """``(questionnaire, respondents, organization)``, plus the document's ``targets``."""

    targets: dict[str, int]

    def __new__(
        cls,
        questionnaire: Questionnaire,
        respondents: tuple[Respondent, ...],
        organization: dict[str, Any],
        targets: dict[str, int],
    ) -> AnswersDocument:
        self = super().__new__(cls, (questionnaire, respondents, organization))
        self.targets = targets
        return self

    @property
    def questionnaire(self) -> Questionnaire:
        return self[0]

    @property
    def respondents(self) -> tuple[Respondent, ...]:
        return self[1]

    @property
    def organization(self) -> dict[str, Any]:
        return self[2]


def parse_answers_document(data: object, catalog: CatalogLike) -> AnswersDocument:
    """Check an ANSWERS.json document (already parsed from JSON) and coerce its answers.

    Unpacks as ``questionnaire, respondents, organization``; ``.targets`` holds the
    document's target maturity per domain.

    :raise AnswersFileError: the first problem, with its path in the document.
    """
    try:
        document = _Document.model_validate(data)
    except ValidationError as exc:
        raise AnswersFileError(_pydantic_message(exc)) from None

    questionnaire = _questionnaire(catalog, document.questionnaire, document.version)
    questions = questionnaire.questions
    seen: set[str] = set()
    respondents: list[Respondent] = []
    for n, item in enumerate(document.respondents):
        where = f"respondents[{n}]"
        if item.name in seen:
            raise AnswersFileError(f"{where}.name: {show(item.name)} names two respondents")
        seen.add(item.name)
        answers: dict[str, Any] = {}
        for qid, raw in item.answers.items():
            question = questions.get(qid)
            if question is None:
                raise AnswersFileError(f"{where}.answers{_key(qid)}: unknown question")
            try:
                value = coerce_answer(question, raw)
            except AnswerError as exc:
                raise AnswersFileError(f"{where}.answers{_key(qid)}: {exc.message}") from None
            if value is not None:
                answers[qid] = value
        for qid, comment in item.comments.items():
            path = f"{where}.comments{_key(qid)}"
            if qid not in questions:
                raise AnswersFileError(f"{path}: unknown question")
            if "\x00" in comment or len(comment) > MAX_COMMENT:
                raise AnswersFileError(
                    f"{path}: not plain text of at most {MAX_COMMENT} characters"
                )
        respondents.append(
            Respondent(
                name=item.name,
                role=item.role,
                answers=MappingProxyType(answers),
                comments=MappingProxyType(dict(item.comments)),
            )
        )

    domains = [domain.id for domain in index_for(questionnaire).domains]
    for domain, target in document.targets.items():
        if domain not in domains:
            raise AnswersFileError(
                f"targets{_key(domain)}: unknown domain (one of {one_of(domains)})"
            )
        if not 0 <= target < len(MATURITY_NAMES):
            raise AnswersFileError(
                f"targets{_key(domain)}: {target} is not one of "
                f"{one_of(range(len(MATURITY_NAMES)))}"
            )
    return AnswersDocument(
        questionnaire,
        tuple(respondents),
        document.organization.model_dump(),
        dict(document.targets),
    )


def _questionnaire(catalog: CatalogLike, qid: str, version: int | None) -> Questionnaire:
    try:
        return catalog.get(qid, version)
    except KeyError:
        pass
    if version is not None:
        try:
            catalog.get(qid)
        except KeyError:
            pass
        else:
            raise AnswersFileError(f"version: questionnaire {show(qid)} has no version {version}")
    raise AnswersFileError(f"questionnaire: unknown questionnaire {show(qid)}")


_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_-]{1,60}$")


def _key(key: object) -> str:
    """A path step for a mapping key: ``.sec_training``, or ``['odd key']``."""
    if isinstance(key, str) and _PLAIN_KEY.match(key):
        return f".{key}"
    return f"[{show(key)}]"


def _path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for step in loc:
        path += f"[{step}]" if isinstance(step, int) else _key(step)
    return path.lstrip(".")


_MESSAGES: Mapping[str, str] = {
    "missing": "is required",
    "extra_forbidden": "unknown key",
    "dict_type": "must be an object",
    "list_type": "must be a list",
    "string_type": "must be text",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "model_type": "must be an object",
}


def _pydantic_message(exc: ValidationError) -> str:
    error = exc.errors(include_url=False)[0]
    loc = tuple(error["loc"])
    kind = error["type"]
    path = _path(loc)
    if not loc:
        return "the document must be a JSON object"
    if loc == ("respondents",) and kind == "too_short":
        return "respondents: at least one respondent is needed"
    if loc[-1] == "role" and kind == "literal_error":
        message = f"{show(error.get('input'))} is not one of {one_of(RESPONDENT_ROLES)}"
    elif kind in _MESSAGES:
        message = _MESSAGES[kind]
        if kind not in ("missing", "extra_forbidden"):
            message += f", got {show(error.get('input'))}"
    else:
        text = str(error["msg"])
        message = text[:1].lower() + text[1:]
    return f"{path}: {message}"
