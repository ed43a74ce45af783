"""``python -m toolpicker``: the same as the ``toolpicker`` command."""

from .interfaces.cli import main

main()
