"""Wushe's domain: places, people, plans, report kinds, reports and progress.

Knows nothing of Telegram or Flask; the bot, the admin, the pushes and the charts are edges
over it.
"""
from models.core.db import connection, database, init_db  # noqa: F401
from models.core.schema import create_schema  # noqa: F401
from models.extensions import install
from models.forms.kinds import load_kinds
from models.org.places import load_places
from models.plans.loading import load_plan, shipped_plan_files


def bootstrap(url: str, *, places: bool = True, plans: bool = True) -> list:
    """Create/upgrade the schema and load the shipped places, kinds and plans (idempotent:
    values officials or imports set are kept); install the extension points (sinks, option
    sources). The loads' results (``models.core.loads.LoadResult``), for their conflicts."""
    install()
    init_db(url)
    results = []
    with connection():
        create_schema()
        load_kinds()
        if places:
            results.append(load_places())
        if plans:
            for path in shipped_plan_files():
                results.append(load_plan(path))
    return results
