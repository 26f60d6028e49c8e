"""Campaign updates: the timeline page, the Atom feed, and posting, editing, deleting."""

from flask import Blueprint

bp = Blueprint("updates", __name__)
