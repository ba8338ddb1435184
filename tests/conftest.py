"""Shared fixtures: the project's own sample day, and ../shared (skipped when absent)."""

from __future__ import annotations

import datetime as dt
import os
from importlib import resources
from pathlib import Path

import pytest

from digest.config import Settings

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = Path(os.environ.get("DIGEST_SHARED", ROOT.parent / "shared"))
SEED = SHARED / "seeds" / "000_d3217e209b3617a3.txt"
DAY = dt.date(2026, 11, 24)
CAPTURED = dt.datetime(2026, 11, 24, 6, 30, tzinfo=dt.UTC)
# Page furniture that must never reach an article or an output (the seed page's, and other sites').
FURNITURE = (
    "Short link",
    "Post Views",
    "Try Our AI Features",
    "Explore what",
    "No comments yet",
    "Related Articles",
    "Share this article",
    "Leave a comment",
    "Advertisement",
    "Daily8",
)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared (or $DIGEST_SHARED); tests that need it skip when it is not there."""
    if not SHARED.is_dir():
        pytest.skip(f"needs the shared evaluation data at {SHARED} (set DIGEST_SHARED)")
    return SHARED


@pytest.fixture(scope="session")
def seed_path(shared_dir: Path) -> Path:
    """The scraped page the project was specified from."""
    if not SEED.is_file():
        pytest.skip(f"seed page {SEED} is missing")
    return SEED


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    """The sample articles shipped inside the package."""
    return Path(str(resources.files("digest.samples")))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Default settings with the store in a temporary folder."""
    return Settings(store_url=f"sqlite:///{tmp_path / 'store.db'}", out_dir=str(tmp_path / "out"))


@pytest.fixture(scope="session")
def _empty_config_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("config-home")


@pytest.fixture(autouse=True)
def _no_user_config(_empty_config_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's own ~/.config/digest/digest.toml or $DIGEST_CONFIG never reaches a test."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(_empty_config_home))
    monkeypatch.delenv("DIGEST_CONFIG", raising=False)
