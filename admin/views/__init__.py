"""The admin's pages, one module per area, each over ``admin.base``.

A view module imports ``admin.base`` and the helper modules beside this package (labels,
downloads, exports, scoping, formatting, chart_cache), never another view; ``admin.menu``
lists and registers them all.
"""
