"""The admin area's fixtures: the app, its officials and a signed-in client for each
(tests/adminkit.py); the linkage test plan for the plan pages (tests/plankit.py); Chromium
for the plan pages seen in a browser (tests/browserkit.py)."""
from tests.adminkit import (app, as_alice, as_bob, as_carol, client, clock,  # noqa: F401
                            officials, settings, world)
from tests.browserkit import browser, page, site  # noqa: F401
from tests.plankit import plan  # noqa: F401
