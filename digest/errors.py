"""The exceptions digest raises, all drawn here.

    DigestError                 anything digest reports to a user
     +-- ConfigError            the config file or environment is invalid
     +-- InputError             an input cannot be read or parsed (a path, a file, a record)
     |    +-- FetchError        a URL could not be fetched within the limits
     +-- StoreError             the database cannot be opened or written
     +-- RenderError            a briefing could not be rendered (template, PDF)
     +-- DeliveryError          the archive or the mail server refused the briefing

Messages are one line and say what to do next. Third-party exceptions are wrapped at the
stage boundary with ``raise ... from exc`` so the cause stays in the traceback for ``-vv``.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "DeliveryError",
    "DigestError",
    "FetchError",
    "InputError",
    "RenderError",
    "StoreError",
]


class DigestError(Exception):
    """Base class: a problem digest can explain in one line."""

    #: process exit status the CLI uses for this kind of error
    exit_code = 1


class ConfigError(DigestError):
    """The configuration (file, environment, flags) is invalid."""

    exit_code = 2


class InputError(DigestError):
    """An input path, file or record cannot be read or parsed."""

    exit_code = 2


class FetchError(InputError):
    """A URL could not be fetched (refused, too large, too slow, bad status)."""

    exit_code = 1


class StoreError(DigestError):
    """The article store could not be opened, migrated or written."""


class RenderError(DigestError):
    """A template or the PDF engine failed."""


class DeliveryError(DigestError):
    """Writing the archive or sending mail failed."""
