"""Stored questionnaire versions, loaded again from their files, once per content hash.

An assessment is pinned to the content hash of the questionnaire it started with, and the
YAML files of that questionnaire are kept (by the service, in its database) under that
hash.  :class:`Versions` loads such files and keeps what it loaded by hash, so that a busy
server parses each version once, whatever the files on disk hold meanwhile.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Mapping

from assessor.questionnaire.loader import load_files
from assessor.questionnaire.schema import Questionnaire

log = logging.getLogger(__name__)


class Versions:
    """Questionnaires loaded from stored files, by content hash; the ``size`` used last."""

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._items: OrderedDict[str, Questionnaire] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, hash: str) -> Questionnaire | None:
        """The questionnaire loaded earlier under ``hash``, if it is still kept."""
        with self._lock:
            found = self._items.get(hash)
            if found is not None:
                self._items.move_to_end(hash)
            return found

    def load(self, hash: str, files: Mapping[str, str], origin: str) -> Questionnaire:
        """The questionnaire in ``files``, stored under ``hash``: kept from an earlier load,
        else loaded (``origin`` names the files in problems) and kept.

        The questionnaire keeps ``hash`` as its own: what an assessment is pinned to does
        not move if a later release of the hashing (or of the schema's defaults) would
        hash the same files differently; that is logged.

        :raise QuestionnaireError: when the files no longer load.
        """
        found = self.get(hash)
        if found is not None:
            return found
        q = load_files(files, origin)
        if q.hash != hash:
            log.warning(
                "%s: the stored files hash to %s now, not %s as stored; kept as stored",
                origin,
                q.hash[:12],
                hash[:12],
            )
            q = q.model_copy(update={"hash": hash})
        with self._lock:
            self._items[hash] = q
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return q

    def __len__(self) -> int:
        return len(self._items)
