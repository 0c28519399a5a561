"""``/healthz`` for the load balancer and the monitor: JSON, no sign-in, 200 when the database
answers with the code's schema, 503 otherwise (``models.core.health``)."""
from __future__ import annotations

from flask import Blueprint, jsonify

from models.core import health

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz():
    ok, details = health.status()
    response = jsonify({"ok": ok, **details})
    response.status_code = 200 if ok else 503
    response.headers["Cache-Control"] = "no-store"
    return response
