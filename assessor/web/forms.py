"""The service's fixed forms (the questionnaire's form is built in questionnaire_form.py)."""

from __future__ import annotations

from typing import Any, ClassVar, Self

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileSize
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from assessor.engine.benchmark import SIZE_BAND_LABELS
from assessor.models import ORG_SIZES
from assessor.operations.passwords import MAX_PASSWORD, MIN_PASSWORD

#: Respondent roles: the model's roles, the CEO or board, one person both CIO and CISO.
ROLE_CHOICES = [
    ("CIO", "CIO"),
    ("CISO", "CISO"),
    ("CIO_CISO", "CIO and CISO (one person holds both roles)"),
    ("CTO", "CTO or head of engineering"),
    ("CDO", "Chief Data Officer"),
    ("CRO", "CRO or head of risk"),
    ("DPO", "Data Protection Officer"),
    ("PRIVACY", "Privacy officer"),
    ("COMPLIANCE", "Compliance or legal"),
    ("CEO", "CEO, board or another executive"),
    ("EXTERNAL", "External provider (vCISO, MSSP)"),
    ("OTHER", "Other"),
]
SIZE_CHOICES = [("", "—")] + [(s, f"{s} employees") for s in ORG_SIZES]
#: The same values as the questionnaire's ``sector`` question, which they pre-fill.
SECTOR_CHOICES = [
    ("", "—"),
    ("finance", "Banking, insurance or other financial services"),
    ("healthcare", "Healthcare or life sciences"),
    ("public", "Government or public sector"),
    ("retail", "Retail or e-commerce"),
    ("manufacturing", "Manufacturing, energy or logistics"),
    ("technology", "Technology, software or telecoms"),
    ("professional_services", "Professional services"),
    ("education", "Education or research"),
    ("other", "Another sector"),
]
#: A name must have something in it besides spaces (the verbs strip what is stored).
NAME = [DataRequired(), Length(max=200)]
PASSWORD_HINT = (
    f"At least {MIN_PASSWORD} characters; a few unrelated words make a good one. "
    "Common passwords and ones built from your e-mail address or name are refused."
)
NUL_MESSAGE = "Remove the NUL character (\\0) from this field."


class Form(FlaskForm):
    """Every form of the service: text holding a NUL character is refused beside its field
    (nobody types one, and PostgreSQL cannot store or even look one up)."""

    #: A field's label and description in an organisation's own workspace, where none
    #: speaks of a consultant or a client (None keeps the field's own).
    OWN_WORDS: ClassVar[dict[str, tuple[str | None, str | None]]] = {}

    def in_own_words(self, own: bool) -> Self:
        """The form as an organisation assessing itself reads it (``own``), else as it is."""
        if own:
            for name, (label, description) in self.OWN_WORDS.items():
                if label is not None:
                    self[name].label.text = label
                if description is not None:
                    self[name].description = description
        return self

    def validate(self, extra_validators: Any = None) -> bool:
        valid = bool(super().validate(extra_validators))
        for field in self:
            posted = field.raw_data or []
            if any(isinstance(value, str) and "\x00" in value for value in posted):
                field.errors = [*field.errors, NUL_MESSAGE]
                valid = False
        return valid


class SignUpForm(Form):
    name = StringField("Your name", validators=NAME)
    email = EmailField("Email", validators=[InputRequired(), Email(), Length(max=254)])
    password = PasswordField(
        "Password",
        validators=[InputRequired(), Length(max=MAX_PASSWORD)],
        description=PASSWORD_HINT,
    )
    workspace = StringField(
        "Firm or organisation name",
        validators=NAME,
        description="Your consulting firm, or the organisation you will assess.",
    )
    kind = SelectField(
        "You will assess",
        choices=[
            ("firm", "Client organisations (I am a consultant)"),
            ("own", "My own organisation (I lead its IT or security)"),
        ],
        default="firm",
        validators=[Optional()],
    )
    submit = SubmitField("Create account")


class SignInForm(Form):
    email = EmailField("Email", validators=[InputRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[InputRequired(), Length(max=200)])
    submit = SubmitField("Sign in")


class JoinForm(Form):
    name = StringField("Your name", validators=NAME)
    password = PasswordField(
        "Password",
        validators=[InputRequired(), Length(max=MAX_PASSWORD)],
        description=PASSWORD_HINT,
    )
    submit = SubmitField("Join the workspace")


class OrganizationForm(Form):
    name = StringField("Name", validators=NAME)
    sector = SelectField("Sector", choices=SECTOR_CHOICES, validators=[Optional()])
    size = SelectField("Size", choices=SIZE_CHOICES, validators=[Optional()])
    benchmark = BooleanField(
        "The client agreed to count in this firm's benchmarks",
        description=(
            "Its latest delivered results count, anonymously, in the bands other clients "
            "see (never its name or figures), and it sees its own band. Untick if the "
            "client withdraws."
        ),
    )
    submit = SubmitField("Save")


class AssessmentForm(Form):
    questionnaire = SelectField("Questionnaire", validators=[InputRequired()])
    title = StringField("Title", validators=[Optional(), Length(max=200)])
    submit = SubmitField("Start the assessment")


class RespondentForm(Form):
    name = StringField("Name", validators=NAME)
    role = SelectField("Role", choices=ROLE_CHOICES, validators=[InputRequired()])
    email = EmailField("Email (optional)", validators=[Optional(), Email(), Length(max=254)])
    submit = SubmitField("Add respondent")


class SelfAssessForm(Form):
    organization = StringField("Your organisation", validators=NAME)
    role = SelectField("Your role", choices=ROLE_CHOICES, validators=[InputRequired()])
    submit = SubmitField("Assess my organisation")


class InviteMemberForm(Form):
    email = EmailField("Email", validators=[InputRequired(), Email(), Length(max=254)])
    role = SelectField(
        "Role",
        choices=[("consultant", "Consultant (runs assessments)"), ("viewer", "Viewer (reads)")],
        validators=[InputRequired()],
    )
    submit = SubmitField("Create invitation link")


class BrandingForm(Form):
    firm_name = StringField("Firm name on reports", validators=[Optional(), Length(max=200)])
    accent_color = StringField(
        "Accent colour",
        validators=[Optional(), Regexp(r"^#[0-9a-fA-F]{6}$", message="Use #rrggbb, e.g. #1f6feb.")],
    )
    logo = FileField(
        "Logo (PNG or SVG, up to 256 KB)",
        validators=[
            FileAllowed(["png", "svg"], "PNG or SVG only."),
            FileSize(max_size=256 * 1024, message="The logo is larger than 256 KB."),
        ],
    )
    remove_logo = BooleanField("Remove the current logo")
    submit = SubmitField("Save branding")


class ActionForm(Form):
    """An empty form: a button that posts, with its CSRF token."""

    submit = SubmitField("Go")


class RenameForm(Form):
    name = StringField("Name", validators=NAME)
    submit = SubmitField("Save the name")


class ConfirmForm(Form):
    """A step that cannot be undone: it happens only with the box ticked (no JavaScript)."""

    confirm = BooleanField(
        "I understand", validators=[DataRequired(message="Tick the box to confirm.")]
    )
    submit = SubmitField("Confirm")


class RescoreForm(ConfirmForm):
    """Re-score with the current method, confirming the changes shown (``shown``: the
    digest of the new result the page showed; a different one is not stored)."""

    shown = HiddenField(validators=[InputRequired(), Length(min=64, max=64)])


class AppendixForm(Form):
    """Whether the assessment's report ends with the appendix of every answer and comment."""

    appendix = BooleanField("End the report with every answer and comment (the appendix)")
    submit = SubmitField("Save")


class ForgotPasswordForm(Form):
    email = EmailField("Email", validators=[InputRequired(), Email(), Length(max=254)])
    submit = SubmitField("E-mail me a link")


class ResetPasswordForm(Form):
    password = PasswordField(
        "New password",
        validators=[InputRequired(), Length(max=MAX_PASSWORD)],
        description=PASSWORD_HINT,
    )
    submit = SubmitField("Set the new password")


class ResetUnprovedForm(Form):
    """A reset that takes over an account whose address was never confirmed: whoever set
    it up typed its name and may have set up a workspace (``keep`` is removed when there
    is none)."""

    name = StringField("Your name", validators=NAME)
    password = PasswordField(
        "New password",
        validators=[InputRequired(), Length(max=MAX_PASSWORD)],
        description=PASSWORD_HINT,
    )
    keep = BooleanField("Keep it: I set it up myself")
    submit = SubmitField("Set the new password")


class NewWorkspaceForm(Form):
    name = StringField(
        "Firm or organisation name",
        validators=NAME,
        description="Your consulting firm, or the organisation you will assess.",
    )
    kind = SelectField(
        "You will assess",
        choices=[
            ("firm", "Client organisations (I am a consultant)"),
            ("own", "My own organisation (I lead its IT or security)"),
        ],
        default="firm",
        validators=[InputRequired()],
    )
    submit = SubmitField("Set up the workspace")


class SignOutEverywhereForm(Form):
    revoke_tokens = BooleanField("Revoke my API tokens too, in every workspace")
    submit = SubmitField("Sign out everywhere")


class ChangePasswordForm(Form):
    current = PasswordField(
        "Current password", validators=[InputRequired(), Length(max=MAX_PASSWORD)]
    )
    password = PasswordField(
        "New password",
        validators=[InputRequired(), Length(max=MAX_PASSWORD)],
        description=PASSWORD_HINT + " You stay signed in here; other devices are signed out.",
    )
    submit = SubmitField("Change password")


class ReminderForm(Form):
    days = IntegerField(
        "Remind every (days)",
        validators=[Optional(), NumberRange(min=1, max=365)],
        description="Respondents who have not submitted get a reminder, with the link they "
        "hold, this many days after they were last sent it. Empty: no scheduled reminders.",
    )
    submit = SubmitField("Save the schedule")


class CodeForm(Form):
    """A code from an authenticator app (or a recovery code)."""

    code = StringField(
        "Code",
        validators=[InputRequired(), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"},
        description="The 6 digits your authenticator app shows now.",
    )
    submit = SubmitField("Continue")


class EnrolForm(Form):
    """Setting up two-factor sign-in: the password first (a session alone is not enough)."""

    password = PasswordField(
        "Your password", validators=[InputRequired(), Length(max=MAX_PASSWORD)]
    )
    submit = SubmitField("Set up two-factor sign-in")


class TwoFactorChangeForm(Form):
    """Turning two-factor sign-in off, or new recovery codes: the password and a code (a
    recovery code too, for someone whose phone is lost).  Each use on the page has its
    own ``prefix``, so that the fields' ids stay unique."""

    password = PasswordField(
        "Your password", validators=[InputRequired(), Length(max=MAX_PASSWORD)]
    )
    code = StringField(
        "Code",
        validators=[InputRequired(), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"},
        description="The 6 digits your authenticator app shows now, or one of your recovery codes.",
    )
    submit = SubmitField("Continue")


class MemberRoleForm(Form):
    role = SelectField(
        "Role",
        choices=[("owner", "Owner"), ("consultant", "Consultant"), ("viewer", "Viewer")],
        validators=[InputRequired()],
    )
    submit = SubmitField("Change the role")


class WorkspaceKindForm(Form):
    kind = SelectField(
        "This workspace assesses",
        choices=[
            ("firm", "Client organisations (a consulting firm)"),
            ("own", "Our own organisation"),
        ],
        validators=[InputRequired()],
    )
    submit = SubmitField("Save")


class RequireTwoFactorForm(Form):
    require_two_factor = BooleanField("Every member signs in with a second factor")
    submit = SubmitField("Save")


class PortfolioFilterForm(Form):
    """The portfolio's filter (a GET form: it changes nothing, so it carries no token)."""

    class Meta:
        csrf = False

    sector = SelectField("Sector", choices=[("", "All sectors")], validators=[Optional()])
    size = SelectField(
        "Size",
        choices=[("", "All sizes")] + [(band, f"{band} employees") for band in SIZE_BAND_LABELS],
        validators=[Optional()],
    )
    submit = SubmitField("Filter")


class ApiTokenForm(Form):
    name = StringField(
        "Name",
        validators=[InputRequired(), Length(max=100)],
        description="What the token is for, e.g. \u201cCRM sync\u201d.",
    )
    scope = SelectField(
        "Scope",
        choices=[("read", "Read"), ("read-write", "Read and write")],
        validators=[InputRequired()],
    )
    submit = SubmitField("Create token")
