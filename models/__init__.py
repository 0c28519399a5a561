"""Wushe's domain: places, people, plans, report kinds, reports and progress.

Knows nothing of Telegram or Flask; the bot, the admin, the pushes and the charts are edges
over it.
"""
from models.core.db import connection, database, init_db  # noqa: F401
from models.core.migrations import create_schema, stored_version, upgrade
from models.extensions import install
from models.forms.kinds import load_kinds
from models.org.places import load_places
from models.plans.loading import load_plan, shipped_plan_files


def bootstrap(url: str, *, places: bool = True, plans: bool = True) -> list:
    """For the tests, the demos and the benchmarks, which build their own database: the
    schema created (or an older one upgraded), the shipped places, kinds and plans loaded
    (values officials or imports set are kept). A real deployment runs `python -m models init`
    once and `python -m models upgrade` after an update instead, and its start-up writes
    nothing. The loads' results (``models.core.loads.LoadResult``), for their conflicts."""
    install()
    init_db(url)
    results = []
    with connection():
        if stored_version() is None:
            create_schema()
        else:
            upgrade()
        load_kinds()
        if places:
            results.append(load_places())
        if plans:
            for path in shipped_plan_files():
                results.append(load_plan(path))
    return results
