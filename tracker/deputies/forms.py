from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovSelect, GovSubmitInput
from wtforms import SelectField, SubmitField

from tracker.forms import GovDateField, TrackerForm


class DeputyForm(TrackerForm):
    # Checked by check_deputy, with a message that says what to do.
    deputy = SelectField(
        "Who will cover for you", widget=GovSelect(), choices=[], validate_choice=False
    )
    starts_on = GovDateField("First day of cover", widget=GovDateInput())
    ends_on = GovDateField("Last day of cover", widget=GovDateInput())
    submit = SubmitField("Name deputy", widget=GovSubmitInput())


class EndCoverForm(TrackerForm):
    submit = SubmitField("End this cover", widget=GovSubmitInput())
