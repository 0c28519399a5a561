"""The plans area's fixtures: the linkage test plan (tests/plankit.py), and the admin app with
its city admin for the dashboards of every plan (tests/adminkit.py)."""
from tests.adminkit import app, as_alice, officials, settings  # noqa: F401
from tests.plankit import plan  # noqa: F401
