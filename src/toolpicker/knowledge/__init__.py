"""Internal: the knowledge a recommendation is made from — the rule language, the catalogue, the profile.

Safe YAML reading with line numbers (``safe_yaml``, ``reader``), the rule
language (``rules``; its operators in ``operators``), the catalogue
(``catalog``), the profile and its questions (``profile``, ``questions``), and
the validated, cached knowledge base that binds them (``base``).

The public API is :mod:`toolpicker` itself; nothing here is a stable interface.
"""
