"""Internal: the ways people and programs reach toolpicker — the CLI, the HTTP server and web page, batch runs,
the terminal interview, and the rendering of reports (``report`` decides what a reader sees, ``render`` the formats).

The public API is :mod:`toolpicker` itself; nothing here is a stable interface.
"""
