"""The advisers' web page in a real headless browser (Debian's chromium, driven by Playwright).

Answer a few questions, skip one, go back and change an answer, see the
report with its reasons, download the Markdown report, and render the print
view. In CI (``CI`` set) a missing chromium or Playwright is a failure, never
a silent skip; elsewhere the test is skipped with the reason.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import toolpicker
from toolpicker.interfaces.server import create_app

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
TIMEOUT_MS = 60_000


def _unavailable() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    import importlib.util

    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is missing (pip install '.[test]')"
    return None


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dossiers = f"sqlite:///{tmp_path_factory.mktemp('dossiers') / 'dossiers.sqlite3'}"  # never the user's own
    config = uvicorn.Config(create_app(toolpicker.load_knowledge_base(), dossier_db=dossiers), host="127.0.0.1",
                            port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive(), "uvicorn stopped"
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    reason = _unavailable()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"browser test cannot run in CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


def current_field(page: Any) -> str:
    return str(page.get_attribute("#question", "data-field"))


def answer(page: Any, choice: int = 0) -> str:
    """Answer the question on screen with its ``choice``-th value (any kind of question); return its field."""
    field = current_field(page)
    kind = page.get_attribute("#question", "data-kind")
    if kind in ("enum", "bool"):
        page.locator("#question input[type=radio]").nth(choice).check()
    elif kind == "list_enum":
        page.locator("#question input[type=checkbox]").nth(choice).check()
    elif kind == "int":
        page.fill("#answer-input", str(3 + choice))
    else:
        page.fill("#answer-input", "tableur")
    page.click("#answer-submit")
    page.wait_for_selector(f'#answer-list li[data-field="{field}"] .answer-value', timeout=TIMEOUT_MS)
    return field


def test_questionnaire_report_and_print_view(browser: Any, base_url: str, tmp_path: Path) -> None:
    page = browser.new_page(accept_downloads=True)
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(base_url + "/")
    assert page.title().startswith("toolpicker — questionnaire")
    page.wait_for_selector("#question[data-field]")

    page.fill("#structure-name", "Compagnie La Lanterne")
    first = answer(page)
    second = answer(page)
    assert first != second
    before = page.text_content(f'#answer-list li[data-field="{second}"]')
    assert page.evaluate("document.activeElement.closest('#question') !== null")  # focus follows the question

    skipped = current_field(page)
    page.click("#answer-skip")
    page.wait_for_selector(f'#answer-list li[data-field="{skipped}"] .answer-skipped')
    assert current_field(page) not in (first, second, skipped)

    page.click("#answer-back")  # back to the skipped question
    page.wait_for_selector(f'#question[data-field="{skipped}"]')
    page.click("#answer-back")  # back to the second answer: change it
    page.wait_for_selector(f'#question[data-field="{second}"]')
    assert page.locator(f'#answer-list li[data-field="{second}"]').count() == 0  # going back undid it
    answer(page, choice=1)
    assert page.text_content(f'#answer-list li[data-field="{second}"]') != before

    page.wait_for_selector("#report-body .priorities li")  # the summary comes first
    report = page.text_content("#report-body") or ""
    assert "Compagnie La Lanterne" in report
    assert report.index("En bref") < report.index("Plan d'action")
    page.wait_for_selector("#near-misses ul, #near-misses p.none")  # near misses computed, in the page
    page.screenshot(path=str(tmp_path / "page.png"), full_page=True)

    answers = page.text_content("#answer-list") or ""
    page.reload()  # the adviser's work survives a reload
    page.wait_for_selector(f'#answer-list li[data-field="{second}"] .answer-value')
    assert page.text_content("#answer-list") == answers
    assert page.input_value("#structure-name") == "Compagnie La Lanterne"

    page.click("#share")  # a link carries the answers to another browser
    link = page.url
    assert "#p=" in link
    other = browser.new_page()
    other.set_default_timeout(TIMEOUT_MS)
    other.goto(link)
    other.wait_for_selector(f'#answer-list li[data-field="{second}"] .answer-value')
    assert other.text_content("#answer-list") == answers
    other.close()

    with page.expect_download() as download_info:
        page.click("#download-markdown")
    markdown = Path(download_info.value.path()).read_text(encoding="utf-8")
    assert markdown.startswith("# Recommandation numérique pour Compagnie La Lanterne")

    page.emulate_media(media="print")
    assert not page.is_visible("#interview")
    assert page.is_visible("#report-body")
    page.screenshot(path=str(tmp_path / "print.png"), full_page=True)
    pdf = page.pdf(path=str(tmp_path / "report.pdf"))
    assert pdf.startswith(b"%PDF")
    assert errors == []
    page.close()


def test_a_saved_profile_loads_into_the_page(browser: Any, base_url: str, tmp_path: Path) -> None:
    saved = tmp_path / "compagnie.yaml"
    saved.write_text("name: Compagnie chargée\nlegal_form: association\nemployees: 2\nneeds: [file_sharing]\n",
                     encoding="utf-8")
    page = browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(base_url + "/")
    page.wait_for_selector("#question[data-field]")
    page.click("#restart")
    page.set_input_files("#load-profile", str(saved))
    page.wait_for_selector('#answer-list li[data-field="employees"] .answer-value')
    assert page.input_value("#structure-name") == "Compagnie chargée"
    page.locator("#report-body", has_text="Compagnie chargée").wait_for()
    assert "Stockage et partage" in (page.text_content("#report-body") or "")
    bad = tmp_path / "faux.yaml"
    bad.write_text("employes: 2\n", encoding="utf-8")
    page.set_input_files("#load-profile", str(bad))
    page.locator("#report-status", has_text="champ « employes » inconnu").wait_for()
    page.close()


def test_english_page(browser: Any, base_url: str) -> None:
    page = browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(base_url + "/?lang=en")
    page.wait_for_selector("#question[data-field]")
    assert page.text_content("#answer-submit") == "Confirm"
    assert page.text_content("#interview-title") == "Questionnaire"
    page.close()


def test_save_reopen_and_compare_dossier_diagnoses(browser: Any, base_url: str, tmp_path: Path) -> None:
    """Save the questionnaire as a diagnosis, change an answer and save again, reopen the dossier in another
    page, compare the two diagnoses, take the profile back into the questionnaire and print the follow-up."""
    page = browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(base_url + "/")
    page.wait_for_selector("#question[data-field]")
    page.click("#restart")
    page.wait_for_selector("#question[data-field]")
    page.fill("#structure-name", "Régie de quartier suivie")
    page.dispatch_event("#structure-name", "change")
    answer(page)
    page.fill("#dossier-note", "Premier rendez-vous avec la directrice")
    page.click("#dossier-save")
    page.locator("#dossier-status", has_text="Diagnostic n°1 enregistré dans le dossier").wait_for()
    dossier_id = page.get_attribute("#dossier-list li:has-text('Régie de quartier suivie')", "data-id")
    assert dossier_id and page.input_value("#dossier-target") == dossier_id  # the next save goes to the same dossier

    answer(page)  # one more answer, then the second diagnosis
    page.click("#dossier-save")
    page.locator("#dossier-status", has_text="Diagnostic n°2 enregistré").wait_for()

    other = browser.new_page()
    other.set_default_timeout(TIMEOUT_MS)
    other.on("pageerror", lambda exc: errors.append(str(exc)))
    other.goto(base_url + "/")
    other.locator(f'#dossier-list li[data-id="{dossier_id}"] button').click()
    other.wait_for_selector("#dossier-history li[data-n='2']")
    history = other.text_content("#dossier-history") or ""
    assert "Diagnostic n°1" in history and "Premier rendez-vous avec la directrice" in history
    other.locator("#dossier-diff", has_text="Depuis le dernier diagnostic").wait_for()  # the last two, compared
    diff = other.text_content("#dossier-diff") or ""
    assert "Réponses modifiées" in diff
    other.select_option("#compare-from", "2")
    other.select_option("#compare-to", "1")
    other.click("#dossier-compare")
    other.locator("#dossier-diff", has_text="comparé au n°2").wait_for()

    other.click("#dossier-resume")
    other.locator("#dossier-status", has_text="Le profil du diagnostic n°2 est dans le questionnaire").wait_for()
    assert other.input_value("#structure-name") == "Régie de quartier suivie"
    assert other.locator("#answer-list li .answer-value").count() == 2

    other.wait_for_selector("#near-body p.loading", state="detached")  # the report below has stopped moving
    other.evaluate("window.print = () => { window.printed = true; }")
    other.dispatch_event("#dossier-print", "click")
    other.wait_for_function("window.printed === true")
    other.emulate_media(media="print")
    state = other.evaluate("[document.body.className, getComputedStyle(document.getElementById('followup')).display, "
                           "document.getElementById('followup').innerHTML.length, window.matchMedia('print').matches]")
    assert other.is_visible("#followup") and not other.is_visible("#report-body"), state
    assert "Depuis le dernier diagnostic" in (other.text_content("#followup") or "")
    other.screenshot(path=str(tmp_path / "followup.png"), full_page=True)
    other.emulate_media(media="screen")
    other.evaluate("window.printed = false")
    other.dispatch_event("#print", "click")  # the report's own button prints the report, not the follow-up
    other.wait_for_function("window.printed === true")
    other.emulate_media(media="print")
    assert other.is_visible("#report-body") and not other.is_visible("#followup")
    assert errors == []
    other.close()
    page.close()
