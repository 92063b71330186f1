"""The voice's forms (the consultant's; in an organisation's own workspace, its own): the
summary, a finding's status, a settled fact, the sign-off."""

from __future__ import annotations

from typing import Any

from wtforms import DateField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from assessor.operations.voice import STATUS_LABELS
from assessor.web.forms import NAME, Form

TEXT = 5000


class SummaryForm(Form):
    text = TextAreaField(
        "Executive summary",
        validators=[
            DataRequired(message="Write the summary, or reset it to the generated one."),
            Length(max=20000),
        ],
        description="Paragraphs a blank line apart. It replaces the generated paragraphs in the "
        "report; the headline, the gaps and the first actions stay as scored.",
    )
    submit = SubmitField("Save the summary")


class FindingStatusForm(Form):
    status = SelectField(
        "Status", choices=list(STATUS_LABELS.items()), default="open", validators=[DataRequired()]
    )
    reason = TextAreaField(
        "Reason",
        validators=[Optional(), Length(max=TEXT)],
        description="Needed for a risk accepted and a finding not applicable. "
        "Not applicable removes the finding's cap on the score; a risk accepted keeps it.",
    )
    accepted_by = StringField(
        "Accepted by",
        validators=[Optional(), Length(max=200)],
        description="Who accepted the risk (a person of the client).",
    )
    response = TextAreaField("Management response", validators=[Optional(), Length(max=TEXT)])
    note = TextAreaField("Consultant's note", validators=[Optional(), Length(max=TEXT)])
    submit = SubmitField("Save the status")

    OWN_WORDS = {
        "accepted_by": (None, "Who accepted the risk (a person of your organisation)."),
        "note": ("Note", None),
    }

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        status = self.status.data
        if status in ("risk_accepted", "not_applicable") and not (self.reason.data or "").strip():
            self.reason.errors = [
                *self.reason.errors,
                f"Say why: {STATUS_LABELS[status].lower()} needs its reason.",
            ]
            valid = False
        if status == "risk_accepted" and not (self.accepted_by.data or "").strip():
            self.accepted_by.errors = [*self.accepted_by.errors, "Name who accepted the risk."]
            valid = False
        return valid


class SettleFactForm(Form):
    choice = RadioField(
        "The value that holds",
        coerce=int,
        validators=[InputRequired(message="Choose one of the answers.")],
    )
    reason = TextAreaField(
        "Why",
        validators=[DataRequired(message="Say why this value holds."), Length(max=TEXT)],
        description="What settled it: a document seen, a conversation, a decision.",
    )
    submit = SubmitField("Settle the fact")


class ReviewForm(Form):
    reviewer = StringField("Reviewed by", validators=NAME, description="The name the report shows.")
    reviewed_on = DateField(
        "On", validators=[InputRequired(message="Give the date of the review.")]
    )
    submit = SubmitField("Sign off the report")
