"""Forms for indicators, targets, values, links and imports.

Months and figures are typed as text and read by tracker.indicators.parsing, the same rules as
the import, so what someone typed is always kept on an error.
"""

from datetime import date

from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Regexp, ValidationError

from tracker.forms import TextRequired, TrackerForm
from tracker.indicators import parsing
from tracker.models import Basis, Polarity, Unit

UNIT_LABELS = {
    Unit.PERCENTAGE: "Percentage",
    Unit.RATE_PER_10000: "Rate per 10,000 children",
    Unit.COUNT: "Count",
    Unit.WEEKS: "Weeks",
    Unit.FTE: "Full-time equivalent (FTE)",
}
POLARITY_LABELS = {
    Polarity.HIGHER_BETTER: "Higher is better",
    Polarity.LOWER_BETTER: "Lower is better",
    Polarity.WITHIN_RANGE: "Within a range is best",
}
BASIS_HINTS = {
    Basis.MONTH: "The month's own figure.",
    Basis.ROLLING_12: "The figure for the 12 months up to and including the month.",
    Basis.YTD: "The figure for the financial year so far (from April).",
}


def _number(name: str, required: bool = False):
    def check(form, field):
        text = (field.data or "").strip()
        if not text:
            if required:
                raise ValidationError(f"Enter the {name.lower()}")
            return
        try:
            number = parsing.parse_optional_number(text, name)
        except ValueError as error:
            raise ValidationError(str(error)) from None
        if number is not None and number < 0:
            raise ValidationError(f"{name} cannot be negative")

    return check


def number_or_none(text: str | None) -> float | None:
    return parsing.parse_optional_number(text, "Number")


class IndicatorForm(TrackerForm):
    code = StringField(
        "Code",
        description="Short and unique, for example CSC-05. Import files use it.",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter a code"),
            Length(max=30, message="Code must be 30 characters or fewer"),
            Regexp(
                r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
                message="Code must use only letters, numbers, full stops, hyphens and underscores",
            ),
        ],
    )
    name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter a name"),
            Length(max=300, message="Name must be 300 characters or fewer"),
        ],
    )
    description = TextAreaField(
        "Description (optional)",
        description="What is counted, and anything a reader needs to know to judge the figure.",
        widget=GovTextArea(),
        validators=[Length(max=5000, message="Description must be 5,000 characters or fewer")],
    )
    unit = RadioField(
        "Unit",
        widget=GovRadioInput(),
        choices=[SelectChoice(u.value, label) for u, label in UNIT_LABELS.items()],
        validators=[InputRequired("Select a unit")],
    )
    polarity = RadioField(
        "Which way is better?",
        widget=GovRadioInput(),
        choices=[SelectChoice(p.value, label) for p, label in POLARITY_LABELS.items()],
        validators=[InputRequired("Select which way is better")],
    )
    basis = RadioField(
        "Judged on",
        description="The figure the rating is worked out from. Other figures are shown too.",
        widget=GovRadioInput(),
        choices=[SelectChoice(b.value, b.label) for b in Basis],
        validators=[InputRequired("Select the figure the rating is judged on")],
    )
    decimals = StringField(
        "Decimal places shown",
        description="From 0 to 3. Figures are stored as given.",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the number of decimal places shown"),
            Regexp(r"^\s*[0-3]\s*$", message="Decimal places shown must be 0, 1, 2 or 3"),
        ],
    )
    benchmark = StringField(
        "Statistical-neighbour benchmark (optional)",
        description="For example 79. Shown as a line on the chart.",
        widget=GovTextInput(),
        validators=[_number("Benchmark")],
    )
    benchmark_label = StringField(
        "What the benchmark is (optional)",
        description="For example, Statistical neighbour average 2014-15.",
        widget=GovTextInput(),
        validators=[
            Length(max=200, message="Benchmark description must be 200 characters or fewer")
        ],
    )
    source = StringField(
        "Source (optional)",
        description="Where the figures come from, for example Liquid Logic monthly report.",
        widget=GovTextInput(),
        validators=[Length(max=300, message="Source must be 300 characters or fewer")],
    )
    owner_id = SelectField("Owner", widget=GovSelect(), validate_choice=True)
    fingerprint = HiddenField()
    submit = SubmitField("Save indicator", widget=GovSubmitInput())

    def data_for_model(self) -> dict:
        return {
            "code": self.code.data.strip().upper(),
            "name": self.name.data.strip(),
            "description": (self.description.data or "").strip(),
            "unit": self.unit.data,
            "polarity": self.polarity.data,
            "basis": self.basis.data,
            "decimals": int(self.decimals.data),
            "benchmark": number_or_none(self.benchmark.data),
            "benchmark_label": (self.benchmark_label.data or "").strip() or None,
            "source": (self.source.data or "").strip(),
            "owner_id": int(self.owner_id.data) if self.owner_id.data else None,
        }


class MonthField(StringField):
    """A month typed as text ("2016-02", "Feb-16"); .month holds the parsed first day."""

    month: date | None = None

    @property
    def valid_month(self) -> date:
        """The month, once the form has validated (pre_validate refuses anything else)."""
        if self.month is None:
            raise ValueError(f"{self.name} is read before its form validated")
        return self.month

    def pre_validate(self, form):
        try:
            self.month = parsing.parse_period(self.data)
        except ValueError as error:
            self.month = None
            raise ValidationError(str(error)) from None


class TargetForm(TrackerForm):
    effective_from = MonthField(
        "Takes effect from",
        description="The first month this target applies to, for example 2015-12 or Dec-15.",
        widget=GovTextInput(),
    )
    target = StringField(
        "Target",
        description="In the indicator's unit, for example 95 for 95%.",
        widget=GovTextInput(),
    )
    lower_bound = StringField("Lowest figure in the expected range", widget=GovTextInput())
    upper_bound = StringField("Highest figure in the expected range", widget=GovTextInput())
    amber_tolerance = StringField(
        "Amber tolerance",
        description="How far short of the target is amber rather than red, in the indicator's "
        "unit (for a percentage, in percentage points). 0 means anything short is red.",
        widget=GovTextInput(),
        validators=[_number("Amber tolerance", required=True)],
    )
    source = StringField(
        "Where this target comes from (optional)",
        description="For example, agreed at the Improvement Board, 1 December 2015.",
        widget=GovTextInput(),
        validators=[Length(max=300, message="Source must be 300 characters or fewer")],
    )
    fingerprint = HiddenField()
    submit = SubmitField("Save target", widget=GovSubmitInput())

    def __init__(self, *args, within_range: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.within_range = within_range

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        checks = (
            [(self.lower_bound, "Lowest figure"), (self.upper_bound, "Highest figure")]
            if self.within_range
            else [(self.target, "Target")]
        )
        for field, name in checks:
            try:
                _number(name, required=True)(self, field)
            except ValidationError as error:
                field.errors = [*field.errors, str(error)]
                ok = False
        if ok and self.within_range:
            low, high = number_or_none(self.lower_bound.data), number_or_none(self.upper_bound.data)
            if low is not None and high is not None and low > high:
                self.upper_bound.errors = [
                    *self.upper_bound.errors,
                    "Highest figure must be the same as or more than the lowest figure",
                ]
                ok = False
        return ok

    def data_for_model(self) -> dict:
        return {
            "effective_from": self.effective_from.month,
            "target": None if self.within_range else number_or_none(self.target.data),
            "lower_bound": number_or_none(self.lower_bound.data) if self.within_range else None,
            "upper_bound": number_or_none(self.upper_bound.data) if self.within_range else None,
            "amber_tolerance": number_or_none(self.amber_tolerance.data) or 0,
            "source": (self.source.data or "").strip(),
        }


class ValueForm(TrackerForm):
    period = MonthField(
        "Month",
        description="The month the figure is for, for example 2016-02 or Feb-16.",
        widget=GovTextInput(),
    )
    basis = RadioField(
        "Which figure is this?",
        widget=GovRadioInput(),
        choices=[
            SelectChoice(Basis.MONTH.value, "The month's own figure"),
            SelectChoice(Basis.ROLLING_12.value, "Rolling 12 months to the month"),
            SelectChoice(Basis.YTD.value, "Year to date (from April)"),
        ],
        default=Basis.MONTH.value,
        validators=[InputRequired("Select which figure this is")],
    )
    value = StringField("Figure", widget=GovTextInput())
    provisional = BooleanField(
        "Provisional: the figure may still change", widget=GovCheckboxInput()
    )
    data_quality_note = TextAreaField(
        "Data-quality note (optional)",
        description="A caveat readers must see next to the figure, for example that the "
        "system's figure is known to be wrong.",
        widget=GovTextArea(),
        validators=[
            Length(max=2000, message="Data-quality note must be 2,000 characters or fewer")
        ],
    )
    stamp = HiddenField()
    submit = SubmitField("Save figure", widget=GovSubmitInput())

    def __init__(self, *args, unit: str, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.figure_value: float | None = None
        if editing:
            del self.period
            del self.basis

    def validate_period(self, field):
        if field.month is None:
            return  # already refused as not a month
        try:
            parsing.check_month_has_happened(field.month)
        except ValueError as error:
            raise ValidationError(str(error)) from None

    @property
    def valid_figure(self) -> float:
        """The figure, once the form has validated (validate_value refuses anything else)."""
        if self.figure_value is None:
            raise ValueError("the figure is read before the form validated")
        return self.figure_value

    def validate_value(self, field):
        try:
            self.figure_value = parsing.parse_figure(field.data, self.unit)
        except ValueError as error:
            raise ValidationError(str(error)) from None


class MoveValueForm(TrackerForm):
    period = MonthField(
        "The month the figure is really for",
        description="For example 2016-02 or Feb-16.",
        widget=GovTextInput(),
    )
    reason = TextAreaField(
        "Why it is moving",
        description="Kept with the figure's history, for example: entered against the wrong month.",
        widget=GovTextArea(),
        validators=[
            TextRequired("Enter why the figure is moving to another month"),
            Length(max=2000, message="The reason must be 2,000 characters or fewer"),
        ],
    )
    stamp = HiddenField()
    submit = SubmitField("Move the figure", widget=GovSubmitInput())

    def validate_period(self, field):
        if field.month is None:
            return
        try:
            parsing.check_month_has_happened(field.month)
        except ValueError as error:
            raise ValidationError(str(error)) from None


class DeleteValueForm(TrackerForm):
    reason = TextAreaField(
        "Why the figure is being deleted",
        description="Kept with the deleted figure, for example: this indicator has no figure for "
        "that month; the row was imported from the wrong sheet.",
        widget=GovTextArea(),
        validators=[
            TextRequired("Enter why the figure is being deleted"),
            Length(max=2000, message="The reason must be 2,000 characters or fewer"),
        ],
    )
    stamp = HiddenField()
    submit = SubmitField("Delete the figure", widget=GovSubmitInput())


class LinkForm(TrackerForm):
    recommendation_id = SelectField(
        "Recommendation",
        widget=GovSelect(),
        validate_choice=True,
        validators=[InputRequired("Select a recommendation")],
    )
    rationale = TextAreaField(
        "Why this indicator is evidence for it",
        description="Committee members read this next to the indicator.",
        widget=GovTextArea(),
        validators=[
            InputRequired("Enter why this indicator is evidence for the recommendation"),
            Length(max=2000, message="The reason must be 2,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Link indicator", widget=GovSubmitInput())


class UnlinkForm(TrackerForm):
    submit = SubmitField("Remove link", widget=GovSubmitInput())


class UploadForm(TrackerForm):
    file = FileField(
        "Upload a file",
        description="A CSV or Excel (.xlsx) file.",
        widget=GovFileInput(),
        validators=[FileRequired("Select a CSV or Excel file")],
    )
    submit = SubmitField("Upload and check", widget=GovSubmitInput())


class ConfirmImportForm(TrackerForm):
    sha256 = HiddenField()
    digest = HiddenField()
    submit = SubmitField("Import these figures", widget=GovSubmitInput())
