"""Alembic migrations of the dossier database, run by :func:`toolpicker.dossiers._database.ensure_schema`."""
