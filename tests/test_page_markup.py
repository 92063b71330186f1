"""The questionnaire page's prebuilt option markup (questionnaire_form.section_markup) is
exactly what WTForms' own widgets render, chosen and not, for every question shipped; and
the questions of a page built from it (questions_html) are what the template loop that
rendered them from a WTForms form made, for stored answers and for a refused post."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tinyhtml5
from flask import Flask
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from assessor.operations.answers import max_comment_chars
from assessor.operations.catalog import catalog
from assessor.questionnaire import Question, Questionnaire
from assessor.web.questionnaire_form import (
    comment_name,
    field_state,
    form_state,
    questions_html,
    section_form_class,
    section_markup,
    version_name,
)


def _wtforms_options(field: object) -> list[Markup]:
    return [
        Markup('<label class="option">{} <span>{}</span></label>').format(sub(), sub.label.text)
        for sub in field  # type: ignore[attr-defined]
    ]


def test_prebuilt_options_match_the_widgets(app: Flask) -> None:
    with app.test_request_context("/"):
        questionnaire = catalog().get(app.config["DEFAULT_QUESTIONNAIRE"])
        checked = 0
        for section in questionnaire.sections:
            markup = section_markup(questionnaire, section.id)
            form_class = section_form_class(questionnaire, section.id)
            for question in section.questions:
                choices = markup[question.id].choices
                if question.kind in ("number", "text"):
                    assert choices == ()
                    continue
                plain = form_class(formdata=None, data={})[question.id]
                assert [c.plain for c in choices] == _wtforms_options(plain)
                for choice in choices:
                    value = [choice.value] if question.kind == "multi" else choice.value
                    chosen = form_class(formdata=None, data={question.id: value})[question.id]
                    expected = [c.checked if c.value == choice.value else c.plain for c in choices]
                    assert expected == _wtforms_options(chosen)
                    checked += 1
        assert checked > 300


def test_conditions_are_the_escaped_json_the_script_reads(app: Flask) -> None:
    with app.test_request_context("/"):
        questionnaire = catalog().get(app.config["DEFAULT_QUESTIONNAIRE"])
        markup = section_markup(questionnaire, "context")
        condition = markup["dual_role"].show_if
        assert condition is not None
        assert "&#34;has_cio&#34;" in condition and '"' not in condition
        assert markup["employees"].show_if is None


# --- the questions of a page: built from the prebuilt markup, held to the template loop ------
#
# tests/templates/reference_questions.html is the Jinja loop that rendered a section's
# questions from a WTForms form until questions_html replaced it (on every request it was
# most of the page's cost).  Both are parsed and compared element by element: tags,
# attributes, text.

REFERENCE = Path(__file__).parent / "templates" / "reference_questions.html"
HOSTILE = "<script>alert(1)</script> \"quoted\" & 'single' {{ 7*7 }}"


def _tree(html: str) -> list[Any]:
    document = tinyhtml5.parse(f"<!doctype html><html><body><form>{html}</form></body></html>")

    def walk(element: Any) -> Any:
        return (
            element.tag,
            sorted(element.attrib.items()),
            (element.text or "").strip(),
            [walk(child) for child in element],
            (element.tail or "").strip(),
        )

    return walk(document.find(".//{http://www.w3.org/1999/xhtml}form"))[3]


def _reference(
    app: Flask, questionnaire: Questionnaire, section_id: str, form: Any, shown: Any
) -> str:
    section = next(s for s in questionnaire.sections if s.id == section_id)
    template = app.jinja_env.from_string(REFERENCE.read_text())
    return template.render(
        section=section,
        form=form,
        shown=shown,
        markup=section_markup(questionnaire, section_id),
        comment_name=comment_name,
        version_name=version_name,
        max_comment=max_comment_chars(),
    )


def _value(question: Question, n: int) -> Any:
    options = question.all_options
    if question.kind == "multi":
        return [o.value for o in options[n % len(options) :][:2]]
    if question.kind == "number":
        return (question.min or 0) + n + (0.5 if n % 2 else 0)
    if question.kind == "text":
        return HOSTILE if n % 2 else "Noted.\nTwo lines."
    return options[n % len(options)].value


def _answer_sets(questionnaire: Questionnaire, section: Any) -> list[dict[str, Any]]:
    """Per question: (value, comment, version) of a stored answer, or absent."""
    sets: list[dict[str, Any]] = [{}]
    for n in range(3):
        answers = {}
        for i, question in enumerate(section.questions):
            if (i + n) % 4 == 3:
                continue  # not answered
            comment = (HOSTILE, None, "", "  a note  ")[(i + n) % 4]
            value = None if (i + n) % 5 == 4 else _value(question, i + n)  # a cleared answer
            answers[question.id] = (value, comment, 1 + i + n)
        sets.append(answers)
    return sets


def test_questions_match_the_template_loop_for_stored_answers(app: Flask) -> None:
    with app.test_request_context("/"):
        questionnaire = catalog().get(app.config["DEFAULT_QUESTIONNAIRE"])
        compared = 0
        for section in questionnaire.sections:
            form_class = section_form_class(questionnaire, section.id)
            for answers in _answer_sets(questionnaire, section):
                ids = [q.id for q in section.questions]
                for shown in (frozenset(ids), frozenset(ids[::2])):
                    # What the page built its form from before: the stored answers, and a
                    # version of 0 where there is none.
                    data: dict[str, Any] = {}
                    states = {}
                    for question in section.questions:
                        value, comment, version = answers.get(question.id, (None, None, 0))
                        if question.id in answers:
                            data[question.id] = value
                            data[comment_name(question.id)] = comment or ""
                        data[version_name(question.id)] = version
                        states[question.id] = field_state(
                            question,
                            value,
                            (comment or "") if question.id in answers else None,
                            version,
                        )
                    form = form_class(formdata=None, data=data)
                    expected = _reference(app, questionnaire, section.id, form, shown)
                    built = questions_html(questionnaire, section.id, states, shown)
                    assert _tree(built) == _tree(expected), (section.id, answers)
                    assert built.count('rows="2">\r\n') == len(section.questions)
                    compared += 1
        assert compared >= 4 * 2 * len(questionnaire.sections)


def test_questions_match_the_template_loop_for_a_refused_post(app: Flask) -> None:
    questionnaire = catalog_of(app)
    too_long = "x" * (app.config["MAX_COMMENT_CHARS"] + 1)
    for section in questionnaire.sections:
        posted = MultiDict()
        for i, question in enumerate(section.questions):
            if question.kind == "number":
                posted.add(question.id, "lots" if i % 2 else "12")
            elif question.kind == "text":
                posted.add(question.id, HOSTILE)
            elif question.kind == "multi":
                posted.add(question.id, "atlantis")
                posted.add(question.id, str(question.all_options[0].value))
            else:
                posted.add(question.id, "atlantis" if i % 2 else str(question.all_options[0].value))
            posted.add(comment_name(question.id), too_long if i % 3 == 0 else HOSTILE)
            posted.add(version_name(question.id), str(i))
        with app.test_request_context("/", method="POST", data=posted):
            form = section_form_class(questionnaire, section.id)()
            assert not form.validate()
            ids = frozenset(q.id for q in section.questions)
            states = {q.id: form_state(form, q) for q in section.questions}
            expected = _reference(app, questionnaire, section.id, form, ids)
            built = questions_html(questionnaire, section.id, states, ids)
            assert _tree(built) == _tree(expected), section.id
            assert 'class="error"' in built


def catalog_of(app: Flask) -> Questionnaire:
    with app.app_context():
        return catalog().get(app.config["DEFAULT_QUESTIONNAIRE"])
