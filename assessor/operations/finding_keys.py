"""What matches a finding across rounds and methods: its stable key.

Kept apart from :mod:`assessor.operations.rescoring` (which re-exports it) so that the
modules that match findings (actions, rounds, the round comparison) import it without
pulling in the re-scoring and render-queue chain, which imports them in turn.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def finding_key(finding: Mapping[str, Any]) -> str:
    """What matches a finding across methods: its stable key (responsibility or rule id
    and kind family) where the engine gives one, else its id."""
    key = finding.get("key")
    return str(key) if key else str(finding["id"])
