"""Shared fixtures: the project's own sample day, and ../shared (skipped when absent)."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
import sqlalchemy as sa

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


# --- PostgreSQL (issue 17): a fresh database per test on the server named by DIGEST_TEST_POSTGRES ----------

POSTGRES_ENV = "DIGEST_TEST_POSTGRES"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """The URL of a new, empty database on the test server, dropped afterwards; skips without a server.

    It sorts text by ICU's en-US rules where the server has ICU (as a real database's default
    locale would), so a query that relied on the database's ordering would show it.
    """
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(
            f"needs a PostgreSQL server: set {POSTGRES_ENV}=postgresql+psycopg://user@host:port/db (.ci/run does)"
        )
    name = f"digest_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        try:
            conn.execute(sa.text(f"CREATE DATABASE {name} LOCALE_PROVIDER icu ICU_LOCALE 'en-US' TEMPLATE template0"))
        except sa.exc.DBAPIError:  # a server built without ICU
            conn.execute(sa.text(f"CREATE DATABASE {name}"))
    try:
        yield sa.engine.make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new store's URL on each engine: a SQLite file, and a PostgreSQL database (skipped without a server)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return str(request.getfixturevalue("postgres_url"))
