"""The command line (the top of the house): thin click commands over the pipeline.

Holds: ``core`` (the ``digest`` group, logging, progress, shared options, exit codes, ``main``),
``build`` (build, summarize, demo), ``daily`` (sources, send, run, schedule) and ``archive``
(init, archive, serve). Each command module registers its commands on the group when imported.

May import anything in digest; nothing imports it. Stage modules are imported inside the
commands that use them, so that ``--help`` and ``digest summarize`` start fast.
"""

from __future__ import annotations

from . import archive, build, daily
from .core import EXIT_OK, EXIT_RETRY, EXIT_SKIPPED, EXIT_USAGE, cli, main

__all__ = ["EXIT_OK", "EXIT_RETRY", "EXIT_SKIPPED", "EXIT_USAGE", "archive", "build", "cli", "daily", "main"]
