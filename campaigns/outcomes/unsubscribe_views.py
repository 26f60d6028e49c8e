"""Unsubscribing from update emails, by signed link (one click, RFC 8058, too)."""

from flask import Blueprint

bp = Blueprint("unsubscribe", __name__)
