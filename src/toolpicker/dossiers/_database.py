"""Opening a dossier database: its URL, the engine, the schema, and one French message for whatever fails.

- The URL is ``--db URL``, else ``TOOLPICKER_DB``, else an SQLite file in the
  user's data folder (:func:`database_url`). ``postgresql://`` means the
  psycopg driver (``postgresql+psycopg://``); other databases are refused.
- SQLite runs in WAL mode (readers never wait for a writer) with a 30 s busy
  timeout; a write transaction starts with ``BEGIN IMMEDIATE``, so two
  processes adding at once queue instead of failing half-way. A new database
  file is created readable by its owner only: notes may name people.
- The schema is migrated to the head on open (:func:`ensure_schema`), inside
  one write transaction (on PostgreSQL under an advisory lock), so processes
  opening a new database at once do not race; a database from a newer
  toolpicker is refused, never touched.
- Parameters are never part of an error or a log line (``hide_parameters``),
  so no dossier content reaches a terminal or a log through an exception.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from .._errors import InputError, Problem
from .._i18n import t
from ._schema import HEAD, REVISIONS, VERSION_TABLE, diagnosis, dossier

ENVIRONMENT_VARIABLE = "TOOLPICKER_DB"
DEFAULT_FILE = "dossiers.sqlite3"
BUSY_TIMEOUT = 30.0
"""Seconds an SQLite writer waits for another one before giving up with a clear message."""
_ADVISORY_LOCK = 7_461_626_865_273_210_113
"""PostgreSQL advisory-lock key taken while migrating (any constant: it only has to be ours)."""


class DossierError(InputError):
    """A dossier operation failed: unknown id, unusable database, invalid export… (the message says which).

    ``kind`` sorts it for the HTTP API: ``unknown`` (no such dossier), ``conflict`` (an import meets existing
    dossiers), ``database`` (the database cannot be used) or ``input`` (anything wrong in what was asked).
    """

    def __init__(self, message: str, problems: list[Problem] | None = None, kind: str = "input") -> None:
        super().__init__(message, problems)
        self.kind = kind


def database_url(url: str | None = None) -> str:
    """The database to use: ``url``, else ``TOOLPICKER_DB``, else the SQLite file in the user's data folder."""
    if url:
        return url
    configured = os.environ.get(ENVIRONMENT_VARIABLE, "").strip()
    if configured:
        return configured
    import platformdirs

    folder = Path(platformdirs.user_data_dir("toolpicker", appauthor=False))
    return f"sqlite:///{folder / DEFAULT_FILE}"


def default_database_file() -> Path:
    """Where the embedded SQLite database lives when neither ``--db`` nor ``TOOLPICKER_DB`` is given."""
    import platformdirs

    return Path(platformdirs.user_data_dir("toolpicker", appauthor=False)) / DEFAULT_FILE


class Database:
    """An engine on one dossier database, with read and write transactions that speak French when they fail."""

    def __init__(self, url: str | None = None) -> None:
        raw = database_url(url)
        parsed = _parse(raw)
        self.url = parsed
        self.shown = raw if parsed.password is None else parsed.render_as_string(hide_password=True)
        self.dialect = parsed.get_backend_name()
        if self.dialect == "sqlite":
            _prepare_sqlite_file(parsed, self.shown, default=not url and not os.environ.get(ENVIRONMENT_VARIABLE))
        self.engine = self._engine()

    def _engine(self) -> Engine:
        try:
            if self.dialect == "sqlite":
                engine = create_engine(self.url, hide_parameters=True,
                                       connect_args={"timeout": BUSY_TIMEOUT, "check_same_thread": False})
                _sqlite_transactions(engine)
                return engine
            return create_engine(self.url, hide_parameters=True, pool_pre_ping=True,
                                 connect_args={"connect_timeout": 10})
        except (NoSuchModuleError, ImportError):
            raise _fail("db.missing_driver", url=self.shown) from None
        except (ArgumentError, SQLAlchemyError, TypeError, ValueError) as exc:
            raise _fail("db.bad_url", url=self.shown, detail=type(exc).__name__) from None

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read transaction (errors become a :class:`DossierError` naming the database)."""
        with self._translated(), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction: everything inside is committed together, or nothing is."""
        with self._translated(), self.engine.connect() as conn:
            conn.execution_options(toolpicker_write=True)
            with conn.begin():
                yield conn

    @contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except DossierError:
            raise
        except (SQLAlchemyError, sqlite3.Error, OSError) as exc:
            raise translate(exc, self.shown) from None

    def close(self) -> None:
        self.engine.dispose()


def _parse(raw: str) -> URL:
    try:
        parsed = make_url(raw)
    except (ArgumentError, ValueError):
        shown = raw if "@" not in raw else raw.split("@", 1)[1]  # never echo a password
        raise _fail("db.bad_url", url=shown, detail=t("db.not_a_url")) from None
    if parsed.drivername == "postgresql":  # the driver toolpicker installs, whatever SQLAlchemy's default is
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif parsed.drivername not in ("sqlite", "sqlite+pysqlite", "postgresql+psycopg"):
        raise _fail("db.unsupported", url=parsed.render_as_string(hide_password=True))
    return parsed


def _prepare_sqlite_file(url: URL, shown: str, default: bool) -> None:
    """Create a new database file readable by its owner only (and, for the default one, its folder)."""
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:") or url.query.get("mode"):
        return
    path = Path(database)
    if default:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.exists():
        if path.is_dir():
            raise _fail("db.is_a_folder", url=shown)
        return
    if not path.parent.is_dir():
        raise _fail("db.no_folder", url=shown, folder=str(path.parent))
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass  # another process created it first
    except OSError as exc:
        raise _fail("db.cannot_create", url=shown, detail=exc.strerror or str(exc)) from None


def _sqlite_transactions(engine: Engine) -> None:
    """WAL, foreign keys, and transactions we begin ourselves (``BEGIN IMMEDIATE`` for writes)."""

    @event.listens_for(engine, "connect")
    def connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # pysqlite must not begin transactions behind our back
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
            cursor.execute("PRAGMA foreign_keys = ON")
            try:
                cursor.execute("PRAGMA journal_mode = WAL")
            except sqlite3.OperationalError as exc:
                if "readonly" not in str(exc) and "read-only" not in str(exc):
                    raise  # a read-only database keeps its journal mode and can still be read
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("toolpicker_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


# ------------------------------------------------------------------ schema

def ensure_schema(db: Database) -> None:
    """Bring the database to the head revision, or refuse it (newer schema, tables that are not ours)."""
    with db.read() as conn:
        version = _version(conn)
    if version == HEAD:
        return
    _check_known(version, db)
    with db.write() as conn:
        if db.dialect == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_ADVISORY_LOCK})")
        version = _version(conn)  # another process may have migrated meanwhile
        _check_known(version, db)
        if version is None and _has_our_tables(conn):
            raise _fail("db.not_ours", url=db.shown)
        if version != HEAD:
            migrate(conn)


def _check_known(version: str | None, db: Database) -> None:
    if version is not None and version not in REVISIONS:
        raise _fail("db.newer_schema", url=db.shown, revision=str(version)[:40], head=HEAD)


def _version(conn: Connection) -> str | None:
    if not inspect(conn).has_table(VERSION_TABLE):
        return None
    rows = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()  # noqa: S608 - constant
    return str(rows[0]) if len(rows) == 1 else ("?" if rows else None)


def _has_our_tables(conn: Connection) -> bool:
    found = inspect(conn)
    return any(found.has_table(table.name) for table in (dossier, diagnosis))


def migration_config() -> Any:
    """Alembic's configuration for the migrations shipped in the package."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    config.set_main_option("version_table", VERSION_TABLE)
    return config


def migrate(conn: Connection, target: str = HEAD) -> None:
    """Run the migrations up to ``target`` on ``conn``, inside the caller's transaction."""
    from alembic.runtime.environment import EnvironmentContext
    from alembic.script import ScriptDirectory

    config = migration_config()
    script = ScriptDirectory.from_config(config)

    def steps(revision: Any, context: Any) -> Any:
        return script._upgrade_revs(target, revision)

    with EnvironmentContext(config, script, fn=steps, destination_rev=target) as environment:
        environment.configure(connection=conn, version_table=VERSION_TABLE, transactional_ddl=True)
        environment.run_migrations()


# ------------------------------------------------------------------ errors

def _fail(name: str, /, **values: object) -> DossierError:
    message = t(name, **values)
    kind = "database" if name.startswith("db.") else "input"
    return DossierError(message, [Problem(message=message, code=name.split(".", 1)[1])], kind=kind)


_SQLITE_MESSAGES = (
    ("readonly", "db.read_only"),
    ("read-only", "db.read_only"),
    ("disk is full", "db.full"),
    ("disk i/o error", "db.io_error"),
    ("file is not a database", "db.not_a_database"),
    ("file is encrypted", "db.not_a_database"),
    ("malformed", "db.corrupt"),
    ("unable to open database", "db.cannot_open"),
    ("database is locked", "db.locked"),
    ("no such table", "db.not_a_database"),
)


def translate(exc: BaseException, shown: str) -> DossierError:
    """One French sentence for a database failure; never the SQL nor its parameters."""
    original = getattr(exc, "orig", None) or exc
    detail = str(original).lower()
    if isinstance(original, OSError) and not isinstance(original, sqlite3.Error):
        return _fail("db.os_error", url=shown, detail=original.strerror or type(original).__name__)
    for needle, key in _SQLITE_MESSAGES:
        if needle in detail:
            return _fail(key, url=shown)
    module = type(original).__module__
    if module.startswith("psycopg"):
        name = type(original).__name__
        if name in ("OperationalError", "ConnectionTimeout") or "connection" in detail:
            return _fail("db.cannot_connect", url=shown)
        if name in ("DiskFull",) or "no space left" in detail:
            return _fail("db.full", url=shown)
        if name in ("InsufficientPrivilege", "ReadOnlySqlTransaction"):
            return _fail("db.read_only", url=shown)
    return _fail("db.failed", url=shown, detail=type(original).__name__)
