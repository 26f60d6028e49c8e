"""Victories: declaring, the admin queue and decisions, and the public /victories list."""

from flask import Blueprint

bp = Blueprint("victories", __name__)
