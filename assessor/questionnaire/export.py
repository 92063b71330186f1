"""The questionnaire as plain JSON values: the shape of ``assessor questionnaire show --json``."""

from __future__ import annotations

from typing import Any

from assessor.questionnaire.schema import Condition, Option, Question, Questionnaire


def condition_dict(condition: Condition) -> dict[str, Any]:
    """A condition in its file form: ``{"q": ..., "in": [...]}``, ``{"not": ...}``."""
    return condition.model_dump(mode="json", by_alias=True, exclude_none=True)


def question_dict(question: Question) -> dict[str, Any]:
    """One question, with the options a respondent chooses from (role codes, levels too)."""
    return {
        "id": question.id,
        "kind": question.kind,
        "text": question.text,
        "help": question.help,
        "responsibility": question.responsibility,
        "weight": question.weight,
        "context": question.context,
        "required": question.required,
        "show_if": condition_dict(question.show_if) if question.show_if is not None else None,
        "options": [_option(option) for option in question.all_options],
    }


def _option(option: Option) -> dict[str, Any]:
    """value, label, score; and ``exclusive: true`` on the option that excludes the others."""
    found = option.model_dump(mode="json", exclude={"exclusive"})
    return {**found, "exclusive": True} if option.exclusive else found


def _edition_two(q: Questionnaire) -> dict[str, Any]:
    """The model's edition 2 fields (status, roles, structure rules, regulations)."""
    if not q.roles:
        return {}
    return {
        "status": q.status,
        **{
            key: [item.model_dump(mode="json", by_alias=True, exclude_none=True) for item in items]
            for key, items in (
                ("roles", q.roles),
                ("structure", q.structure),
                ("regulations", q.regulations),
                ("consistency", q.consistency),
            )
        },
    }


def to_json_dict(q: Questionnaire) -> dict[str, Any]:
    """The validated questionnaire as JSON values (id, version, title, hash, model,
    sections with their questions, rules; and the edition 2 fields when it has them)."""
    # An edition 1 model keeps its former shape: no alternatives.
    leave_out = None if q.roles else {"alternatives"}
    return {
        "id": q.id,
        "version": q.version,
        "title": q.title,
        "hash": q.hash,
        **_edition_two(q),
        "model": [
            r.model_dump(mode="json", by_alias=True, exclude_none=True, exclude=leave_out)
            for r in q.model
        ],
        "sections": [
            {
                "id": section.id,
                "title": section.title,
                **(
                    {
                        "guidance": [
                            {"text": note.text, "show_if": condition_dict(note.show_if)}
                            for note in section.guidance
                        ]
                    }
                    if section.guidance
                    else {}
                ),
                "questions": [question_dict(question) for question in section.questions],
            }
            for section in q.sections
        ],
        "rules": [
            {
                "id": rule.id,
                "when": condition_dict(rule.when),
                # A finding's topic and regulation (edition 2) only where it names them.
                "finding": rule.finding.model_dump(
                    mode="json",
                    exclude={
                        k for k in ("topic", "regulation") if getattr(rule.finding, k) is None
                    },
                ),
            }
            for rule in q.rules
        ],
    }
