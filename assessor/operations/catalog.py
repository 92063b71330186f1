"""The questionnaires: those on disk, loaded once per app, offered to new assessments; and
every version an assessment ever started with, stored in the database by content hash.

An assessment is pinned to its questionnaire's id, version and content hash.  Starting one
stores the YAML files of its questionnaire (as they were loaded) under that hash when no
assessment used that content before; loading an assessment's questionnaire then never
depends on the files on disk: a file changed on disk only changes what new assessments get.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app
from sqlalchemy import exists, inspect, select
from sqlalchemy.dialects import postgresql, sqlite

from assessor.extensions import db
from assessor.models import StoredQuestionnaire, utcnow
from assessor.questionnaire import Catalog, Questionnaire, QuestionnaireError, Versions, load_paths

log = logging.getLogger(__name__)
_KEY = "assessor.catalog"
_VERSIONS = "assessor.questionnaire-versions"


class QuestionnaireUnavailable(LookupError):
    """An assessment's questionnaire can't be loaded: the message says which and why."""


def init_catalog(app: Flask) -> Catalog:
    """Load every questionnaire under ``QUESTIONNAIRE_DIRS``; log (not raise) bad files."""
    catalog, problems = load_paths(app.config["QUESTIONNAIRE_DIRS"])
    for problem in problems:
        log.warning("questionnaire problem: %s", problem)
    app.extensions[_KEY] = catalog
    app.extensions[_VERSIONS] = Versions()
    return catalog


def catalog() -> Catalog:
    """The current app's catalog."""
    found: Catalog | None = current_app.extensions.get(_KEY)
    return found if found is not None else init_catalog(current_app._get_current_object())  # type: ignore[attr-defined]


def _versions() -> Versions:
    """The current app's stored versions, parsed once each."""
    found: Versions = current_app.extensions.setdefault(_VERSIONS, Versions())
    return found


def store_questionnaire(questionnaire: Questionnaire) -> None:
    """Store the files of ``questionnaire`` under its hash, unless stored already; in the
    caller's write transaction (call after ``begin_write``), which commits it.

    :raise ValueError: when the questionnaire is neither stored nor one loaded from files.
    """
    if db.session.scalar(select(exists().where(StoredQuestionnaire.hash == questionnaire.hash))):
        return
    files = catalog().files(questionnaire)
    if files is None:
        raise ValueError(
            f"questionnaire {questionnaire.id} version {questionnaire.version} "
            f"({questionnaire.hash[:12]}) was not loaded from files: it can't be stored"
        )
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # Two assessments starting at once on new content (PostgreSQL): one row, no error.
    db.session.execute(
        insert(StoredQuestionnaire)
        .values(
            questionnaire_id=questionnaire.id,
            version=questionnaire.version,
            hash=questionnaire.hash,
            files=dict(files),
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["hash"])
    )


def stored_hashes(questionnaire_id: str, version: int) -> list[str]:
    """The content hashes stored for that id and version, first stored first (an empty
    list when the database has none, or has no table for them yet)."""
    if not inspect(db.engine).has_table(StoredQuestionnaire.__tablename__):
        return []
    return list(
        db.session.scalars(
            select(StoredQuestionnaire.hash)
            .where(
                StoredQuestionnaire.questionnaire_id == questionnaire_id,
                StoredQuestionnaire.version == version,
            )
            .order_by(StoredQuestionnaire.id)
        )
    )


def questionnaire_for(questionnaire_id: str, version: int, content_hash: str) -> Questionnaire:
    """The exact questionnaire an assessment is pinned to: the copy on disk when it has that
    content, else the stored copy (parsed once per app and hash).

    :raise QuestionnaireUnavailable: when neither has it (an assessment started before
        questionnaires were stored, whose file has changed since), or the stored copy no
        longer loads.
    """
    versions = _versions()
    found = versions.get(content_hash)
    if found is None:
        found = catalog().find(questionnaire_id, version, content_hash)
    if found is not None and found.key == (questionnaire_id, version):
        return found
    row = db.session.execute(
        select(StoredQuestionnaire.files).where(
            StoredQuestionnaire.hash == content_hash,
            StoredQuestionnaire.questionnaire_id == questionnaire_id,
            StoredQuestionnaire.version == version,
        )
    ).first()
    name = f"questionnaire {questionnaire_id} version {version} (content {content_hash[:12]})"
    if row is None:
        raise QuestionnaireUnavailable(
            f"This assessment's {name} is not available: no copy of it was stored when the "
            "assessment started, and its file has changed since. Restoring the file as it "
            "was makes the assessment open again."
        )
    try:
        return versions.load(content_hash, row.files, f"stored {questionnaire_id} v{version}")
    except QuestionnaireError as exc:
        log.error("stored %s no longer loads: %s", name, exc)
        raise QuestionnaireUnavailable(
            f"This assessment's {name} is stored but no longer loads: {exc.problems[0]}"
        ) from None
