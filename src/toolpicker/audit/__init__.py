"""Internal: what rule auditors use — static ``analysis``, ``check``, ``scenarios``, ``explain``, ``docs``.

The public API is :mod:`toolpicker` itself; nothing here is a stable interface.
"""
