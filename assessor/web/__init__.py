"""The web layer: blueprints that parse requests, call one operation and render."""

from __future__ import annotations

from flask import Flask


def register_web(app: Flask) -> None:
    from assessor.web import (
        access,
        account,
        actions,
        answering,
        assessments,
        auth,
        dashboard,
        erasure,
        errors,
        health,
        ids,
        mailings,
        members,
        plain_words,
        portfolio,
        requestlog,
        respondents,
        results,
        security,
        settings,
        two_factor,
        voice,
        what_if,
    )

    # Before the blueprints: their rules use it.
    app.url_map.converters["id"] = ids.IdConverter
    for module in (
        health,
        auth,
        account,
        dashboard,
        assessments,
        mailings,
        respondents,
        answering,
        results,
        portfolio,
        settings,
        two_factor,
        members,
        erasure,
        actions,
        voice,
        what_if,
    ):
        app.register_blueprint(module.bp)
    app.context_processor(access.wording)
    app.context_processor(account.verification_mail)
    app.add_template_filter(plain_words.role, "respondent_role")
    app.add_template_filter(plain_words.sector, "sector")
    errors.register(app)
    security.register(app)
    requestlog.register(app)
