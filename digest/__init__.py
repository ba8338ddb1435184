"""digest: a self-hosted, offline daily news briefing generator.

The public API is small: the records that pass between stages, the errors, settings, and the
pure briefing builder. Everything else is reachable through its module (digest.ingest,
digest.store, digest.outputs, ...) and through the ``digest`` command.
"""

from __future__ import annotations

import logging

from .config import Settings, load
from .errors import (
    ConfigError,
    DeliveryError,
    DigestError,
    FetchError,
    InputError,
    RenderError,
    StoreError,
)
from .models import Article, Briefing, Skip, Story, SummarySentence

__version__ = "0.1.0"
__all__ = [
    "Article",
    "Briefing",
    "ConfigError",
    "DeliveryError",
    "DigestError",
    "FetchError",
    "InputError",
    "RenderError",
    "Settings",
    "Skip",
    "StoreError",
    "Story",
    "SummarySentence",
    "__version__",
    "load",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())
