"""What every response carries, and where a request really comes from.

* Headers on every response (pages, error pages, files, static files): a Content-Security-
  Policy that allows the site's own scripts and stylesheets and inline ones only with the
  request's nonce (``csp_nonce``, handed to Flask-Admin's templates), forbids framing
  (``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``), ``nosniff``, a same-origin
  Referer, and HSTS when the request came over HTTPS. The admin's own templates hold no inline
  script, style or event handler; behaviour lives in ``static/wushe.js``.
* The session cookie is HttpOnly and SameSite=Lax, and Secure per ``ADMIN_COOKIE_SECURE``:
  ``on``, ``off``, or ``auto`` (Secure whenever the request came over HTTPS).
* Behind a reverse proxy, ``ADMIN_TRUSTED_PROXIES`` (the number of proxies in front, default 0)
  makes ProxyFix take the client's address, scheme and host from that many X-Forwarded-*
  hops; without it every official would share the proxy's address in the sign-in throttle
  and HTTPS would go unnoticed.
"""
from __future__ import annotations

import secrets

from flask import Flask, g, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

HSTS = "max-age=31536000"
REFERRER_POLICY = "same-origin"


def csp_nonce() -> str:
    """This request's nonce for inline ``<script>``/``<style>`` (Flask-Admin's few)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def content_security_policy(nonce: str, html: bool = True) -> str:
    """The policy; ``object-src 'none'`` only on pages, so that a PDF shown inline (an
    application's form) keeps the browser's own viewer."""
    return "; ".join((
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        f"style-src 'self' 'nonce-{nonce}'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        *(("object-src 'none'",) if html else ()),
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ))


class SessionCookie(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with Secure decided per request under ``auto``."""

    def get_cookie_secure(self, app: Flask) -> bool:
        mode = app.config["ADMIN_COOKIE_SECURE"]
        if mode == "auto":
            return request.is_secure
        return mode == "on"


def init_app(app: Flask) -> None:
    """Needs ``ADMIN_COOKIE_SECURE`` and ``ADMIN_TRUSTED_PROXIES`` in the app's config."""
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")
    app.session_interface = SessionCookie()
    n = app.config["ADMIN_TRUSTED_PROXIES"]
    if n:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers["Content-Security-Policy"] = content_security_policy(
            csp_nonce(), html=response.mimetype == "text/html")
        headers["X-Frame-Options"] = "DENY"
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = REFERRER_POLICY
        if request.is_secure:
            headers["Strict-Transport-Security"] = HSTS
        return response
