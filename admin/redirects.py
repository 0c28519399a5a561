"""Where the admin may send a browser back to: a path on this site, or else the dashboard.

A target taken from the request (``next=``, the Referer) is used only when it is, exactly as
given and with nothing stripped, a path: no scheme, no host, one leading "/", and no control
character, whitespace or backslash (browsers and Werkzeug drop or turn these into "/", which is
how ``/%09/evil.com`` became ``//evil.com``). Anything else, and anything that cannot be parsed,
is not a target; no input makes a redirect fail. ``guard`` checks every redirect the app sends,
Flask-Admin's ``url=`` included, the same way.
"""
from __future__ import annotations

import logging
import unicodedata
from urllib.parse import urlsplit

from flask import Flask, request, url_for
from werkzeug.urls import iri_to_uri

log = logging.getLogger("wushe.admin")


def is_local_path(target: str | None) -> bool:
    """Whether ``target`` is a path on this site (see the module docstring)."""
    if not target or not isinstance(target, str):
        return False
    if not target.startswith("/") or target.startswith("//"):
        return False
    # Every control, format or unassigned code point (category C*) and every space (Z*).
    if "\\" in target or any(unicodedata.category(ch)[0] in "CZ" for ch in target):
        return False
    try:
        parts = urlsplit(target)
    except ValueError:
        return False
    return not parts.scheme and not parts.netloc


def safe_target(target: str | None, default: str | None = None) -> str:
    """``target`` as a Location (ASCII, percent-encoded) if it is a local path, else
    ``default`` (the dashboard)."""
    if is_local_path(target):
        return iri_to_uri(target)
    return default or url_for("admin.index")


def own_path(url: str | None) -> str | None:
    """An absolute URL of this site (``http://host/...``, as Werkzeug's own redirects and the
    Referer give it) as its path; anything else as it is."""
    host = request.host_url  # "http://host/"
    if url and url.startswith(host):
        return "/" + url[len(host):]
    return url


def referrer_path() -> str | None:
    """The Referer as a path on this site, or None when it came from elsewhere (or is absent)."""
    path = own_path(request.referrer)
    return path if path != request.referrer else None


def guard(app: Flask) -> None:
    """Every redirect the app answers with stays on the site: a Location that is not a local
    path is replaced by the dashboard (a view that lets a foreign target through is a bug,
    logged)."""

    @app.after_request
    def keep_redirects_local(response):
        location = response.headers.get("Location")
        if location is not None and 300 <= response.status_code < 400 \
                and not is_local_path(own_path(location)):
            log.warning("redirect to %r from %s replaced by the dashboard", location, request.path)
            response.headers["Location"] = url_for("admin.index")
        return response
