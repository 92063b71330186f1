"""Question kinds: one object per kind, in one registry (:data:`KINDS`).

A kind says everything the engine needs to know about its answers: how a raw answer is
parsed and checked (:meth:`QuestionKind.parse`, whose :class:`AnswerError` message is
what the form, the autosave and the command line show), the canonical value the engine
keeps (:meth:`~QuestionKind.normaliser`), an answer's score against the model
(:meth:`~QuestionKind.scorer`), its label, formatted once for every page, report and
export (:meth:`~QuestionKind.labeller`), how it reads in a sentence
(:meth:`~QuestionKind.phrase`), whether two respondents' answers differ
(:meth:`~QuestionKind.differ`), and what a condition's operand means for it
(:meth:`~QuestionKind.operand`).  The web side keeps one field factory per kind name.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, NamedTuple

from assessor.engine.wording import ROLE_PHRASES, YESNO_PHRASES, format_number
from assessor.questionnaire.schema import MATURITY_NAMES, ROLE_CODES, Question, Responsibility

#: Returned by a normaliser for a value the question cannot take.
INVALID: Any = object()
MAX_LEVEL = 4
#: Maturity levels this far apart are a perception gap.
MATURITY_GAP = 2
#: The option value of "Don't know": an answer the scores treat exactly as no answer.
DONT_KNOW = "unknown"


class AnswerError(ValueError):
    """A raw answer the question cannot take; ``message`` says why, in one line."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Entry(NamedTuple):
    """One answer a single-value question can take."""

    value: Any
    #: 0.0-1.0, or None when this answer is not scored.
    score: float | None
    label: str


#: A single-value question's answers: each value (as given) -> its entry.
Table = dict[Any, Entry]
Scorer = Callable[[Any], float | None]


def show(value: object) -> str:
    """A short, one-line rendering of a raw value for an error message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        text = repr(value if len(value) <= 40 else value[:37] + "...")
        return text.replace("\n", "\\n")
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def one_of(values: Any) -> str:
    return ", ".join(str(v) for v in values)


class QuestionKind:
    """A kind of question whose answer is one of its options (choice; the base)."""

    name: ClassVar[str] = "choice"
    #: Whether respondents' answers are compared for perception gaps.
    compared: ClassVar[bool] = True
    #: Whether an answer is one hashable value, looked up in a :data:`Table`.
    single: ClassVar[bool] = True

    def values(self, question: Question) -> list[Any]:
        """Every answer a single-value question can take, in order."""
        return [option.value for option in question.all_options]

    def parse(self, question: Question, raw: object) -> Any:
        """The option value ``raw`` names: exact, or its text form ("2" for the integer 2).

        :raise AnswerError: ``raw`` is not something this question can take.
        """
        values = self.values(question)
        if not isinstance(raw, bool) and isinstance(raw, str | int):
            for value in values:
                if raw == value and type(raw) is type(value):
                    return value
            text = str(raw).strip()
            for value in values:
                if str(value) == text:
                    return value
        raise AnswerError(f"{show(raw)} is not one of {one_of(values)}")

    def table(self, question: Question, score: Scorer, label: Callable[[Any], str]) -> Table | None:
        """The lookup table of a single-value question; None for the other kinds."""
        if not self.single:
            return None
        return {v: Entry(v, score(v), label(v)) for v in self.values(question)}

    def normaliser(self, question: Question, table: Table | None) -> Callable[[Any], Any]:
        """A function from a coerced answer to its canonical value, or INVALID: the cheap
        guard that keeps a stray value from raising inside the engine."""
        lookup = table or {}

        def single(value: Any) -> Any:
            if value is True or value is False:  # True == 1: not an option's value
                return INVALID
            try:
                entry = lookup.get(value)
            except TypeError:
                return INVALID
            return INVALID if entry is None else entry.value

        return single

    def scorer(self, question: Question, responsibility: Responsibility | None) -> Scorer:
        """``score(value)``: 0.0-1.0, or None when this answer is not scored ("Don't know"
        never is: it is no answer)."""
        return _option_scores(question).get

    def dont_know(self, question: Question) -> Any:
        """The answer that means "Don't know" (treated exactly as no answer), or
        :data:`INVALID` when the question offers none."""
        has = any(option.value == DONT_KNOW for option in question.all_options)
        return DONT_KNOW if self.single and has else INVALID

    def extremes(self, question: Question, score: Scorer) -> tuple[Any, Any] | None:
        """The worst-scoring and the best-scoring answer (the first on a tie), or None
        when no two answers score differently."""
        scored = [(s, v) for v in self.values(question) if (s := score(v)) is not None]
        if not scored:
            return None
        worst = min(scored, key=lambda pair: pair[0])
        best = max(scored, key=lambda pair: pair[0])
        return None if worst[0] == best[0] else (worst[1], best[1])

    def labeller(self, question: Question, labels: Mapping[Any, str]) -> Callable[[Any], str]:
        """How an answer is shown everywhere: the option's label."""
        return lambda value: labels.get(value, str(value))

    def phrase(self, question: Question, value: Any, labels: Mapping[Any, str]) -> str:
        """How an answer reads after "says"."""
        return f'"{labels.get(value, str(value))}"'

    def differ(self, values: Sequence[Any]) -> bool:
        """Whether these answers of several respondents are a perception gap."""
        return len(set(values)) > 1

    def operand(self, question: Question, value: Any) -> Any:
        """The answer value a condition's operand stands for, in this kind's terms."""
        options = {str(option.value): option.value for option in question.all_options}
        key = str(value).lower() if isinstance(value, bool) else str(value)
        return options.get(key, value)


class OwnerKind(QuestionKind):
    """Who is accountable: a role code, compared with the model's accountable role."""

    name = "owner"

    def parse(self, question: Question, raw: object) -> Any:
        codes = question.owner_codes
        if isinstance(raw, str) and raw.strip().upper() in codes:
            return raw.strip().upper()
        raise AnswerError(f"{show(raw)} is not one of {one_of(codes)}")

    def scorer(self, question: Question, responsibility: Responsibility | None) -> Scorer:
        return (owner_scores(responsibility) if responsibility else {}).get

    def phrase(self, question: Question, value: Any, labels: Mapping[Any, str]) -> str:
        return ROLE_PHRASES.get(value, str(value))


def owner_scores(responsibility: Responsibility) -> dict[str, float]:
    """Alignment of each owner answer with the model: 1.0 for the accountable owner,
    0.5 for a partial fit (SHARED where one owner is wanted, a consulted role, or one
    half of a SHARED accountability), 0.0 for NONE, 0.25 for anyone else."""
    accountable = responsibility.accountable
    table: dict[str, float] = {}
    for code in ROLE_CODES:
        if code == accountable:
            table[code] = 1.0
        elif code == "NONE":
            table[code] = 0.0
        elif (
            code == "SHARED"
            or code in responsibility.consulted
            or (accountable == "SHARED" and code in ("CIO", "CISO"))
        ):
            table[code] = 0.5
        else:
            table[code] = 0.25
    return table


class MaturityKind(QuestionKind):
    """A maturity level 0-4, scored ``level / 4``."""

    name = "maturity"

    def values(self, question: Question) -> list[Any]:
        return list(range(len(question.levels) or MAX_LEVEL + 1))

    def parse(self, question: Question, raw: object) -> Any:
        levels = range(len(question.levels) or len(MATURITY_NAMES))
        level: object = raw
        if isinstance(raw, str):
            try:
                level = float(raw.strip())
            except ValueError:
                level = raw
        if isinstance(level, float) and level.is_integer():
            level = int(level)
        if isinstance(level, int) and not isinstance(level, bool) and level in levels:
            return level
        raise AnswerError(f"{show(raw)} is not one of {one_of(levels)}")

    def scorer(self, question: Question, responsibility: Responsibility | None) -> Scorer:
        return {level: level / MAX_LEVEL for level in range(MAX_LEVEL + 1)}.get

    def phrase(self, question: Question, value: Any, labels: Mapping[Any, str]) -> str:
        if isinstance(value, int):
            return f"level {value} ({MATURITY_NAMES[value]})"
        return super().phrase(question, value, labels)

    def differ(self, values: Sequence[Any]) -> bool:
        return bool(max(values) - min(values) >= MATURITY_GAP)

    def operand(self, question: Question, value: Any) -> Any:
        return _number_operand(value)


class YesNoKind(QuestionKind):
    """Yes, no or don't know; options, when given, only score them."""

    name = "yesno"

    def parse(self, question: Question, raw: object) -> Any:
        if isinstance(raw, bool):
            raw = "yes" if raw else "no"
        elif isinstance(raw, str):
            raw = raw.strip().lower()
        return super().parse(question, raw)

    def phrase(self, question: Question, value: Any, labels: Mapping[Any, str]) -> str:
        if value in YESNO_PHRASES:
            return YESNO_PHRASES[value]
        return super().phrase(question, value, labels)

    def differ(self, values: Sequence[Any]) -> bool:
        # "Don't know" differs from neither.
        return "yes" in values and "no" in values

    def operand(self, question: Question, value: Any) -> Any:
        if isinstance(value, bool):  # YAML's yes and no
            return "yes" if value else "no"
        return super().operand(question, value)


class MultiKind(QuestionKind):
    """Several options; the chosen scores are added, at most 1."""

    name = "multi"
    compared = False
    single = False

    def parse(self, question: Question, raw: object) -> Any:
        values = self.values(question)
        if not isinstance(raw, list | tuple):
            raise AnswerError(f"expected a list of {one_of(values)}, got {show(raw)}")
        chosen: list[Any] = []
        for item in raw:
            value = super().parse(question, item)
            if value in chosen:
                raise AnswerError(f"{show(item)} is listed twice")
            chosen.append(value)
        if len(chosen) > 1:
            for option in question.all_options:
                if option.exclusive and option.value in chosen:
                    raise AnswerError(
                        f'"{option.label}" cannot be ticked together with another answer: '
                        f"untick it or the others"
                    )
        return [value for value in values if value in chosen]

    def normaliser(self, question: Question, table: Table | None) -> Callable[[Any], Any]:
        order = {option.value: n for n, option in enumerate(question.all_options)}

        def multi(value: Any) -> Any:
            if not isinstance(value, list | tuple):
                return INVALID
            try:
                if any(isinstance(v, bool) or v not in order for v in value):
                    return INVALID
            except TypeError:
                return INVALID
            chosen = sorted(set(value), key=order.__getitem__)
            if len(chosen) != len(value):
                return INVALID
            return tuple(chosen)

        return multi

    def scorer(self, question: Question, responsibility: Responsibility | None) -> Scorer:
        scores = _option_scores(question)

        def multi(value: Any) -> float | None:
            chosen = [scores[v] for v in value if v in scores]
            return min(1.0, sum(chosen)) if chosen else None

        return multi

    def dont_know(self, question: Question) -> Any:
        has = any(option.value == DONT_KNOW for option in question.all_options)
        return (DONT_KNOW,) if has else INVALID

    def extremes(self, question: Question, score: Scorer) -> tuple[Any, Any] | None:
        scores = _option_scores(question)
        if not scores:
            return None
        worst = min(scores, key=scores.__getitem__)
        best = tuple(v for v in self.values(question) if scores.get(v, 0.0) > 0)
        if not best or score(best) == score((worst,)):
            return None
        return (worst,), best

    def labeller(self, question: Question, labels: Mapping[Any, str]) -> Callable[[Any], str]:
        return lambda value: ", ".join(labels.get(v, str(v)) for v in value) or "(none)"


class NumberKind(QuestionKind):
    """A finite number within the question's min and max."""

    name = "number"
    compared = False
    single = False

    def parse(self, question: Question, raw: object) -> Any:
        number: object = raw
        if isinstance(raw, str):
            try:
                number = float(raw.strip()) if raw.strip() else raw
            except ValueError:
                number = raw
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise AnswerError(f"{show(raw)} is not a number")
        try:
            finite = math.isfinite(number)
        except OverflowError:  # an integer too large for any float (JSON allows 4,000 digits)
            finite = False
        if not finite:
            raise AnswerError(f"{show(raw)} is not a finite number")
        if isinstance(number, float) and number.is_integer() and abs(number) < 2**53:
            number = int(number)
        if question.min is not None and number < question.min:
            raise AnswerError(f"{show(raw)} is less than the minimum, {_plain(question.min)}")
        if question.max is not None and number > question.max:
            raise AnswerError(f"{show(raw)} is more than the maximum, {_plain(question.max)}")
        return number

    def normaliser(self, question: Question, table: Table | None) -> Callable[[Any], Any]:
        def number(value: Any) -> Any:
            if isinstance(value, bool) or not isinstance(value, int | float):
                return INVALID
            return value if math.isfinite(value) else INVALID

        return number

    def labeller(self, question: Question, labels: Mapping[Any, str]) -> Callable[[Any], str]:
        return format_number

    def operand(self, question: Question, value: Any) -> Any:
        return _number_operand(value)


class TextKind(QuestionKind):
    """Free text without NUL bytes, at most ``max_length`` characters; never scored."""

    name = "text"
    compared = False
    single = False

    def parse(self, question: Question, raw: object) -> Any:
        if not isinstance(raw, str):
            raise AnswerError(f"expected text, got {show(raw)}")
        if "\x00" in raw:
            raise AnswerError("text contains a NUL byte")
        if len(raw) > question.max_length:
            raise AnswerError(f"text is longer than {question.max_length} characters")
        return raw

    def normaliser(self, question: Question, table: Table | None) -> Callable[[Any], Any]:
        return lambda value: value if isinstance(value, str) else INVALID

    def labeller(self, question: Question, labels: Mapping[Any, str]) -> Callable[[Any], str]:
        return str


def _option_scores(question: Question) -> dict[Any, float]:
    """Each scored option's score; "Don't know" is never scored."""
    return {
        o.value: float(o.score)
        for o in question.all_options
        if o.score is not None and o.value != DONT_KNOW
    }


def _plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _number_operand(value: Any) -> Any:
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() else number
    return value


#: Every question kind, by the name the questionnaire schema uses.
KINDS: dict[str, QuestionKind] = {
    kind.name: kind
    for kind in (
        OwnerKind(),
        MaturityKind(),
        QuestionKind(),
        MultiKind(),
        YesNoKind(),
        NumberKind(),
        TextKind(),
    )
}


def coerce_answer(question: Question, raw: object) -> Any:
    """The answer value ``raw`` stands for, or None for no answer (None or blank).

    :raise AnswerError: ``raw`` is not something this question can take.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    return KINDS[question.kind].parse(question, raw)
