"""What is wrong with a questionnaire file: one :class:`Problem` per fault, and the error
that carries them."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

#: A location inside the questionnaire data, as pydantic gives it: ``("sections", 2, "id")``.
Loc = tuple[int | str, ...]

#: The location of a problem with a file as a whole (missing, unreadable, empty).
FILE = "file"
#: The location of the document's top level (``id``, ``title`` ... missing).
TOP = "top level"


@dataclass(frozen=True, slots=True)
class Problem:
    """One fault: the file, where in it (``sections[2].questions[4].show_if``), and what."""

    file: str
    location: str
    message: str

    def __post_init__(self) -> None:
        # One problem, one line: a value quoted in a message may hold line breaks.
        for name in ("location", "message"):
            value = getattr(self, name)
            if "\n" in value or "\r" in value:
                object.__setattr__(self, name, " ".join(value.split()))

    def __str__(self) -> str:
        return f"{self.file}: {self.location}: {self.message}"


class QuestionnaireError(Exception):
    """A questionnaire could not be loaded; ``problems`` says why, one line each."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems) or "invalid questionnaire")


def format_loc(loc: Loc) -> str:
    """``("sections", 2, "questions", 4, "show_if")`` -> ``sections[2].questions[4].show_if``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or TOP


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` when one of ``candidates`` is close to ``word``, else ``""``."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""
