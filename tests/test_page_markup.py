"""The questionnaire page's questions, each kind's WTForms field rendered by its Jinja macro,
are the page's markup (tests/templates/reference_questions.html) for every question
shipped, for stored answers and for a refused post; every kind has a field and a macro."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tinyhtml5
from flask import Flask, render_template
from werkzeug.datastructures import MultiDict

from assessor.engine.question_kinds import KINDS
from assessor.operations.answers import max_comment_chars
from assessor.operations.catalog import catalog
from assessor.questionnaire import Question, Questionnaire
from assessor.web.questionnaire_form import (
    FACTORIES,
    comment_name,
    section_form,
    section_form_class,
    show_if_json,
    version_name,
)


def _questions(
    app: Flask, questionnaire: Questionnaire, section_id: str, form: Any, shown: Any
) -> str:
    """The section's questions as the page renders them (each kind by its macro)."""
    section = next(s for s in questionnaire.sections if s.id == section_id)
    return render_template(
        "answering/questions.html",
        section=section,
        form=form,
        shown=shown,
        show_if=show_if_json(questionnaire, section_id),
        comment_name=comment_name,
        version_name=version_name,
    )


def test_every_kind_has_a_field_factory_and_a_macro(app: Flask) -> None:
    assert set(FACTORIES) == set(KINDS)
    macros = app.jinja_env.get_template("answering/fields.html").module
    for kind in KINDS:
        assert callable(getattr(macros, kind)), kind


def test_conditions_are_the_escaped_json_the_script_reads(app: Flask) -> None:
    with app.test_request_context("/"):
        questionnaire = catalog().get(app.config["DEFAULT_QUESTIONNAIRE"])
        html = _questions(
            app, questionnaire, "context", section_form(questionnaire, "context"), frozenset()
        )
        fieldset = html[html.index('id="q-dual_role"') :]
        fieldset = fieldset[: fieldset.index(">")]
        assert 'data-show-if="{&#34;' in fieldset and "&#34;has_cio&#34;" in fieldset
        employees = html[html.index('id="q-employees"') :]
        assert "data-show-if" not in employees[: employees.index(">")]


# --- the questions of a page: built from the prebuilt markup, held to the template loop ------
#
# tests/templates/reference_questions.html is the page's markup written as one loop over a
# WTForms form, as the page had it before its questions were split into a macro per kind.
# Both are parsed and compared element by element: tags, attributes, text.

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
                    for question in section.questions:
                        value, comment, version = answers.get(question.id, (None, None, 0))
                        if question.id in answers:
                            data[question.id] = value
                            data[comment_name(question.id)] = comment or ""
                        data[version_name(question.id)] = version
                    form = form_class(formdata=None, data=data)
                    expected = _reference(app, questionnaire, section.id, form, shown)
                    built = _questions(app, questionnaire, section.id, form, shown)
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
            expected = _reference(app, questionnaire, section.id, form, ids)
            built = _questions(app, questionnaire, section.id, form, ids)
            assert _tree(built) == _tree(expected), section.id
            assert 'class="error"' in built


def catalog_of(app: Flask) -> Questionnaire:
    with app.app_context():
        return catalog().get(app.config["DEFAULT_QUESTIONNAIRE"])


def test_each_answer_is_described_by_its_hint_and_errors_and_says_if_required(
    app: Flask,
) -> None:
    """The radio or checkbox group (or the input) is described by the question's hint and,
    after a refused post, by its errors; a required question says so in words."""
    questionnaire = catalog_of(app)
    checked = 0
    for section in questionnaire.sections:
        posted = MultiDict()
        for i, question in enumerate(section.questions):
            if i % 2 and question.kind not in ("text", "multi"):
                posted.add(question.id, "atlantis" if question.kind != "number" else "lots")
        with app.test_request_context("/", method="POST", data=posted):
            form = section_form_class(questionnaire, section.id)()
            form.validate()
            ids = frozenset(q.id for q in section.questions)
            document = tinyhtml5.parse(_questions(app, questionnaire, section.id, form, ids))
        for question in section.questions:
            fieldset = document.find(f".//*[@id='q-{question.id}']")
            answers = [e for e in fieldset.iter() if "data-answer" in e.attrib]
            assert len(answers) == 1, question.id
            answer = answers[0]
            described = answer.get("aria-describedby", "").split()
            expected = [f"help-{question.id}"] if question.help else []
            expected += [
                f"err-{question.id}-{n}" for n in range(1, len(form[question.id].errors) + 1)
            ]
            assert described == expected, question.id
            present = {e.get("id") for e in fieldset.iter()}
            assert set(described) <= present
            assert (answer.get("aria-invalid") == "true") == bool(form[question.id].errors)
            role = answer.get("role")
            assert role in ("radiogroup", "group", None) and (role is None) == (
                question.kind in ("number", "text")
            )
            legend = "".join(fieldset.find(".//{http://www.w3.org/1999/xhtml}legend").itertext())
            assert legend.endswith("* (required)") == question.required, question.id
            if role != "group":  # aria-required is not allowed on a plain group
                assert (answer.get("aria-required") == "true") == question.required
            checked += bool(form[question.id].errors)
    assert checked >= 5  # refused answers were among them
