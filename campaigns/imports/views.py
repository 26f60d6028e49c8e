"""Paper signatures: upload a CSV, read its per-row report, confirm or discard the import."""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from campaigns.auth.limits import form_ip_limit
from campaigns.core.forms import EmptyForm
from campaigns.core.services import RuleError
from campaigns.extensions import db, limiter
from campaigns.imports import services
from campaigns.imports.forms import UploadForm
from campaigns.imports.parsing import EXAMPLE_CSV, readable_size
from campaigns.imports.queries import recent_imports, report_page
from campaigns.petitions.queries import campaign_for_viewer
from campaigns.signatures.services import closed_reason

bp = Blueprint("imports", __name__)


@bp.app_template_global()
def import_panel(campaign):
    """What the dashboard's paper-signature panel shows: None for those who may not import."""
    if not services.may_import(current_user, campaign):
        return None
    return {"imports": recent_imports(campaign, limit=3), "open": campaign.is_open}


def _campaign(slug: str):
    """The campaign, if the signed-in user may import into it: 404 if unseen, else 403."""
    campaign = campaign_for_viewer(slug, current_user)
    if not services.may_import(current_user, campaign):
        abort(403)
    return campaign


def _call(verb, *args):
    """Run a service verb, turning its refusal into the HTTP error it names."""
    try:
        return verb(*args)
    except RuleError as exc:
        abort(exc.status, exc.message)


@bp.route("/campaigns/<slug>/imports", methods=["GET", "POST"])
@login_required
@limiter.limit(form_ip_limit, methods=["POST"])
def index(slug: str):
    """The upload form, how to prepare the file, and the campaign's past imports."""
    campaign = _campaign(slug)
    form, status = UploadForm(), 200
    if request.method == "POST" and not campaign.is_open:
        abort(409, closed_reason(campaign))
    if form.validate_on_submit():
        upload = form.file.data
        try:
            record = services.upload_import(
                current_user, campaign, filename=upload.filename, data=upload.stream,
                day_first=form.day_first,
            )  # fmt: skip
        except RuleError as exc:
            db.session.rollback()
            form.file.errors = [*form.file.errors, exc.message]
            status = exc.status
        else:
            db.session.commit()
            flash(_("File checked. Review the report, then confirm the import to count it."),
                  "success")  # fmt: skip
            return redirect(url_for("imports.report", slug=slug, import_id=record.id))
    elif form.errors:
        status = 422
    return render_template(
        "imports/index.html", campaign=campaign, form=form, example=EXAMPLE_CSV,
        imports=recent_imports(campaign), closed=closed_reason(campaign),
        max_size=readable_size(current_app.config["IMPORT_MAX_BYTES"]),
    ), status  # fmt: skip


@bp.get("/campaigns/<slug>/imports/template.csv")
@login_required
def template_csv(slug: str):
    """A CSV to fill in: the header line and two example rows."""
    _campaign(slug)
    headers = {"Content-Disposition": 'attachment; filename="paper-signatures.csv"'}
    return Response(EXAMPLE_CSV, mimetype="text/csv", headers=headers)


@bp.get("/campaigns/<slug>/imports/<int:import_id>")
@login_required
def report(slug: str, import_id: int):
    """One import's report: rejected rows with their reasons, and accepted ones."""
    campaign = _campaign(slug)
    record = _call(services.import_of, campaign, import_id)
    default = "rejected" if record.rows_rejected else "accepted"
    page = report_page(record, request.args.get("show", default),
                       request.args.get("page", 1, type=int))  # fmt: skip
    return render_template("imports/report.html", campaign=campaign, record=record, page=page,
                           form=EmptyForm())  # fmt: skip


@bp.post("/campaigns/<slug>/imports/<int:import_id>/confirm")
@login_required
def confirm(slug: str, import_id: int):
    """Count the import's accepted rows; a second confirm changes nothing and says so."""
    campaign = _campaign(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    decision = _call(services.confirm_import, current_user, campaign, import_id)
    db.session.commit()
    if decision.outcome == services.Outcome.DONE:
        flash(ngettext("Import confirmed: %(num)d signature will be added to the count.",
                       "Import confirmed: %(num)d signatures will be added to the count.",
                       decision.signatures), "success")  # fmt: skip
    else:
        flash(_("This import was already decided; nothing changed."), "info")
    return redirect(url_for("imports.report", slug=slug, import_id=import_id))


@bp.post("/campaigns/<slug>/imports/<int:import_id>/discard")
@login_required
def discard(slug: str, import_id: int):
    """Throw the import away; none of its signatures was ever counted."""
    campaign = _campaign(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    decision = _call(services.discard_import, current_user, campaign, import_id)
    db.session.commit()
    if decision.outcome == services.Outcome.DONE:
        flash(_("Import discarded. Its signatures were removed."), "success")
    else:
        flash(_("This import was already decided; nothing changed."), "info")
    return redirect(url_for("imports.report", slug=slug, import_id=import_id))


@bp.errorhandler(413)
def too_large(error):
    """An upload bigger than the site accepts: say so plainly; nothing was read or saved."""
    limit = readable_size(current_app.config["IMPORT_MAX_BYTES"])
    slug = (request.view_args or {}).get("slug")
    return render_template("imports/too_large.html", limit=limit, slug=slug), 413
