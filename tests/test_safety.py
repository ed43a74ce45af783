"""Nothing the user owns is destroyed, every read is bounded, one bad value never stops the rest.

Each test keeps one reproduction of the hostile-input review (issue "Nothing
lost, nothing crashed"): it failed before the fix and passes now.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import toolpicker
from toolpicker.interfaces.cli import main
from toolpicker.knowledge.base import shipped_dir

from .conftest import AS_OF, EXAMPLES

EXAMPLE = EXAMPLES / "petite-association-culturelle.yaml"
RUNNER = "import sys; from toolpicker.interfaces.cli import main; main(sys.argv[1:], prog_name='toolpicker')"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def invoke(*args: str) -> object:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def run(args: list[str], cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TOOLPICKER_LANG"}
    return subprocess.run([sys.executable, "-c", RUNNER, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


# ------------------------------------------------------------------ -o never replaces what it did not write

def test_an_existing_file_of_the_users_is_never_replaced_without_force(tmp_path: Path) -> None:
    thesis = tmp_path / "these.md"
    thesis.write_text("trois ans de travail", encoding="utf-8")
    result = invoke("recommend", str(EXAMPLE), "--format", "markdown", "-o", str(thesis))
    assert result.exit_code == 2
    assert f"{thesis} existe déjà et n'a pas été écrit par toolpicker : rien n'a été remplacé." in result.output
    assert thesis.read_text(encoding="utf-8") == "trois ans de travail"
    forced = invoke("recommend", str(EXAMPLE), "--format", "markdown", "-o", str(thesis), "--force")
    assert forced.exit_code == 0
    assert thesis.read_text(encoding="utf-8").startswith("# Recommandation numérique")


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "json"])
def test_a_report_toolpicker_wrote_is_replaced_in_place(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"rapport.{fmt}"
    assert invoke("recommend", str(EXAMPLE), "--format", fmt, "-o", str(out)).exit_code == 0
    first = out.read_text(encoding="utf-8")
    assert invoke("recommend", str(EXAMPLE), "--format", fmt, "-o", str(out), "--as-of", AS_OF).exit_code == 0
    assert out.read_text(encoding="utf-8") != first or fmt == "json"


def test_the_output_can_never_be_the_input(tmp_path: Path) -> None:
    profile = tmp_path / "profil.yaml"
    profile.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    result = invoke("recommend", str(profile), "-o", str(profile), "--force")
    assert result.exit_code == 2
    assert "c'est aussi le fichier lu en entrée" in result.output
    assert profile.read_text(encoding="utf-8") == EXAMPLE.read_text(encoding="utf-8")


def test_a_symbolic_link_is_followed_and_kept(tmp_path: Path) -> None:
    real = tmp_path / "vrai.json"
    assert invoke("recommend", str(EXAMPLE), "--format", "json", "-o", str(real)).exit_code == 0
    link = tmp_path / "lien.json"
    link.symlink_to(real)
    assert invoke("recommend", str(EXAMPLE), "--format", "json", "-o", str(link), "--as-of", AS_OF).exit_code == 0
    assert link.is_symlink()
    assert json.loads(real.read_text(encoding="utf-8"))["knowledge_base"]["as_of"] == AS_OF


def test_dev_null_stays_the_systems_dev_null(tmp_path: Path) -> None:
    link = tmp_path / "null"
    link.symlink_to("/dev/null")
    for target in ("/dev/null", str(link)):
        assert invoke("recommend", str(EXAMPLE), "-o", target).exit_code == 0
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert link.is_symlink()


@pytest.mark.skipif(not IS_ROOT, reason="mknod needs root")
def test_a_device_node_is_written_through_not_replaced(tmp_path: Path) -> None:
    fake = tmp_path / "fakedev-null"
    os.mknod(fake, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    assert invoke("recommend", str(EXAMPLE), "-o", str(fake)).exit_code == 0
    assert stat.S_ISCHR(fake.stat().st_mode)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_a_full_device_is_an_error_not_a_success() -> None:
    result = invoke("recommend", str(EXAMPLE), "-o", "/dev/full")
    assert result.exit_code == 2
    assert "Impossible d'écrire /dev/full" in result.output


def test_a_fifo_receives_the_report(tmp_path: Path) -> None:
    fifo = tmp_path / "tube"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as handle:
            received.append(handle.read())

    reader = threading.Thread(target=read)
    reader.start()
    assert invoke("recommend", str(EXAMPLE), "-o", str(fifo)).exit_code == 0
    reader.join(timeout=10)
    assert received and received[0].startswith(b"RECOMMANDATION")
    assert stat.S_ISFIFO(fifo.stat().st_mode)


@pytest.mark.parametrize(("make", "fragment"), [
    (lambda p: p, "c'est un dossier ; donnez un nom de fichier."),
    (lambda p: p / "absent" / "rapport.md", "n'existe pas."),
])
def test_bad_output_places_are_clear_errors(tmp_path: Path, make: object, fragment: str) -> None:
    result = invoke("recommend", str(EXAMPLE), "-o", str(make(tmp_path)))  # type: ignore[operator]
    assert result.exit_code == 2
    assert fragment in result.output


def test_interview_never_replaces_an_existing_profile_silently(tmp_path: Path) -> None:
    other = tmp_path / "autre.yaml"
    other.write_text("name: Autre structure\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["interview", "-o", str(other), "--as-of", AS_OF], input="\n")
    assert result.exit_code == 2
    assert "existe déjà : le questionnaire ne remplace jamais un profil sans accord" in result.output
    assert other.read_text(encoding="utf-8") == "name: Autre structure\n"


def test_interview_saves_back_to_the_profile_it_resumed_and_says_so(tmp_path: Path) -> None:
    profile = tmp_path / "compagnie.yaml"
    profile.write_text("name: Compagnie\nemployees: 2\n", encoding="utf-8")
    answers = "\n" * 40
    result = CliRunner().invoke(main, ["interview", "--profile", str(profile), "--as-of", AS_OF], input=answers)
    assert result.exit_code == 0, result.output
    assert f"Profil enregistré dans {profile}." in result.output
    assert "employees: 2" in profile.read_text(encoding="utf-8")


# ------------------------------------------------------------------ every read is bounded

def test_a_profile_linked_to_dev_zero_is_refused_quickly(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").symlink_to("/dev/zero")
    done = run(["recommend", "p.yaml"], tmp_path, timeout=30)
    assert done.returncode == 2
    assert "fichier trop volumineux" in done.stderr


def test_a_fifo_with_no_writer_does_not_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "p.yaml")
    done = run(["recommend", "p.yaml"], tmp_path, timeout=30)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr


def test_a_symbolic_link_loop_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    result = invoke("recommend", str(tmp_path / "a.yaml"))
    assert result.exit_code == 2
    assert "Erreur inattendue" not in result.output
    assert str(tmp_path / "a.yaml") in result.output


def test_the_knowledge_base_version_does_not_depend_on_how_its_path_is_typed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOOLPICKER_NO_CACHE", "1")
    absolute = toolpicker.load_knowledge_base(shipped_dir("rules"), shipped_dir("catalog"))
    monkeypatch.chdir(shipped_dir("rules").parent)
    relative = toolpicker.load_knowledge_base(Path("rules"), Path("catalog"))
    assert absolute.version == relative.version


# ------------------------------------------------------------------ one bad value never stops the rest

def test_a_lone_surrogate_in_a_batch_is_one_error_row(tmp_path: Path) -> None:
    source = tmp_path / "profils.jsonl"
    source.write_text('{"name": "\\ud800"}\n{"name": "Bonne ligne", "employees": 3}\n', encoding="utf-8")
    out = tmp_path / "sortie.jsonl"
    result = invoke("batch", str(source), "-o", str(out), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert "caractère U+D800 interdit" in rows[0]["error"]["problems"][0]["message"]
    assert rows[1]["recommendation"]["profile"]["name"] == "Bonne ligne"


def test_a_huge_cell_and_an_unclosed_quote_are_error_rows_and_the_rest_is_read(tmp_path: Path) -> None:
    source = tmp_path / "profils.csv"
    source.write_text("name,employees\nA,1\n\"B" + "x" * 200_000 + "\",2\nC,3\n\"D,4\nE,5\n", encoding="utf-8")
    out = tmp_path / "sortie.jsonl"
    result = invoke("batch", str(source), "-o", str(out), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    rows = {r["row"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert rows[2]["recommendation"]["profile"]["name"] == "A"
    assert "cellule de plus de 100000 caractères" in rows[3]["error"]["message"]
    assert rows[4]["recommendation"]["profile"]["name"] == "C"
    assert "lignes 5 à 6 lues comme une seule ligne" in rows[5]["error"]["message"]


def test_control_characters_never_reach_the_terminal() -> None:
    with pytest.raises(toolpicker.ProfileError) as info:
        toolpicker.recommend({"name": "\x1b]0;pwned\x07Asso"})
    assert "\x1b" not in str(info.value)
    assert "caractère U+001B interdit" in str(info.value)


def test_a_huge_item_is_not_echoed_whole() -> None:
    result = invoke("explain", str(EXAMPLE), "--item", "x" * 100_000)
    assert result.exit_code == 2
    assert len(result.output) < 500


@pytest.mark.parametrize("value", ["012", "1:30", "0x10"])
def test_yaml_numbers_are_read_as_written_or_refused(tmp_path: Path, value: str) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(f"employees: {value}\n", encoding="utf-8")
    result = invoke("recommend", str(profile))
    assert result.exit_code == 2
    assert f"nombre « {value} » ambigu" in result.output


@pytest.mark.parametrize("value", ["2026W011", "20260101", "2026-1-1"])
def test_only_plain_iso_dates_are_dates(value: str) -> None:
    result = invoke("recommend", str(EXAMPLE), "--as-of", value)
    assert result.exit_code == 2
    assert "invalide ; format attendu AAAA-MM-JJ" in result.output


def test_a_catalogue_of_200000_bad_entries_gives_a_bounded_report(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    import shutil

    shutil.copytree(shipped_dir("catalog"), catalog)
    (catalog / "solutions" / "bombe.yaml").write_text("solutions:\n" + "- {}\n" * 200_000, encoding="utf-8")
    done = run(["check", "--catalog", str(catalog)], tmp_path, timeout=120)
    assert done.returncode == 1
    lines = (done.stdout + done.stderr).splitlines()
    assert len(lines) < 260
    assert any("autre(s) problème(s) dans ce fichier" in line for line in lines)


def test_the_markdown_report_shows_a_name_as_text_never_as_html() -> None:
    rec = toolpicker.recommend({"name": "</title><script>alert(1)</script>"}, as_of=AS_OF)
    from toolpicker.interfaces.render import render

    markdown = render(rec, "markdown")
    assert "<script>" not in markdown
    assert "&lt;script&gt;" in markdown


def test_every_html_output_declares_a_content_security_policy(tmp_path: Path) -> None:
    from toolpicker.interfaces.render import render

    html = render(toolpicker.recommend({"employees": 2}, as_of=AS_OF), "html")
    assert 'http-equiv="Content-Security-Policy" content="default-src \'none\'' in html
    site = tmp_path / "site"
    assert invoke("docs", "-o", str(site)).exit_code == 0
    assert "Content-Security-Policy" in (site / "index.html").read_text(encoding="utf-8")


# ------------------------------------------------------------------ signals

def test_sigterm_during_a_batch_leaves_no_temporary_file_and_no_traceback(tmp_path: Path) -> None:
    rows = "".join(f"Structure {i},{i % 50},{(i * 37) % 5000}\n" for i in range(20_000))
    (tmp_path / "gros.csv").write_text("name,employees,digital_budget_eur\n" + rows, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "TOOLPICKER_LANG"}
    proc = subprocess.Popen([sys.executable, "-c", RUNNER, "batch", "gros.csv", "-o", "sortie.jsonl", "--jobs", "2"],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".toolpicker-*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gros.csv"]


# ------------------------------------------------------------------ HTTP

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_half_sent_requests_are_dropped_and_normal_ones_still_served(tmp_path: Path) -> None:
    """Bounded in time: 200 clients send half a request; after the 1 s request deadline all are closed."""
    import urllib.request

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "TOOLPICKER_LANG"}
    server = subprocess.Popen([sys.executable, "-c", RUNNER, "serve", "--port", str(port), "--request-timeout", "1"],
                              cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        clients = []
        for _ in range(200):
            client = socket.create_connection(("127.0.0.1", port))
            client.sendall(b"GET /api/schema HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            clients.append(client)
        time.sleep(2.5)
        closed = 0
        for client in clients:
            client.settimeout(2)
            with contextlib.suppress(OSError):
                closed += client.recv(16) == b""
            client.close()
        assert closed == len(clients)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/schema", timeout=10) as answer:
            assert answer.status == 200
    finally:
        server.send_signal(signal.SIGINT)
        _, log = server.communicate(timeout=30)
    assert len(log) < 20_000


def test_output_to_dev_stdout_is_written_through_a_pipe() -> None:
    """`-o /dev/stdout | …`: the pipe behind /dev/stdout has no name to resolve; it is written through."""
    example = Path(__file__).parent.parent / "examples" / "petite-association-culturelle.yaml"
    done = subprocess.run([sys.executable, "-m", "toolpicker", "recommend", str(example), "-o", "/dev/stdout",
                           "--as-of", "2026-11-28"], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("RECOMMANDATION NUMÉRIQUE POUR COMPAGNIE LA LANTERNE")
