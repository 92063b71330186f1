"""The questionnaire page's prebuilt option markup (questionnaire_form.section_markup) is
exactly what WTForms' own widgets render, chosen and not, for every question shipped."""

from __future__ import annotations

from flask import Flask
from markupsafe import Markup

from assessor.operations.catalog import catalog
from assessor.web.questionnaire_form import section_form_class, section_markup


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
