"""``python -m toolpicker``: the same as the ``toolpicker`` command."""

from .cli import main

main()
