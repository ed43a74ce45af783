"""Reading and writing the user's files without ever destroying what toolpicker did not create.

Writing (``-o FILE`` of every command):

- a new file, or a regular file toolpicker wrote before (it carries toolpicker's
  mark: see :func:`made_by_toolpicker`), or an empty one, is written through a
  temporary file in the same folder, flushed to disk, then renamed over it: a
  failure (disk full, interruption) never leaves half a file, and the result
  keeps the mode of the file it replaces (0644 for a new one);
- any other existing file is refused unless ``force`` (``--force``): the
  message says how to keep it;
- a symbolic link is followed: its target is written, the link stays;
- a device, a FIFO or a terminal is written *through* (opened and written, never
  replaced by a regular file), so ``-o /dev/stdout`` or ``-o >(gzip …)`` work
  and ``-o /dev/null`` stays the system's ``/dev/null``; a write error (``-o
  /dev/full``) is reported;
- a folder, a socket, or a file that is also the input is refused.

Reading (profiles, rule and catalogue files, batch inputs): every read is
bounded by size, also for files that do not say their size (``/dev/zero``, a
FIFO, a symbolic link to either); a FIFO with no writer is "empty", a FIFO whose
writer sends nothing for :data:`READ_TIMEOUT` seconds is an error, never a hang.
"""

from __future__ import annotations

import contextlib
import os
import re
import select
import stat
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from ._errors import InputError, Problem
from ._i18n import t

READ_TIMEOUT = 30.0
_MARKS = re.compile(
    rb'"toolpicker_version":|<meta name="generator" content="toolpicker|'
    rb"(?:\xc3\x89tabli avec|Made with) toolpicker|^\{\"row\": \d+, \"(?:recommendation|error)\"", re.M)
_MARK_WINDOW = 4096


class OutputExists(InputError):
    """The output is an existing file toolpicker did not write, and ``--force`` was not given."""


def made_by_toolpicker(path: Path) -> bool:
    """True when a regular file carries toolpicker's mark near its start or its end.

    The marks: ``"toolpicker_version":`` (JSON), ``<meta name="generator"
    content="toolpicker`` (HTML), the footer « Établi avec toolpicker » / "Made
    with toolpicker" (text and Markdown reports), ``{"row": N, …`` (batch JSON Lines).
    """
    try:
        with open(path, "rb") as handle:
            head = handle.read(_MARK_WINDOW)
            size = os.fstat(handle.fileno()).st_size
            tail = b""
            if size > _MARK_WINDOW:
                handle.seek(max(_MARK_WINDOW, size - _MARK_WINDOW))
                tail = handle.read(_MARK_WINDOW)
    except OSError:
        return False
    return bool(_MARKS.search(head) or _MARKS.search(tail))


def _fail(output: str, detail: str) -> InputError:
    return InputError(t("errors.output_failed", path=output, detail=detail))


def prepare_output(output: str, force: bool = False, inputs: Iterable[str] = ()) -> None:
    """Refuse, before any work is done, an output that :func:`write_atomically` would refuse."""
    _target(output, force, inputs)


def _target(output: str, force: bool, inputs: Iterable[str]) -> tuple[Path, str]:
    """(path to write, how): ``new``, ``replace`` or ``through``; raise :class:`InputError` when refused."""
    path = Path(output)
    try:
        # A pipe or a terminal reached through a link (/dev/stdout → /proc/self/fd/1 → pipe:[…]) has no name
        # of its own to resolve: it is written through the name given.
        special = os.stat(path) if os.path.exists(path) else None
        if special is not None and (stat.S_ISFIFO(special.st_mode) or stat.S_ISCHR(special.st_mode)
                                    or stat.S_ISBLK(special.st_mode)):
            return path, "through"
        resolved = Path(os.path.realpath(path, strict=False))
        info = os.stat(resolved) if resolved.exists() else None
    except OSError as exc:  # a symbolic-link loop, a name too long…
        raise _fail(output, exc.strerror or str(exc)) from None
    for source in inputs:
        if source not in ("", "-") and info is not None:
            with contextlib.suppress(OSError):
                if os.path.samefile(source, resolved):
                    raise _fail(output, t("errors.output_is_input"))
    if info is None:
        if not resolved.parent.is_dir():
            raise _fail(output, t("errors.output_no_folder", folder=str(resolved.parent)))
        return resolved, "new"
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        raise _fail(output, t("errors.output_is_folder"))
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISFIFO(mode):
        return resolved, "through"
    if not stat.S_ISREG(mode):
        raise _fail(output, t("errors.output_special"))
    if info.st_size and not force and not made_by_toolpicker(resolved):
        raise OutputExists(t("errors.output_exists", path=output))
    return resolved, "replace"


def write_atomically(output: str, chunks: Iterable[str], force: bool = False, inputs: Iterable[str] = ()) -> None:
    """Write ``chunks`` to ``output`` (see the module docstring); raise :class:`InputError` naming it."""
    target, how = _target(output, force, inputs)
    try:
        if how == "through":
            with open(target, "w", encoding="utf-8") as handle:  # no O_CREAT surprise: it exists
                for chunk in chunks:
                    handle.write(chunk)
            return
        try:
            mode = target.stat().st_mode & 0o777
        except OSError:
            mode = 0o666 & ~_umask()
        fd, tmp = tempfile.mkstemp(prefix=".toolpicker-", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                for chunk in chunks:
                    handle.write(chunk)
                handle.flush()
                os.fsync(handle.fileno())  # a full disk shows here, before the old file is replaced
            with contextlib.suppress(OSError):
                os.chmod(tmp, mode)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise _fail(output, exc.strerror or str(exc)) from None


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


# ------------------------------------------------------------------ reading

def _read_problem(shown: str, code: str, **values: object) -> InputError:
    return InputError(t("errors.cannot_read", path=shown),
                      [Problem(message=t(f"errors.{code}", **values), path=shown, code=code)])


def read_bounded(path: str | Path, limit: int, shown: str | None = None) -> bytes:
    """The bytes of a file, at most ``limit`` (an :class:`InputError` beyond), whatever kind of file it is."""
    name = shown or str(path)
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise _read_problem(name, "is_a_directory")
        if stat.S_ISREG(info.st_mode) and info.st_size > limit:
            raise _read_problem(name, "file_too_large", size=info.st_size, limit=limit)
        if stat.S_ISREG(info.st_mode):
            with open(path, "rb") as handle:
                data = handle.read(limit + 1)
        elif stat.S_ISSOCK(info.st_mode):
            raise _read_problem(name, "not_a_file")
        else:
            data = _read_stream(path, limit, name)
    except FileNotFoundError:
        raise _read_problem(name, "file_not_found") from None
    except PermissionError:
        raise _read_problem(name, "permission_denied") from None
    except OSError as exc:
        raise _read_problem(name, "os_error", detail=exc.strerror or str(exc)) from None
    if len(data) > limit:
        raise _read_problem(name, "file_too_large", size=f"> {limit}", limit=limit)
    return data


def _read_stream(path: str | Path, limit: int, shown: str) -> bytes:
    """A device or a FIFO: read without blocking forever and without reading more than ``limit + 1`` bytes."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        parts: list[bytes] = []
        size = 0
        deadline = time.monotonic() + READ_TIMEOUT
        while size <= limit:
            try:
                chunk = os.read(fd, min(65536, limit + 1 - size))
            except BlockingIOError:  # a writer is there but has sent nothing yet: wait, within the deadline
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise _read_problem(shown, "read_timeout", seconds=int(READ_TIMEOUT)) from None
                select.select([fd], [], [], remaining)
                continue
            if not chunk:  # end of data, or a FIFO nobody writes to
                break
            parts.append(chunk)
            size += len(chunk)
            deadline = time.monotonic() + READ_TIMEOUT
        return b"".join(parts)
    finally:
        os.close(fd)
