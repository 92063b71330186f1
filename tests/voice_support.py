"""An assessment where the consultant has something to say: the CIO and the CISO answer
everything, and disagree on one fact about the organisation (whether it holds health data),
so the result has an unresolved fact and capping regulatory findings.  Both say the
organisation works in the EU and the US, so the fact decides whether HIPAA applies."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.web_support import Stage, complete_answers, questionnaire, save_and_submit, stage

#: The CISO's answer to the disputed fact (the CIO's is the test context's: EU personal
#: data and health data).
CISO_DATA = ["eu_personal"]
BOTH = {"jurisdictions": ["eu", "us"]}


def disputed(app: Flask, client: FlaskClient, **kwargs: Any) -> Stage:
    """Two respondents, both submitted, disagreeing on ``regulated_data``."""
    staged = stage(app, client, people=(("Carla CIO", "CIO"), ("Sam CISO", "CISO")), **kwargs)
    form = questionnaire(app)
    save_and_submit(app, staged.respondent_ids[0], complete_answers(form, BOTH))
    save_and_submit(
        app, staged.respondent_ids[1], complete_answers(form, {**BOTH, "regulated_data": CISO_DATA})
    )
    return staged
