"""Recording a decision maker's response."""

from flask import Blueprint

bp = Blueprint("responses", __name__)
