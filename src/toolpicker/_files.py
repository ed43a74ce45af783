"""Writing output files atomically: a temporary file in the same folder, renamed at the end.

A failure (disk full, interrupted run, bad profile discovered late) never leaves
half a file behind, and an existing file is replaced in one step.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ._errors import InputError
from ._i18n import t


def write_atomically(output: str, chunks: Iterable[str]) -> None:
    """Write ``chunks`` to ``output``; raise :class:`InputError` naming it when that is impossible.

    The new file keeps the mode of the file it replaces (0644 for a new one),
    not the 0600 of a temporary file.
    """
    target = Path(output)
    try:
        mode = target.stat().st_mode & 0o777
    except OSError:
        mode = 0o644
    try:
        fd, tmp = tempfile.mkstemp(prefix=".toolpicker-", dir=target.parent if str(target.parent) else ".")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                for chunk in chunks:
                    handle.write(chunk)
            with contextlib.suppress(OSError):
                os.chmod(tmp, mode)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise InputError(t("errors.output_failed", path=output, detail=exc.strerror or str(exc))) from None
