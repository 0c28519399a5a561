"""Charts as pure functions: data in, a ``matplotlib.figure.Figure`` out.

No pyplot, no global figure state: callers build a Figure with a function here and turn it
into bytes with ``charts.render.png_bytes``. The numbers come from ``models.plans.progress``; the
charts only draw them. Labels are parameters (Chinese by default), so each edge passes them
in its user's language.
"""
from .completion import PlaceCompletion, completion_by_place  # noqa: F401
from .render import png_bytes  # noqa: F401
from .trend import weekly_trend  # noqa: F401
