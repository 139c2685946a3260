"""Forms for a person's own account: forgotten password, setting and changing a password."""

from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import EqualTo, InputRequired, Length, ValidationError

from tracker.auth.passwords import password_problem
from tracker.forms import TrackerForm


def acceptable_password(form, field):
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


class ForgotPasswordForm(TrackerForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        description="The address you sign in with",
        validators=[
            InputRequired("Enter your email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )
    submit = SubmitField("Send me a link", widget=GovSubmitInput())


def new_password_field() -> PasswordField:
    return PasswordField(
        "New password",
        widget=GovPasswordInput(),
        description="12 characters or more. Three random words make a good password.",
        validators=[InputRequired("Enter a new password"), acceptable_password],
    )


def confirm_field() -> PasswordField:
    return PasswordField(
        "Confirm new password",
        widget=GovPasswordInput(),
        validators=[
            InputRequired("Enter the new password again"),
            EqualTo("password", message="The passwords do not match: enter the same one twice"),
        ],
    )


class NewPasswordForm(TrackerForm):
    password = new_password_field()
    confirm = confirm_field()
    submit = SubmitField("Save password", widget=GovSubmitInput())


class ChangePasswordForm(TrackerForm):
    current_password = PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter your current password"), Length(max=1024)],
    )
    password = new_password_field()
    confirm = confirm_field()
    submit = SubmitField("Change password", widget=GovSubmitInput())
