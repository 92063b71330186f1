"""Governance-gap assessment service.

The application factory lives in :mod:`assessor.app`; it is imported on first use so
that the engine and the questionnaire loader can be used without Flask.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["create_app"]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then ``ASSESSOR_*`` environment variables, then ``config``."""
    from assessor.app import create_app as factory

    return factory(config)
