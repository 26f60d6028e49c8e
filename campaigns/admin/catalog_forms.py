"""Catalog forms: category names and order, featuring a campaign."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import AnyOf, DataRequired, Length

from campaigns.admin.catalog import NAME_MAX


class CategoryForm(FlaskForm):
    """A category's name, for creating or renaming it."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=NAME_MAX)])
    submit = SubmitField(_l("Save"))


class MoveForm(FlaskForm):
    """Move a category one place up or down the list."""

    direction = HiddenField(validators=[AnyOf(["up", "down"])])


class FeatureForm(FlaskForm):
    """Feature or stop featuring a campaign; next says where to go afterwards."""

    next = HiddenField()
