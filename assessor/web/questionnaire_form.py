"""The questionnaire's form, built from a section's questions: one field factory per kind.

Every field validates with the engine's own :func:`coerce_answer`, so the form, the
autosave endpoint and the CLI accept exactly the same values with the same messages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_wtf import FlaskForm
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup, escape
from wtforms import Field, HiddenField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, NumberInput, html_params

from assessor.engine.answers import AnswerError, coerce_answer
from assessor.operations.answers import comment_problem, max_comment_chars
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


# --- the markup that never changes for a questionnaire version ------------------------------


@dataclass(frozen=True)
class Choice:
    """One option of a radio or checkbox question, rendered once, chosen or not."""

    #: The value as the form posts it (``str`` of the option's value).
    value: str
    plain: Markup
    checked: Markup


@dataclass(frozen=True)
class QuestionMarkup:
    choices: tuple[Choice, ...]
    #: The ``show_if`` condition as the page's script reads it (HTML-escaped JSON), or None.
    show_if: Markup | None
    #: The fixed parts of the question's fieldset, around what depends on the answer (see
    #: :func:`questions_html`): after ``class="question``, up to the ``hidden`` attribute;
    #: from the tag's end to the options (or the input); from the options to the comment's
    #: errors; the version input's start.
    attrs: str = ""
    opening: str = ""
    #: Text and number questions: their input as WTForms renders it, split where the value goes.
    widget: tuple[str, str] | None = None
    closing: str = ""
    comment: tuple[str, str] = ("", "")
    version: str = ""


@dataclass(frozen=True)
class FieldState:
    """What a question's fields hold on a page: as WTForms' ``field.data`` would."""

    #: Radio questions: the chosen value as a string; multi: a list of strings; number and
    #: text: the value as posted or stored; None when there is none.
    value: Any = None
    comment: str | None = None
    version: Any = None
    errors: tuple[str, ...] = ()
    comment_errors: tuple[str, ...] = ()


_markup: dict[tuple[str, int, str, str, int], dict[str, QuestionMarkup]] = {}


def section_markup(questionnaire: Questionnaire, section_id: str) -> dict[str, QuestionMarkup]:
    """Per question of a section: its options' inputs and its condition, built once.

    Rendering each option through WTForms' widgets was most of a page's cost; the same
    markup, made here once per questionnaire version, is chosen from per request.
    """
    limit = max_comment_chars()
    key = (questionnaire.id, questionnaire.version, questionnaire.hash, section_id, limit)
    found = _markup.get(key)
    if found is None:
        section = next(s for s in questionnaire.sections if s.id == section_id)
        widgets = _widgets(questionnaire, section_id)
        found = _markup[key] = {
            q.id: _question_markup(q, widgets.get(q.id), limit) for q in section.questions
        }
    return found


#: Stands for the value while a text or number input is rendered once (letters only, so
#: that escaping leaves it as it is).
_SLOT = "QxSLOTxQ"


def _widgets(questionnaire: Questionnaire, section_id: str) -> dict[str, tuple[str, str]]:
    """Text and number inputs rendered by their WTForms widgets once, cut at the value."""
    form_class = section_form_class(questionnaire, section_id)
    section = next(s for s in questionnaire.sections if s.id == section_id)
    typed = [q for q in section.questions if q.kind in ("number", "text")]
    if not typed:
        return {}
    form = form_class(formdata=None, data={q.id: _SLOT for q in typed}, meta={"csrf": False})
    widgets = {}
    for question in typed:
        described = f"help-{question.id}" if question.help else False
        html = str(form[question.id](**{"aria-describedby": described}))
        before, slot, after = html.partition(_SLOT)
        if not slot or _SLOT in after:
            raise ValueError(f"cannot find the value in the input of {question.id!r}")
        widgets[question.id] = (before, after)
    return widgets


def _question_markup(
    question: Question, widget: tuple[str, str] | None = None, max_comment: int = 2000
) -> QuestionMarkup:
    kind = "checkbox" if question.kind == "multi" else "radio"
    choices = []
    if question.kind in ("owner", "maturity", "choice", "yesno", "multi"):
        for index, (value, label) in enumerate(_choices(question)):
            attrs = {"id": f"{question.id}-{index}", "name": question.id, "type": kind}
            attrs["value"] = value
            choices.append(
                Choice(
                    value,
                    _option(html_params(**attrs), label),
                    _option(html_params(checked=True, **attrs), label),
                )
            )
    show_if = None
    if question.show_if is not None:
        data = question.show_if.model_dump(by_alias=True, exclude_none=True)
        show_if = escape(str(htmlsafe_json_dumps(data, dumps=current_app.json.dumps)))
    qid = escape(question.id)
    attrs = f'" id="q-{qid}" data-qid="{qid}" data-kind="{escape(question.kind)}"'
    if show_if is not None:
        attrs += f' data-show-if="{show_if}"'
    opening = f'>\n<legend id="q-{qid}-legend">{escape(question.text)}'
    if question.required:
        opening += ' <span class="req" title="Required">*</span>'
    opening += "</legend>\n"
    if question.help:
        opening += f'<p class="hint" id="help-{qid}">{escape(question.help)}</p>\n'
    closing = ""
    if question.kind in _RADIO:
        levels = " levels" if question.kind == "maturity" else ""
        opening += (
            f'<div class="options{levels}" role="radiogroup" aria-labelledby="q-{qid}-legend">\n'
        )
        closing = "\n</div>\n"
    elif question.kind == "multi":
        opening += '<div class="options">'
        closing = "</div>\n"
    else:
        opening += f'<label class="visually-hidden" for="{qid}">{escape(question.text)}</label>\n'
        closing = "\n"
    cid = escape(comment_name(question.id))
    comment = (
        f'<summary>Comment</summary>\n<label class="visually-hidden" for="{cid}">'
        f"Comment on: {escape(question.text)}</label>\n"
        f'<textarea aria-describedby="{cid}-limit" id="{cid}" maxlength="{max_comment}" '
        f'name="{cid}" rows="2">\r\n',
        f'</textarea>\n<p class="hint" id="{cid}-limit">At most {max_comment:,} characters.</p>',
    )
    vid = escape(version_name(question.id))
    version = f'</details>\n<input id="{vid}" name="{vid}" type="hidden" value="'
    return QuestionMarkup(
        tuple(choices), show_if, attrs, opening, widget, closing, comment, version
    )


_RADIO = ("owner", "maturity", "choice", "yesno")


def field_state(question: Question, value: Any, comment: Any, version: Any) -> FieldState:
    """A question's fields as a form built from stored data (``formdata=None``) holds them."""
    if question.kind in _RADIO:
        value = None if value is None else str(value)  # OptionalRadioField.process_data
    elif question.kind == "multi":
        try:  # SelectMultipleField.process_data, with coerce=str
            value = [str(v) for v in value]
        except (ValueError, TypeError):
            value = None
    return FieldState(value, comment, version)


def form_state(form: FlaskForm, question: Question) -> FieldState:
    """A question's fields as a (posted) form holds them, with their errors."""
    field = form[question.id]
    comment = form[comment_name(question.id)]
    return FieldState(
        field.data,
        comment.data,
        form[version_name(question.id)].data,
        tuple(field.errors),
        tuple(comment.errors),
    )


def questions_html(
    questionnaire: Questionnaire,
    section_id: str,
    states: dict[str, FieldState],
    shown: frozenset[str],
) -> Markup:
    """The section's questions with the respondent's answers, from markup built once.

    Only the parts that depend on the answers are made per request: which option is
    chosen, the input's value, the comment, the version, ``hidden`` and the errors.
    ``tests/test_page_markup.py`` holds the result to the template loop it replaces.
    """
    markup = section_markup(questionnaire, section_id)
    section = next(s for s in questionnaire.sections if s.id == section_id)
    out: list[str] = []
    for question in section.questions:
        m = markup[question.id]
        state = states.get(question.id) or _EMPTY
        out.append(
            '<fieldset class="question has-error' if state.errors else '<fieldset class="question'
        )
        out.append(m.attrs)
        if question.id not in shown:
            out.append(" hidden")
        out.append(m.opening)
        value = state.value
        if m.widget is not None:
            out.append(m.widget[0])
            out.append(escape("" if value is None else str(value)))
            out.append(m.widget[1])
        elif question.kind == "multi":
            chosen = value or ()
            out.append("".join(c.checked if c.value in chosen else c.plain for c in m.choices))
        else:
            out.append("\n".join(c.checked if c.value == value else c.plain for c in m.choices))
        out.append(m.closing)
        for error in state.errors:
            out.append(f'<p class="error" role="alert">{escape(error)}</p>')
        out.append(
            '<details class="comment" open>' if state.comment else '<details class="comment">'
        )
        out.append(m.comment[0])
        out.append(escape("" if state.comment is None else state.comment))
        out.append(m.comment[1])
        for error in state.comment_errors:
            out.append(f'<p class="error">{escape(error)}</p>')
        out.append(m.version)
        out.append(escape("" if state.version is None else str(state.version)))
        out.append('">\n<p class="save-state" aria-live="polite"></p>\n</fieldset>\n')
    return Markup("".join(out))  # noqa: S704 - every value above is escaped


_EMPTY = FieldState()


def _option(params: str, label: str) -> Markup:
    return Markup('<label class="option"><input {}> <span>{}</span></label>').format(
        Markup(params),  # noqa: S704 - html_params escapes every value
        label,
    )
