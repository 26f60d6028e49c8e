"""The upload form. It checks shape only; reading and checking the file is the service's job."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectChoice, SelectField, SubmitField

DAY_FIRST, MONTH_FIRST = "day", "month"


class UploadForm(FlaskForm):
    """A CSV file of paper signatures, and how its slashed dates are written."""

    file = FileField(
        _l("CSV file"),
        validators=[FileRequired(_l("Choose a CSV file to upload."))],
        description=_l("UTF-8 text, with a header line naming the columns."),
        render_kw={"accept": ".csv,text/csv,text/plain"},
    )
    date_order = SelectField(
        _l("Dates written with slashes"),
        choices=[
            SelectChoice(DAY_FIRST, _l("Day first: 31/12/2024")),
            SelectChoice(MONTH_FIRST, _l("Month first: 12/31/2024")),
        ],
        default=DAY_FIRST,
        description=_l("Dates such as 2024-12-31 are read the same whatever you choose."),
    )
    submit = SubmitField(_l("Upload and check"))

    @property
    def day_first(self) -> bool:
        """Whether 01/03/2024 means the first of March."""
        return self.date_order.data != MONTH_FIRST
