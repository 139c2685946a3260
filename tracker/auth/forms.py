from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from tracker.forms import TrackerForm


class SignInForm(TrackerForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[InputRequired("Enter your email address"), Length(max=254)],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter your password"), Length(max=1024)],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class SignInCodeForm(TrackerForm):
    code = StringField(
        "Code",
        widget=GovTextInput(),
        description=(
            "The 6-digit code your authenticator app shows now, or one of your recovery codes"
        ),
        validators=[InputRequired("Enter the code from your authenticator app"), Length(max=40)],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class RecoveryCodeForm(TrackerForm):
    code = StringField(
        "Recovery code",
        widget=GovTextInput(),
        description="One of the codes you kept when you set up two-factor authentication, "
        "like abcde-fghjk",
        validators=[InputRequired("Enter one of your recovery codes"), Length(max=40)],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class SetUpTwoFactorForm(TrackerForm):
    code = StringField(
        "Code from your authenticator app",
        widget=GovTextInput(),
        description="The 6 digits your app shows for this account",
        validators=[InputRequired("Enter the code from your authenticator app"), Length(max=40)],
    )
    submit = SubmitField("Turn on two-factor authentication", widget=GovSubmitInput())


class CurrentPasswordForm(TrackerForm):
    current_password = PasswordField(
        "Your password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter your password"), Length(max=1024)],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())
