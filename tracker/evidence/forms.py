from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectChoice, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from tracker.forms import TextRequired, TrackerForm

TITLE_HINT = "Say what it shows, for example: Minutes of the panel meeting, 12 January 2016"


class FileEvidenceForm(TrackerForm):
    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[Length(max=300, message="Title must be 300 characters or fewer")],
    )
    document = FileField("Upload a file", widget=GovFileInput())
    submit = SubmitField("Upload evidence", widget=GovSubmitInput())


class LinkEvidenceForm(TrackerForm):
    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[
            TextRequired("Enter a title for the link"),
            Length(max=300, message="Title must be 300 characters or fewer"),
        ],
    )
    url = StringField(
        "Web address",
        widget=GovTextInput(),
        validators=[
            TextRequired("Enter the web address"),
            Length(max=2000, message="Web address must be 2,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Add link", widget=GovSubmitInput())


class NoteEvidenceForm(TrackerForm):
    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[
            TextRequired("Enter a title for the note"),
            Length(max=300, message="Title must be 300 characters or fewer"),
        ],
    )
    note = TextAreaField(
        "Note",
        widget=GovTextArea(),
        validators=[
            TextRequired("Enter the note"),
            Length(max=10000, message="Note must be 10,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Add note", widget=GovSubmitInput())


class ReviewForm(TrackerForm):
    decision = RadioField(
        "Is this evidence acceptable?",
        widget=GovRadioInput(),
        choices=[
            SelectChoice("accept", "Accept it"),
            SelectChoice("reject", "Reject it"),
        ],
        validators=[InputRequired("Select whether to accept or reject the evidence")],
    )
    reason = TextAreaField(
        "Reason",
        widget=GovTextArea(),
        validators=[Length(max=2000, message="Reason must be 2,000 characters or fewer")],
    )
    submit = SubmitField("Save review", widget=GovSubmitInput())


class WithdrawEvidenceForm(TrackerForm):
    reason = TextAreaField(
        "Why are you withdrawing this evidence?",
        widget=GovTextArea(),
        validators=[
            TextRequired("Enter the reason for withdrawing the evidence"),
            Length(max=2000, message="Reason must be 2,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Withdraw evidence", widget=GovSubmitInput())


class PurgeEvidenceForm(TrackerForm):
    reason = TextAreaField(
        "Why is this evidence being purged?",
        widget=GovTextArea(),
        validators=[
            TextRequired("Enter the reason for purging the evidence, such as who asked"),
            Length(max=2000, message="Reason must be 2,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Purge evidence", widget=GovSubmitInput())
