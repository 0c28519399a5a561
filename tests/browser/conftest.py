"""The browser area's fixtures: the demo site served from a thread, Chromium and a page
(tests/browserkit.py)."""
from tests.browserkit import browser, page, site  # noqa: F401
