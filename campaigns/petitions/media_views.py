"""Serving uploaded cover images from the upload folder, with safe headers."""

from flask import Blueprint, abort, send_from_directory

from campaigns.petitions.covers import covers_folder, is_cover_name

bp = Blueprint("media", __name__)

# Set on the response itself, so the site-wide after_request (which only fills in missing
# headers) keeps these: an image needs no scripts, styles or frames, even if a browser were
# ever tricked into reading it as a document.
COVER_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Content-Disposition": "inline",
    # Names are random and never reused: a cover that changes gets a new name.
    "Cache-Control": "public, max-age=31536000, immutable",
}


@bp.get("/media/covers/<name>")
def cover(name: str):
    """A stored cover image, by the random name store_cover gave it."""
    # No campaign lookup, so covers of hidden or draft campaigns are served too: the
    # 128-bit random names cannot be guessed, and a cover link is only ever printed on
    # pages the viewer is allowed to see. Deleted covers are removed from disk.
    if not is_cover_name(name):
        abort(404)
    response = send_from_directory(covers_folder(), name, mimetype="image/jpeg")
    response.headers.update(COVER_HEADERS)
    return response
