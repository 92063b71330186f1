"""The content hash of a questionnaire: what an assessment is pinned to.

The hash is the sha256 of a canonical JSON of the validated content (the ``hash`` field
itself left out): keys sorted, no whitespace, conditions in their file form.  It does not
change with the key order, quoting, comments or layout of the files, nor with how the
content is split into files; it changes whenever any text, score, weight, condition or rule
changes.  Values equal to the schema's defaults are left out, so that adding an optional
field to the schema later does not change the hash of every questionnaire already in use.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from assessor.questionnaire.schema import Questionnaire


def canonical_content(q: Questionnaire) -> dict[str, Any]:
    """The content the hash covers, as plain JSON values."""
    return q.model_dump(mode="json", by_alias=True, exclude={"hash"}, exclude_defaults=True)


def canonical_json(q: Questionnaire) -> str:
    return json.dumps(
        canonical_content(q),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )


def content_hash(q: Questionnaire) -> str:
    """sha256, in hex, of the questionnaire's canonical JSON."""
    return hashlib.sha256(canonical_json(q).encode("utf-8")).hexdigest()
