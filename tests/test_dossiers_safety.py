"""Dossier writes under pressure: concurrent processes, a process killed mid-write, a full disk.

Real processes and real databases (SQLite always, PostgreSQL when TOOLPICKER_TEST_PG is set): every write
is one transaction, so nothing is lost, duplicated or left half-written.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import event, text

from toolpicker.dossiers import DossierError, open_dossiers

from . import dossiers_support as support
from .dossiers_support import AS_OF, LANTERNE, diagnosis_of

db_url = support.db_url
PROCESSES = 8
EACH = 10

WRITER = """
import json, os, sys, time
from toolpicker.dossiers import open_dossiers
url, target, start, count, data = sys.argv[1:6]
profile, rec = json.loads(open(data, encoding="utf-8").read())
import toolpicker.dossiers._store  # imported before the start: the processes then open the database together
while not os.path.exists(start):
    time.sleep(0.002)
store = open_dossiers(url)
for i in range(int(count)):
    store.record(profile, rec, to=None if target == "-" else target, note=f"{os.getpid()} {i}")
"""

KILLED = """
import json, os, signal, sys
from sqlalchemy import event
from toolpicker.dossiers import open_dossiers
url, target, data = sys.argv[1:4]
profile, rec = json.loads(open(data, encoding="utf-8").read())
store = open_dossiers(url)

@event.listens_for(store.db.engine, "after_execute")
def after(conn, clause, *args):
    if "INSERT INTO toolpicker_diagnosis" in str(clause):
        os.kill(os.getpid(), signal.SIGKILL)  # the row is written, the transaction not yet committed

store.record(profile, rec, to=target, note="jamais enregistré")
"""

LOOP = """
import json, sys
from toolpicker.dossiers import open_dossiers
url, target, data = sys.argv[1:4]
profile, rec = json.loads(open(data, encoding="utf-8").read())
store = open_dossiers(url)
print("ready", flush=True)
while True:
    store.record(profile, rec, to=target)
"""


def _data(tmp_path: Path) -> str:
    path = tmp_path / "diagnosis.json"
    path.write_text(json.dumps(diagnosis_of(LANTERNE)), encoding="utf-8")
    return str(path)


def _start(script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _consistent(url: str) -> dict[str, list[int]]:
    """dossier → its diagnosis numbers, checking that each counter matches its diagnoses 1..N."""
    with open_dossiers(url) as store, store.db.read() as conn:
        if store.db.dialect == "sqlite":
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        counters = dict(conn.execute(text("SELECT id, diagnoses FROM toolpicker_dossier")).all())
        numbers: dict[str, list[int]] = {k: [] for k in counters}
        for dossier_id, n in conn.execute(text("SELECT dossier_id, n FROM toolpicker_diagnosis ORDER BY dossier_id, n")):
            numbers[dossier_id].append(n)
    for dossier_id, found in numbers.items():
        assert found == list(range(1, counters[dossier_id] + 1)), dossier_id
    return numbers


def _run_together(tmp_path: Path, url: str, target: str) -> None:
    start = tmp_path / "start"
    data = _data(tmp_path)
    workers = [_start(WRITER, url, target, str(start), str(EACH), data) for _ in range(PROCESSES)]
    time.sleep(0.5)
    start.touch()
    for worker in workers:
        _, err = worker.communicate(timeout=240)
        assert worker.returncode == 0, err


def test_eight_processes_adding_to_one_dossier_lose_nothing(db_url: str, tmp_path: Path) -> None:
    with open_dossiers(db_url) as store:
        target = store.add(LANTERNE, as_of=AS_OF).dossier
    _run_together(tmp_path, db_url, target)
    numbers = _consistent(db_url)
    assert numbers[target] == list(range(1, PROCESSES * EACH + 2))
    with open_dossiers(db_url) as store:
        notes = [d.note for d in store.get(target).diagnoses[1:]]
    assert len(set(notes)) == PROCESSES * EACH  # every write is there, once


def test_eight_processes_opening_a_new_database_at_once(db_url: str, tmp_path: Path) -> None:
    """The first open migrates; the others wait for it, then see the schema (no table created twice)."""
    _run_together(tmp_path, db_url, "-")
    numbers = _consistent(db_url)
    assert len(numbers) == PROCESSES * EACH
    assert all(found == [1] for found in numbers.values())


def test_a_process_killed_mid_write_leaves_the_database_as_it_was(db_url: str, tmp_path: Path) -> None:
    with open_dossiers(db_url) as store:
        target = store.add(LANTERNE, as_of=AS_OF).dossier
    killed = _start(KILLED, db_url, target, _data(tmp_path))
    _, err = killed.communicate(timeout=120)
    assert killed.returncode == -signal.SIGKILL, err
    assert _consistent(db_url) == {target: [1]}
    with open_dossiers(db_url) as store:
        assert store.add(LANTERNE, to=target, as_of=AS_OF).diagnosis == 2
        assert [d.note for d in store.get(target).diagnoses] == [None, None]


def test_processes_killed_at_random_moments_never_leave_half_a_diagnosis(db_url: str, tmp_path: Path) -> None:
    with open_dossiers(db_url) as store:
        target = store.add(LANTERNE, as_of=AS_OF).dossier
    data = _data(tmp_path)
    for delay in (0.05, 0.13, 0.31):
        writer = _start(LOOP, db_url, target, data)
        assert writer.stdout is not None and writer.stdout.readline() == "ready\n"
        time.sleep(delay)
        writer.send_signal(signal.SIGKILL)
        writer.communicate(timeout=60)
        _consistent(db_url)
    assert len(_consistent(db_url)[target]) > 1


def test_a_full_disk_is_one_message_and_nothing_written(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'd.sqlite3'}"
    with open_dossiers(url) as store:
        target = store.add(LANTERNE, as_of=AS_OF).dossier
        with store.db.read() as conn:
            pages = conn.exec_driver_sql("PRAGMA page_count").scalar()

        @event.listens_for(store.db.engine, "connect")
        def small_disk(dbapi_connection: object, record: object) -> None:
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")  # type: ignore[attr-defined]

        store.db.engine.dispose()
        with pytest.raises(DossierError) as error:
            store.add(LANTERNE, to=target, as_of=AS_OF, note="une longue note " * 500)
        assert str(error.value) == f"plus de place pour la base {url} (disque plein) : rien n'a été enregistré."
    assert _consistent(url) == {target: [1]}


def test_a_busy_database_waits_for_the_other_writer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A writer holding the database makes the next one wait (busy timeout), then say so if it lasts."""
    import toolpicker.dossiers._database as database

    url = f"sqlite:///{tmp_path / 'd.sqlite3'}"
    open_dossiers(url).close()
    monkeypatch.setattr(database, "BUSY_TIMEOUT", 0.2)
    holder = open_dossiers(url)
    waiting = open_dossiers(url)
    with holder.db.write() as conn:
        conn.execute(text("UPDATE toolpicker_dossier SET name = name"))
        with pytest.raises(DossierError, match="est occupée par un autre programme"):
            waiting.add(LANTERNE, as_of=AS_OF)
    assert waiting.add(LANTERNE, as_of=AS_OF).diagnosis == 1
    holder.close()
    waiting.close()


def test_the_default_database_is_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOOLPICKER_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    with open_dossiers() as store:
        store.add(LANTERNE, as_of=AS_OF)
    for path in (tmp_path / "data" / "toolpicker").iterdir():
        assert path.stat().st_mode & 0o077 == 0, path
