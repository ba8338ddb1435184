"""digest serve in a real browser: a `digest serve` process on 127.0.0.1, driven by Debian's chromium.

Skipped where /usr/bin/chromium or /usr/bin/chromedriver is missing (.ci/run installs both).
Selenium is given both paths, so it never looks for or downloads a browser or driver of its own.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from digest.config import Settings
from digest.ingest import read_inputs
from digest.pipeline import build_day
from digest.store import open_store
from tests.conftest import FIXTURES

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
DAYS = [dt.date(2026, 11, 22), dt.date(2026, 11, 23), dt.date(2026, 11, 24)]
START_TIMEOUT = 60  # s for `digest serve` to say where it listens (imports WeasyPrint, scikit-learn)

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.is_file() and CHROMEDRIVER.is_file()),
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)",
)


class Server:
    """A `digest serve` child process and the URL it listens on."""

    def __init__(self, out: Path, store_url: str, host: str = "127.0.0.1", token: str = "") -> None:
        env = {**os.environ, "DIGEST_STORE_URL": store_url}
        env.pop("DIGEST_CONFIG", None)
        env.pop("DIGEST_SERVE_TOKEN", None)
        if token:
            env["DIGEST_SERVE_TOKEN"] = token
        self.process = subprocess.Popen(
            [sys.executable, "-m", "digest", "serve", "--host", host, "--port", "0", "--out", str(out)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()  # "serving OUT/ on http://HOST:PORT/ (Ctrl-C to stop)"
        if "http://" not in line:
            self.stop()
            raise RuntimeError(f"digest serve did not start: {line!r} {self.process.stderr.read()}")  # type: ignore[union-attr]
        port = line.split("http://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1]
        # Off loopback (0.0.0.0) too, the tests talk to it over loopback only.
        self.url = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        """End the process (ours, by its handle)."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            if stream:
                stream.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="digest-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1000,900",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(120)  # a regeneration renders a PDF on a busy 2-core machine
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Path]:
    tmp = tmp_path_factory.mktemp("browse")
    settings = Settings(store_url=f"sqlite:///{tmp / 'store.db'}", out_dir=str(tmp / "out"))
    for day in DAYS:
        build_day(settings, day, tmp / "out", [str(FIXTURES / "three_days" / f"{day}.jsonl")], pdf=False)
    return settings, tmp / "out"


@pytest.fixture(scope="module")
def server(archive: tuple[Settings, Path]) -> Iterator[Server]:
    settings, out = archive
    running = Server(out, settings.store_url)
    try:
        yield running
    finally:
        running.stop()


def _gone(old):  # type: ignore[no-untyped-def]
    """A wait condition: the page that held element old has been replaced."""
    from selenium.common.exceptions import WebDriverException

    def gone(_driver) -> bool:  # type: ignore[no-untyped-def]
        # Asked mid-navigation, chromedriver may say the node "does not belong to the document" (a
        # WebDriverException) rather than "stale": both mean the old page is gone.
        try:
            old.is_enabled()
        except WebDriverException:
            return True
        return False

    return gone


def _submit(driver, css: str, by: str = "css selector") -> None:  # type: ignore[no-untyped-def]
    """Click a button or link and wait until the next page has loaded (a click does not wait)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(by, css).click()

    WebDriverWait(driver, 120).until(_gone(old))
    WebDriverWait(driver, 120).until(lambda d: d.execute_script("return document.readyState") == "complete")


def _texts(driver, css: str) -> list[str]:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, css)]


def test_browse_the_archive_follow_a_day_and_search(browser, server: Server, archive) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(server.url + "/")
    assert browser.title == "Morning briefing: archive"
    assert _texts(browser, "li.day h2 a") == [
        "Tuesday 24 November 2026",
        "Monday 23 November 2026",
        "Sunday 22 November 2026",
    ]
    _submit(browser, "Monday 23 November 2026", By.LINK_TEXT)
    assert browser.current_url == server.url + "/2026-11-23/"
    assert browser.find_elements(By.CSS_SELECTOR, "article.story")
    _submit(browser, "a[rel=next]")
    assert browser.current_url == server.url + "/2026-11-24/"
    _submit(browser, "JSON", By.LINK_TEXT)
    assert '"date": "2026-11-24"' in browser.find_element(By.TAG_NAME, "body").text
    browser.back()
    box = browser.find_element(By.ID, "q-day")
    box.send_keys("dockworkers")
    old = browser.find_element(By.TAG_NAME, "html")
    box.submit()
    WebDriverWait(browser, 60).until(_gone(old))
    assert "/search?q=dockworkers" in browser.current_url
    assert browser.find_elements(By.CSS_SELECTOR, "li.hit")
    assert "dockworkers" in " ".join(_texts(browser, "li.hit mark")).lower()
    _submit(browser, "li.hit h2 a")
    assert "/stories/" in browser.current_url
    assert browser.find_elements(By.CSS_SELECTOR, "li.run ul.summary li")


def test_regenerate_a_day_and_see_it_change(browser, server: Server, archive) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    settings, _ = archive
    browser.get(server.url + "/2026-11-23/")
    _submit(browser, "form.regenerate button")
    result = browser.find_element(By.ID, "result")
    assert "Byte-identical" in result.text and result.get_attribute("class") == "ok"
    # New articles stored for the day: regenerating shows them.
    day = DAYS[2]
    extra = read_inputs([str(FIXTURES / "three_days" / "2026-11-22.jsonl")], settings.briefing.cutoff(day)).articles
    with open_store(settings.store_url) as store:
        store.set_edition(day, [a.id for a in store.edition(day)] + [a.id for a in extra[:3]])
    browser.get(server.url + f"/{day}/")
    before = _outside_history(browser)  # a developing story's timeline names earlier days' headlines
    assert not any(a.title in before for a in extra[:3])
    _submit(browser, "form.regenerate button")
    result = browser.find_element(By.ID, "result")
    assert "Changed" in result.text and "briefing.json" in result.text
    _submit(browser, f"Open {day:%A} {day.day} {day:%B %Y}", By.LINK_TEXT)
    page = _outside_history(browser)
    assert page != before and any(a.title in page for a in extra[:3])


def _outside_history(browser):  # type: ignore[no-untyped-def]
    """The page's main text without the developing stories' "Previously" and timeline blocks."""
    from selenium.webdriver.common.by import By

    text = browser.find_element(By.TAG_NAME, "main").text
    for block in browser.find_elements(By.CSS_SELECTOR, "div.history"):
        text = text.replace(block.text, "")
    return text


def test_cross_site_and_tokenless_posts_are_refused(browser, server: Server, archive) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    _, out = archive
    before = (out / "2026-11-22" / "briefing.html").stat().st_mtime_ns
    # A page of another origin posting the form (with a made-up token): refused.
    attack = (
        f'<form method="post" action="{server.url}/2026-11-22/regenerate">'
        '<input type="hidden" name="csrf" value="00"><button id="go">go</button></form>'
    )
    browser.get("data:text/html," + attack)
    _submit(browser, "#go")
    assert "403" in browser.title and "refused" in browser.find_element(By.ID, "result").text
    # Our own page with the form's token taken out: refused.
    browser.get(server.url + "/2026-11-22/")
    browser.execute_script("document.querySelector('form.regenerate input[name=csrf]').remove()")
    _submit(browser, "form.regenerate button")
    assert "403" in browser.title and "token" in browser.find_element(By.ID, "result").text
    assert (out / "2026-11-22" / "briefing.html").stat().st_mtime_ns == before


def test_off_loopback_needs_the_serve_token(browser, archive) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    settings, out = archive
    off = Server(out, settings.store_url, host="0.0.0.0", token="s3cret")
    try:
        browser.get(off.url + "/2026-11-22/")
        _submit(browser, "form.regenerate button")  # no serve token typed
        assert "403" in browser.title and "serve token" in browser.find_element(By.ID, "result").text
        browser.get(off.url + "/2026-11-22/")
        browser.find_element(By.ID, "serve-token").send_keys("wrong")
        _submit(browser, "form.regenerate button")
        assert "403" in browser.title
        browser.get(off.url + "/2026-11-22/")
        browser.find_element(By.ID, "serve-token").send_keys("s3cret")
        _submit(browser, "form.regenerate button")
        assert "Byte-identical" in browser.find_element(By.ID, "result").text
    finally:
        off.stop()
