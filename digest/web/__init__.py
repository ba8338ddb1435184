"""`digest serve` (the top of the house, beside the CLI): the archive as a small web app.

Holds: ``app`` (the Flask routes, the security headers, the waitress server) and ``archive``
(the days on disk, each day's stories from its briefing.json, the search index kept in step,
regenerating a day).

May import anything below the CLI (the pipeline included, to regenerate a day); only the CLI
imports it.
"""

from __future__ import annotations

from .app import create_app, make_server
from .archive import COMPARED_FILES, DAY_FILES, ArchiveApp, ArchivedStory, Regeneration, Sentence, is_loopback

__all__ = [
    "COMPARED_FILES",
    "DAY_FILES",
    "ArchiveApp",
    "ArchivedStory",
    "Regeneration",
    "Sentence",
    "create_app",
    "is_loopback",
    "make_server",
]
