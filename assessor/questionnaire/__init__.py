"""Questionnaires: the file format, its loader and validator, content hashes, a catalog.

A questionnaire is data, in YAML, under ``questionnaires/``: one file, or a folder
holding ``questionnaire.yaml`` and further ``*.yaml`` files read as one (see
:mod:`.source`).  Nothing here imports Flask.

The format
----------
Top level: ``id``, ``version``, ``title``, ``description``, ``model`` (the
responsibilities: ``id``, ``domain``, ``title``, ``accountable``, ``consulted``,
``references``), ``sections`` and ``rules``.  A section is one domain of the model
(its ``id`` is the ``domain`` of the responsibilities its questions evidence) with
``title``, ``intro`` and ``questions``; a section whose questions evidence no
responsibility (``context``) describes the organisation.

A question has a stable ``id``, a ``kind`` and its ``text``/``help``:

* ``owner``: the answer is a role code (CIO, CISO, SHARED, EXEC, NONE), compared with
  the model's accountable role; ``maturity``: 0-4, with ``levels``, five descriptions
  written for the question.  Both need a ``responsibility``.
* ``choice``, ``multi``: ``options`` with ``value``, ``label`` and optionally ``score``
  (0..1; all options of a question are scored, or none); ``yesno``: yes / no / unknown,
  with ``options`` only to score them; ``number`` (``min``, ``max``); ``text``.
* ``weight`` (> 0), ``required``, ``show_if`` (a condition over earlier questions), and
  ``context: true`` for a question that describes the organisation instead of scoring it.

Edition 2 of the model (``docs/questionnaire-format.md``): ``status: draft`` (loaded,
checked and scored, never offered for new assessments nor the default), ``roles``,
per responsibility ``alternatives`` (a role, and the ``when`` condition and/or
``structure`` rule under which it fits), ``structure`` rules, ``regulations`` (when each
applies, ``yields_to``, its ``reference_kinds``) and typed references
(:mod:`.references`); :mod:`.model_schema` and :mod:`.validate_model` hold them.

Conditions
----------
Plain data, no expressions: ``{all: [...]}``, ``{any: [...]}``, ``{not: ...}``, a
comparison ``{q: QUESTION_ID, OP: VALUE}`` with exactly one OP of ``eq``, ``ne``, ``in``,
``not_in`` (a list), ``gt``, ``gte``, ``lt``, ``lte`` (number and maturity questions)
or ``answered`` (true/false), and ``{respondent_role: CIO}`` (rules only: true when the
answers are one respondent's, of that role).  Values must be answers the question can
take (role codes, levels, option values).  An unanswered (or hidden) question makes
every comparison false except ``ne`` and ``answered: false``; against a ``multi``
answer ``eq``/``ne`` test membership and ``in``/``not_in`` overlap (the engine's
:mod:`assessor.engine.conditions` evaluates them).

Rules and placeholders
----------------------
A rule has an ``id``, a ``when`` condition and a ``finding``: ``title``, ``kind``,
``severity``, ``responsibility``, ``act`` (the role who should act),
``recommendation``, ``effort``, ``references``.  The engine derives the generic
findings (orphaned, misplaced, ambiguous, immature) for every owner and maturity
question itself; rules add what the model can't see.

A finding's ``title`` and ``recommendation`` may hold placeholders, filled by the
engine: ``{QUESTION_ID}`` becomes the display label of that question's answer (the
actual owner, say), ``{organization}`` the organisation's name and ``{respondent}``
the respondent's.  Any other name in braces, or a brace that is not part of a
placeholder, is a validation error.

The API
-------
:func:`load_file`, :func:`load_text` (raise :class:`QuestionnaireError`, whose
``problems`` are :class:`Problem` lines ``FILE: location: message``),
:func:`load_paths` (a :class:`Catalog` and the problems, never raising for bad
content), :func:`load_files` (a questionnaire from the texts of its files, as the catalog
keeps them, to be stored), :class:`Versions` (stored versions loaded once per content
hash), :func:`content_hash`, :func:`to_json_dict`, and the schema's classes.
"""

from __future__ import annotations

from assessor.questionnaire.catalog import Catalog
from assessor.questionnaire.export import to_json_dict
from assessor.questionnaire.hashing import content_hash
from assessor.questionnaire.loader import load_data, load_file, load_files, load_paths, load_text
from assessor.questionnaire.problems import Problem, QuestionnaireError
from assessor.questionnaire.schema import (
    COMPARE_OPS,
    KINDS_WITH_OPTIONS,
    MATURITY_NAMES,
    OWNER_CODES,
    OWNER_LABELS,
    RESPONDENT_ROLES,
    ROLE_CODES,
    YESNO_VALUES,
    AllOf,
    Alternative,
    AnyOf,
    Compare,
    Condition,
    Effort,
    FindingKind,
    FindingTemplate,
    NotOf,
    Option,
    OwnerCode,
    Question,
    QuestionKind,
    Questionnaire,
    Regulation,
    RespondentRole,
    Responsibility,
    Role,
    RoleCode,
    RoleIs,
    Rule,
    Scalar,
    Section,
    Severity,
    Strict,
    StructureRule,
)
from assessor.questionnaire.validate import FIXED_PLACEHOLDERS, PLACEHOLDER
from assessor.questionnaire.versions import Versions

__all__ = [
    "COMPARE_OPS",
    "FIXED_PLACEHOLDERS",
    "KINDS_WITH_OPTIONS",
    "MATURITY_NAMES",
    "OWNER_CODES",
    "OWNER_LABELS",
    "PLACEHOLDER",
    "RESPONDENT_ROLES",
    "ROLE_CODES",
    "YESNO_VALUES",
    "AllOf",
    "Alternative",
    "AnyOf",
    "Catalog",
    "Compare",
    "Condition",
    "Effort",
    "FindingKind",
    "FindingTemplate",
    "NotOf",
    "Option",
    "OwnerCode",
    "Problem",
    "Question",
    "QuestionKind",
    "Questionnaire",
    "QuestionnaireError",
    "Regulation",
    "Responsibility",
    "RespondentRole",
    "Role",
    "RoleCode",
    "RoleIs",
    "Rule",
    "Scalar",
    "Section",
    "Severity",
    "Strict",
    "StructureRule",
    "Versions",
    "content_hash",
    "load_data",
    "load_file",
    "load_files",
    "load_paths",
    "load_text",
    "to_json_dict",
]
