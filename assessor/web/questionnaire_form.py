"""The questionnaire's form, built from a section's questions: one field factory per kind.

:data:`FACTORIES` is keyed by the kind names of the engine's registry
(:data:`assessor.engine.question_kinds.KINDS`); each kind's field is rendered by the macro
of the same name in ``templates/answering/fields.html``.  Every field validates with the
engine's own :func:`coerce_answer`, so the form, the autosave endpoint and the CLI accept
exactly the same values with the same messages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app
from flask_wtf import FlaskForm
from jinja2.utils import htmlsafe_json_dumps
from wtforms import Field, HiddenField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, NumberInput

from assessor.engine.answers import AnswerError, coerce_answer
from assessor.operations.answers import comment_problem
from assessor.questionnaire import Question, Questionnaire

FieldFactory = Callable[[Question, list[Any]], Field]
FACTORIES: dict[str, FieldFactory] = {}


def comment_name(question_id: str) -> str:
    return f"c_{question_id}"


def version_name(question_id: str) -> str:
    return f"v_{question_id}"


class AnswerValid:
    """Runs the engine's answer check; its message appears beside the field."""

    def __init__(self, question: Question) -> None:
        self.question = question

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if field.data in (None, "", []):
            return
        try:
            coerce_answer(self.question, form_value(self.question, field.data))
        except AnswerError as exc:
            raise ValidationError(str(exc)) from None


def _comment_valid(form: FlaskForm, field: Field) -> None:
    """The comment check of the save itself, beside the comment (length: ``MAX_COMMENT_CHARS``)."""
    problem = comment_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


def _validators(question: Question) -> list[Any]:
    return [Optional(), AnswerValid(question)]


def factory(*kinds: str) -> Callable[[FieldFactory], FieldFactory]:
    def register(make: FieldFactory) -> FieldFactory:
        for kind in kinds:
            FACTORIES[kind] = make
        return make

    return register


def _choices(question: Question) -> list[tuple[str, str]]:
    return [(str(option.value), option.label) for option in question.all_options]


class OptionalRadioField(RadioField):
    """A radio group whose "nothing chosen" is ``None``, checked by the engine, not WTForms."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = valuelist[0] if valuelist else None

    def process_data(self, value: Any) -> None:
        self.data = None if value is None else str(value)


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, **kwargs)


@factory("owner", "maturity", "choice", "yesno")
def _radio(question: Question, validators: list[Any]) -> Field:
    return OptionalRadioField(
        question.text, choices=_choices(question), validators=validators, description=question.help
    )


@factory("multi")
def _checkboxes(question: Question, validators: list[Any]) -> Field:
    return CheckboxesField(
        question.text, choices=_choices(question), validators=validators, description=question.help
    )


@factory("number")
def _number(question: Question, validators: list[Any]) -> Field:
    attrs: dict[str, Any] = {"inputmode": "decimal", "step": "any"}
    if question.min is not None:
        attrs["min"] = question.min
    if question.max is not None:
        attrs["max"] = question.max
    return StringField(
        question.text,
        validators=validators,
        description=question.help,
        widget=NumberInput(),
        render_kw=attrs,
    )


@factory("text")
def _text(question: Question, validators: list[Any]) -> Field:
    return TextAreaField(
        question.text,
        validators=[*validators, Length(max=question.max_length)],
        description=question.help,
        render_kw={"rows": 3, "maxlength": question.max_length},
    )


_classes: dict[tuple[str, int, str, str], type[FlaskForm]] = {}


def section_form_class(questionnaire: Questionnaire, section_id: str) -> type[FlaskForm]:
    """A form class for one section (built once per questionnaire version and section)."""
    key = (questionnaire.id, questionnaire.version, questionnaire.hash, section_id)
    found = _classes.get(key)
    if found is None:
        found = _classes[key] = _build(questionnaire, section_id)
    return found


def _build(questionnaire: Questionnaire, section_id: str) -> type[FlaskForm]:
    section = next(s for s in questionnaire.sections if s.id == section_id)
    attrs: dict[str, Any] = {}
    for question in section.questions:
        attrs[question.id] = FACTORIES[question.kind](question, _validators(question))
        attrs[comment_name(question.id)] = TextAreaField(
            "Comment", validators=[Optional(), _comment_valid], render_kw={"rows": 2}
        )
        attrs[version_name(question.id)] = HiddenField()
    return type(f"SectionForm_{section_id}", (FlaskForm,), attrs)


def form_value(question: Question, data: Any) -> Any:
    """The raw value a field holds, as an answer (None when empty)."""
    if data in (None, "", []):
        return None
    if question.kind == "number" and isinstance(data, str):
        return _number_value(data.strip())
    return data


def _number_value(text: str) -> Any:
    """``"12"`` -> 12, ``"2.5"`` -> 2.5; anything else is left for the engine to refuse."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


# --- the page: each kind's field rendered by its Jinja macro --------------------------------


def section_form(
    questionnaire: Questionnaire, section_id: str, data: dict[str, Any] | None = None
) -> FlaskForm:
    """The section's form holding ``data`` (answers, comments, versions by field name), as
    a page shows stored answers; a posted form is built by calling the class instead."""
    form_class = section_form_class(questionnaire, section_id)
    return form_class(formdata=None, data=data or {})


_conditions: dict[tuple[str, int, str, str], dict[str, str]] = {}


def show_if_json(questionnaire: Questionnaire, section_id: str) -> dict[str, str]:
    """Per question of a section with a ``show_if``: the condition as the page's script reads
    it (JSON safe inside HTML; the template escapes it into its attribute)."""
    key = (questionnaire.id, questionnaire.version, questionnaire.hash, section_id)
    found = _conditions.get(key)
    if found is None:
        section = next(s for s in questionnaire.sections if s.id == section_id)
        found = _conditions[key] = {
            q.id: str(
                htmlsafe_json_dumps(
                    q.show_if.model_dump(by_alias=True, exclude_none=True),
                    dumps=current_app.json.dumps,
                )
            )
            for q in section.questions
            if q.show_if is not None
        }
    return found
