"""The loaded questionnaires, found by id and version (the latest by default)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType

from assessor.questionnaire.schema import Questionnaire


class Catalog:
    """Questionnaires by ``(id, version)``; several versions of one id live side by side.

    A questionnaire loaded from files keeps the texts it was loaded from (:meth:`files`),
    so that exactly what was loaded can be stored, and where they are (:meth:`path`).
    """

    def __init__(self, questionnaires: Iterable[Questionnaire] = ()) -> None:
        self._items: dict[tuple[str, int], Questionnaire] = {}
        self._files: dict[tuple[str, int], Mapping[str, str]] = {}
        self._paths: dict[tuple[str, int], str] = {}
        for q in questionnaires:
            self.add(q)

    def add(
        self, q: Questionnaire, files: Mapping[str, str] | None = None, path: str | None = None
    ) -> None:
        """Add ``q``, with the ``files`` it was loaded from (relative path -> YAML text) and
        the ``path`` of the file or folder; :raise ValueError: when that id and version is
        already in."""
        if q.key in self._items:
            raise ValueError(f"questionnaire {q.id} version {q.version} is already loaded")
        self._items[q.key] = q
        if files is not None:
            self._files[q.key] = MappingProxyType(dict(files))
        if path is not None:
            self._paths[q.key] = path

    def files(self, q: Questionnaire) -> Mapping[str, str] | None:
        """The texts ``q`` was loaded from (relative path -> YAML text), when this catalog
        holds that very content; None otherwise."""
        if self.find(q.id, q.version, q.hash) is None:
            return None
        return self._files.get(q.key)

    def path(self, q: Questionnaire) -> str | None:
        """The file or folder ``q``'s id and version was loaded from, if known."""
        return self._paths.get(q.key)

    def versions(self, id: str) -> list[int]:
        """The versions loaded for ``id``, oldest first."""
        return sorted(version for qid, version in self._items if qid == id)

    def get(self, id: str, version: int | None = None) -> Questionnaire:
        """The questionnaire ``id`` at ``version``, or when None its latest version that is
        not a draft (a draft is only ever had by asking for its version).

        :raise KeyError: when no such questionnaire or version is loaded.
        """
        versions = self.versions(id)
        if not versions:
            loaded = ", ".join(sorted({qid for qid, _ in self._items})) or "none"
            raise KeyError(f"no questionnaire {id!r} (loaded: {loaded})")
        if version is None:
            published = [v for v in versions if not self._items[(id, v)].draft]
            if not published:
                listed = ", ".join(str(v) for v in versions)
                raise KeyError(
                    f"questionnaire {id!r} has only drafts (versions: {listed}): name the version"
                )
            version = published[-1]
        found = self._items.get((id, version))
        if found is None:
            listed = ", ".join(str(v) for v in versions)
            raise KeyError(f"questionnaire {id!r} has no version {version} (versions: {listed})")
        return found

    def find(
        self, id: str, version: int | None = None, hash: str | None = None
    ) -> Questionnaire | None:
        """Like :meth:`get`, but None when not found, or when ``hash`` is given and differs."""
        try:
            found = self.get(id, version)
        except KeyError:
            return None
        if hash is not None and found.hash != hash:
            return None
        return found

    def all(self) -> list[Questionnaire]:
        """Every questionnaire, drafts too, sorted by id then version."""
        return [self._items[key] for key in sorted(self._items)]

    def offered(self) -> list[Questionnaire]:
        """The questionnaires new assessments may start from: every one but the drafts,
        sorted by id then version."""
        return [q for q in self.all() if not q.draft]

    def __contains__(self, key: object) -> bool:
        """``"id" in catalog`` (any version) or ``("id", 2) in catalog``."""
        if isinstance(key, str):
            return any(qid == key for qid, _ in self._items)
        return isinstance(key, tuple) and any(key == item for item in self._items)

    def __iter__(self) -> Iterator[Questionnaire]:
        return iter(self.all())

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        listed = ", ".join(f"{qid} v{version}" for qid, version in sorted(self._items))
        return f"<Catalog {listed}>"
