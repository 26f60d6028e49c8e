"""Finding campaigns: the list with filters, sorting and search, and category pages."""

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import IntegerField, SearchField, SelectChoice, SelectField
from wtforms.validators import Length, NumberRange, Optional

from campaigns.extensions import db
from campaigns.models import Category
from campaigns.petitions import discovery, queries
from campaigns.petitions.countries import country_choices
from campaigns.petitions.labels import STATUS_LABELS

bp = Blueprint("discover", __name__)

SORT_LABELS = {
    discovery.Sort.RELEVANCE: _l("Best match"),
    discovery.Sort.TRENDING: _l("Trending"),
    discovery.Sort.NEWEST: _l("Newest"),
    discovery.Sort.MOST_SIGNED: _l("Most signed"),
    discovery.Sort.CLOSING_SOON: _l("Closing soon"),
}


def _clean(value):
    """Trim the search text and drop control characters (PostgreSQL refuses NUL)."""
    if not isinstance(value, str):
        return value
    return "".join(ch for ch in value if ch.isprintable() or ch.isspace()).strip()


class DiscoverForm(FlaskForm):
    """The GET form over the list: it changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    q = SearchField(
        _l("Search campaigns"), validators=[Optional(), Length(max=200)], filters=[_clean]
    )
    status = SelectField(_l("Status"), validators=[Optional()])
    category = SelectField(_l("Category"), validators=[Optional()])
    country = SelectField(_l("Country"), validators=[Optional()])
    sort = SelectField(_l("Sort by"), validators=[Optional()])
    page = IntegerField(
        _l("Page"), validators=[Optional(), NumberRange(min=1, max=discovery.MAX_PAGE)]
    )

    def __init__(self, *args, **kwargs):
        """Mark every filter optional, so the field macro never renders required="None"."""
        super().__init__(*args, **kwargs)
        for field in self:
            field.flags.required = False

    def load_choices(self, categories: list[Category]) -> None:
        """Offer the statuses, categories, countries and sorts the list understands."""
        statuses = [SelectChoice(s.value, STATUS_LABELS[s]) for s in discovery.PUBLIC_STATUSES]
        self.status.choices = [SelectChoice("", _l("Any status")), *statuses]
        kinds = [SelectChoice(c.slug, c.name) for c in categories]
        self.category.choices = [SelectChoice("", _l("Any category")), *kinds]
        self.country.choices = [SelectChoice("", _l("Any country")), *country_choices()]
        sorts = [SelectChoice(s.value, label) for s, label in SORT_LABELS.items()]
        self.sort.choices = [SelectChoice("", _l("Default")), *sorts]

    def filters(self) -> dict:
        """The chosen filters as plain values for discovery.list_campaigns."""
        names = ("q", "status", "category", "country", "sort")
        return {name: self[name].data or None for name in names if name in self}


def _filter_form() -> DiscoverForm:
    """The list's form, read from the query string."""
    form = DiscoverForm(formdata=request.args)
    form.load_choices(queries.active_categories())
    return form


def _render_list(form: DiscoverForm, heading: str, category: Category | None = None):
    """Render one page of results, or the form's errors with a 400."""
    context = {"form": form, "heading": heading, "category": category}
    if not form.validate():
        return render_template("petitions/list.html", page=None, **context), 400
    filters = form.filters()
    if category is not None:
        filters["category"] = category.slug
    page = discovery.list_campaigns(page=form.page.data or 1, **filters)
    return render_template("petitions/list.html", page=page, **context)


@bp.get("/campaigns")
def index():
    """Every public campaign: search, filter by status, category and country, sort, page."""
    return _render_list(_filter_form(), _("Campaigns"))


@bp.get("/categories")
def categories():
    """The active categories, each with how many public campaigns it holds."""
    return render_template("petitions/categories.html", rows=discovery.category_counts())


@bp.get("/categories/<slug>")
def category(slug: str):
    """One category's public campaigns, with the list's other filters."""
    found = db.first_or_404(select(Category).where(Category.slug == slug))
    form = _filter_form()
    del form.category
    return _render_list(form, found.name, category=found)
