from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovSelect, GovSubmitInput
from wtforms import SelectField, SubmitField

from tracker.forms import GovDateField


class DeputyForm(FlaskForm):
    # Checked by check_deputy, with a message that says what to do.
    deputy = SelectField(
        "Who will cover for you", widget=GovSelect(), choices=[], validate_choice=False
    )
    starts_on = GovDateField("First day of cover", widget=GovDateInput())
    ends_on = GovDateField("Last day of cover", widget=GovDateInput())
    submit = SubmitField("Name deputy", widget=GovSubmitInput())


class EndCoverForm(FlaskForm):
    submit = SubmitField("End this cover", widget=GovSubmitInput())
