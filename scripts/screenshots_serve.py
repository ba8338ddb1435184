"""Re-take the README's `digest serve` screenshots (docs/serve-*.png) with headless Chromium.

    .venv/bin/python scripts/screenshots_serve.py

Builds the three fixture days into a temporary archive, starts `digest serve` on 127.0.0.1 and
photographs the archive, a day and a search. Needs /usr/bin/chromium and /usr/bin/chromedriver.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402

from digest.config import Settings  # noqa: E402
from digest.pipeline import build_day  # noqa: E402
from tests.test_serve_browser import Server  # noqa: E402

DAYS = [dt.date(2026, 11, 22), dt.date(2026, 11, 23), dt.date(2026, 11, 24)]
SHOTS = {"serve-archive.png": "/", "serve-day.png": "/2026-11-23/", "serve-search.png": "/search?q=strike"}


def main() -> None:
    """Build, serve, photograph."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(store_url=f"sqlite:///{tmp}/store.db")
        for day in DAYS:
            build_day(settings, day, Path(tmp) / "out", [str(ROOT / "tests/fixtures/three_days" / f"{day}.jsonl")])
        server = Server(Path(tmp) / "out", settings.store_url)
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--window-size=820,640", "--hide-scrollbars", f"--user-data-dir={tmp}/profile"):
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)
        try:
            for name, path in SHOTS.items():
                driver.get(server.url + path)
                driver.save_screenshot(str(ROOT / "docs" / name))
                print(ROOT / "docs" / name)
        finally:
            driver.quit()
            server.stop()


if __name__ == "__main__":
    main()
