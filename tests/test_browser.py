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
def base_url() -> Iterator[str]:
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(create_app(toolpicker.load_knowledge_base()), host="127.0.0.1", port=port,
                            log_level="warning")
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
