"""Pydantic's validation errors, turned into locations and messages a person can act on.

Pydantic's ``loc`` tuples carry internals: the tag of the condition type it tried
(``show_if.q.eq``), and one entry per member of a union (``eq.str``, ``eq.int``).  The
location is cleaned by walking it alongside the schema's own types, which also tells
which keys were allowed where a key is unknown or missing.
"""

from __future__ import annotations

import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from assessor.questionnaire.problems import Loc, did_you_mean
from assessor.questionnaire.schema import (
    AllOf,
    AnyOf,
    Compare,
    NotOf,
    Questionnaire,
    RoleIs,
)

#: The tag pydantic puts in a location for each kind of condition.
_TAGS: dict[str, type[BaseModel]] = {
    "all": AllOf,
    "any": AnyOf,
    "not": NotOf,
    "q": Compare,
    "respondent_role": RoleIs,
}

#: Errors about the type of a value, and how to name the type expected.
_TYPE_WORDS: dict[str, str] = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "tuple_type": "a list",
    "list_type": "a list",
    "dict_type": "a mapping (key: value)",
    "model_type": "a mapping (key: value)",
    "model_attributes_type": "a mapping (key: value)",
}

#: Titles that the role code EXEC stands for.
_EXECUTIVES = ("CEO", "BOARD", "CFO", "COO", "EXECUTIVE")

_PATTERNS: dict[str, str] = {
    r"^[a-z][a-z0-9_]*$": "lowercase letters, digits and _, starting with a letter",
    r"^[a-z][a-z0-9-]*$": "lowercase letters, digits and -, starting with a letter",
    r"^[A-Z]{2,5}-[0-9]{1,3}$": "2 to 5 capital letters, a hyphen and a number, like SEC-3",
}


def describe(value: Any) -> str:
    """A short description of a value found in a file, for messages."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"text {shown!r}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return f"a {type(value).__name__}"


def pydantic_problems(exc: ValidationError) -> list[tuple[Loc, str]]:
    """Every error of ``exc`` as ``(location, message)``, in pydantic's order, deduplicated."""
    out: dict[tuple[Loc, str], None] = {}
    typed: dict[Loc, list[ErrorDetails]] = {}
    #: (location, message); None as message where the type errors at that place are joined.
    order: list[tuple[Loc, str | None]] = []
    for error in exc.errors(include_url=False):
        if _spurious(error):
            continue
        loc, owner, end = _walk(error["loc"])
        if error["type"] in _TYPE_WORDS:
            if loc not in typed:
                typed[loc] = []
                order.append((loc, None))
            typed[loc].append(error)
            continue
        where, message = _message(error, loc, owner, end)
        order.append((where, message))
    for loc, found in order:
        out[(loc, found if found is not None else _type_message(loc, typed[loc]))] = None
    return list(out)


def _spurious(error: ErrorDetails) -> bool:
    """Pydantic reports a list as too short when its items failed; the items say why."""
    if error["type"] != "too_short":
        return False
    value = error.get("input")
    minimum = (error.get("ctx") or {}).get("min_length", 0)
    return isinstance(value, list | tuple) and len(value) >= minimum


def _message(
    error: ErrorDetails, loc: Loc, owner: type[BaseModel] | None, end: Any
) -> tuple[Loc, str]:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind == "missing":
        return loc[:-1], f"missing required key {loc[-1]!r}"
    if kind == "extra_forbidden":
        key = str(loc[-1])
        hint = did_you_mean(key, _keys(owner)) if owner else ""
        return loc[:-1], f"unknown key {key!r}{hint}"
    if kind == "invalid_key":
        return loc[:-1], f"a key must be text, not {describe(value)}"
    if kind == "invalid":
        return loc + _split(str(ctx.get("at", ""))), str(ctx.get("message", error["msg"]))
    if kind == "literal_error":
        return loc, _literal_message(value, end, str(ctx.get("expected", "")))
    if kind == "condition":
        return loc, _condition_message(value)
    if kind == "string_pattern_mismatch":
        rule = _PATTERNS.get(str(ctx.get("pattern")), f"the pattern {ctx.get('pattern')}")
        return loc, f"{describe(value)} is not a valid id: use {rule}"
    if kind == "string_too_short":
        return loc, "must not be empty"
    if kind == "too_short":
        return loc, f"needs at least {ctx.get('min_length')} item(s)"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        words = {
            "greater_than": "greater than",
            "greater_than_equal": "at least",
            "less_than": "less than",
            "less_than_equal": "at most",
        }[kind]
        bound = next(iter(ctx.values()), "")
        if isinstance(bound, float) and bound.is_integer():
            bound = int(bound)
        return loc, f"must be {words} {bound}, not {value}"
    if kind == "finite_number":
        return loc, f"must be a finite number, not {value}"
    if kind == "recursion_loop":
        return loc, "nested too deeply"
    return loc, str(error["msg"])


def _type_message(loc: Loc, errors: list[ErrorDetails]) -> str:
    words = list(dict.fromkeys(_TYPE_WORDS[e["type"]] for e in errors))
    if "a number" in words and "a whole number" in words:
        words.remove("a whole number")
    expected = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
    found = describe(errors[0].get("input"))
    if loc and loc[-1] in ("in", "not_in") and words == ["a list"]:
        return f"{loc[-1]!r} needs a list of values, like [a, b]; found {found}"
    return f"expected {expected}, found {found}"


def _literal_message(value: Any, end: Any, expected: str) -> str:
    allowed = [str(a) for a in get_args(end)] if get_origin(end) is Literal else []
    listed = ", ".join(allowed) if allowed else expected
    if not isinstance(value, str):
        return f"expected one of: {listed}; found {describe(value)}"
    hint = did_you_mean(value, allowed)
    if not hint and "EXEC" in allowed and value.upper() in _EXECUTIVES:
        hint = " (the CEO, the board or another executive is EXEC)"
    return f"{value!r} is not one of: {listed}{hint}"


def _condition_message(value: Any) -> str:
    text = "expected a condition: a mapping with one of the keys all, any, not, q, respondent_role"
    if isinstance(value, dict) and value:
        keys = ", ".join(str(k) for k in value)
        hints = [did_you_mean(str(k), _TAGS) for k in value]
        hint = next((h for h in hints if h), "")
        return f"{text}; found the keys {keys}{hint}"
    return f"{text}; found {describe(value)}"


def _split(path: str) -> Loc:
    return tuple(int(p) if p.isdigit() else p for p in path.split(".") if p)


def _keys(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def _field(model: type[BaseModel], key: str) -> FieldInfo | None:
    for name, field in model.model_fields.items():
        if key in (name, field.alias):
            return field
    return None


def _members(tp: Any) -> list[Any]:
    """The types a (possibly Annotated, possibly union) type stands for, flattened."""
    origin = get_origin(tp)
    if origin is Annotated:
        return _members(get_args(tp)[0])
    if origin in (Union, types.UnionType):
        return [m for arg in get_args(tp) for m in _members(arg)]
    return [tp]


def _unwrap(tp: Any) -> Any:
    """``tp`` without Annotated wrappers and without ``| None``."""
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
            continue
        if origin in (Union, types.UnionType):
            args = [a for a in get_args(tp) if a is not type(None)]
            if len(args) == 1:
                tp = args[0]
                continue
        return tp


def _walk(raw: tuple[int | str, ...]) -> tuple[Loc, type[BaseModel] | None, Any]:
    """Pydantic's ``raw`` location, cleaned; the model holding its last key; the type there."""
    tp: Any = Questionnaire
    owner: type[BaseModel] | None = None
    out: list[int | str] = []
    for part in raw:
        tp = _unwrap(tp)
        is_union = get_origin(tp) in (Union, types.UnionType)
        if is_union and isinstance(part, str) and part in _TAGS and AllOf in _members(tp):
            tp = _TAGS[part]
            continue
        if isinstance(tp, type) and issubclass(tp, BaseModel) and isinstance(part, str):
            owner = tp
            field = _field(tp, part)
            tp = field.annotation if field is not None else None
            out.append(part)
            continue
        if get_origin(tp) is tuple and isinstance(part, int):
            tp = get_args(tp)[0]
            out.append(part)
            continue
        if is_union and isinstance(part, str):
            # The name of the union member pydantic tried ("str", "int"): not a place.
            tp = None
            continue
        tp = None
        out.append(part)
    return tuple(out), owner, tp
