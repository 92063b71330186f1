"""The remediation action's form (a finding the client, or one's own organisation, works on)."""

from __future__ import annotations

from wtforms import DateField, EmailField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from assessor.operations.actions import STATUS_LABELS
from assessor.web.forms import NAME, Form


class ActionForm(Form):
    owner_name = StringField(
        "Owner", validators=NAME, description="The client's person who does the work."
    )
    owner_email = EmailField(
        "Owner's e-mail", validators=[InputRequired(), Email(), Length(max=254)]
    )
    due_date = DateField("Due", validators=[Optional()], description="Leave empty for no date.")
    status = SelectField(
        "Status", choices=list(STATUS_LABELS.items()), default="open", validators=[DataRequired()]
    )
    evidence = TextAreaField(
        "Evidence",
        validators=[Optional(), Length(max=5000)],
        description="What shows the work is done: a document, a decision, a date.",
    )
    submit = SubmitField("Save the action")

    OWN_WORDS = {"owner_name": (None, "The person who does the work.")}
