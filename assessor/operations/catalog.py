"""The loaded questionnaires, per app: loaded once, found by id and version."""

from __future__ import annotations

import logging

from flask import Flask, current_app

from assessor.questionnaire import Catalog, Questionnaire, load_paths

log = logging.getLogger(__name__)
_KEY = "assessor.catalog"


def init_catalog(app: Flask) -> Catalog:
    """Load every questionnaire under ``QUESTIONNAIRE_DIRS``; log (not raise) bad files."""
    catalog, problems = load_paths(app.config["QUESTIONNAIRE_DIRS"])
    for problem in problems:
        log.warning("questionnaire problem: %s", problem)
    app.extensions[_KEY] = catalog
    return catalog


def catalog() -> Catalog:
    """The current app's catalog."""
    found: Catalog | None = current_app.extensions.get(_KEY)
    return found if found is not None else init_catalog(current_app._get_current_object())  # type: ignore[attr-defined]


def questionnaire_for(questionnaire_id: str, version: int, content_hash: str) -> Questionnaire:
    """The exact questionnaire an assessment is pinned to.

    :raise LookupError: when that id, version and hash is no longer loaded.
    """
    found = catalog().find(questionnaire_id, version, content_hash)
    if found is None:
        raise LookupError(
            f"questionnaire {questionnaire_id} v{version} ({content_hash[:12]}) is not loaded"
        )
    return found
