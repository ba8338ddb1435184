"""Datelines: the "CITY (AP) _ " that opens a wire story names where the reporter sits, not the story.

Two rules, each measured where it is used (a named variant each; one in the other's place changes
that stage's output):

- ``strip_dateline`` (summaries): a sentence without its dateline, so that a summary sentence reads
  on its own. Up to six capitalised words, an optional agency, then ``_``, a dash or a colon, and
  the rest must start a sentence; DUC 2004 ROUGE was measured with it.
- ``dateline_end`` (clustering): where an article's opening dateline ends, so that its words do not
  count as features (on the seed two unrelated stories share "ISLAMABAD:"). Capitals only
  (three or more), an optional ", Country" and agency; B-cubed on DUC 2004 was measured with it.
"""

from __future__ import annotations

import re

__all__ = ["SENTENCE_START_RE", "dateline_end", "strip_dateline"]

# "CITY (AP) _ ", "CITY, Country (Reuters) -- ", "WASHINGTON _ ", "(AP) -- ", "KESSLING: ": up to
# six capitalised words, an optional agency in parentheses, then an AP underscore, a dash or a colon.
_DATELINE_RE = re.compile(
    r"(?:[A-Z][\w.'\-]*(?:,?\s+[A-Z][\w.'\-]*){0,5}\s*)?(?:\([A-Za-z .\-]{1,30}\)\s*)?"
    r"(?:_|--|\u2014|\u2013|:)\s+"
)
_MAX_DATELINE_CHARS = 60  # a longer "dateline" is a sentence with a dash in it
SENTENCE_START_RE = re.compile(r"""[A-Z0-9`'"\u2018\u201c(]""")


def strip_dateline(text: str) -> str:
    """``text`` without a leading dateline ("CITY (AP) _ ", "CITY -- "); else ``text``."""
    m = _DATELINE_RE.match(text)
    if m is None or m.end() > _MAX_DATELINE_CHARS or m.end() >= len(text):
        return text
    head, rest = text[: m.end()], text[m.end() :]
    # A dateline is in capitals or names an agency (a colon one wholly in capitals: "Note: ..."
    # and "Mr. Smith: ..." stay); the rest must start a sentence.
    if head.rstrip().endswith(":") and not head.isupper():
        return text
    if not (head[:2].isupper() or "(" in head or head[0] in "_-\u2014\u2013"):
        return text
    return rest if SENTENCE_START_RE.match(rest) else text


# Datelines ("MUNICH, Germany (AP) _ ", "ISLAMABAD: ") name where the reporter sits, not the story: on the seed
# two unrelated stories share "ISLAMABAD:".
_ARTICLE_DATELINE_RE = re.compile(
    r"^\s*[A-Z][A-Z .'\-]{2,}(?:,\s*[A-Z][A-Za-z .'\-]+)?\s*(?:\([A-Za-z]+\))?\s*(?:_|--|\u2014|\u2013|:|-)\s+"
)


def dateline_end(text: str) -> int:
    """Where an article's opening dateline ("MUNICH, Germany (AP) _ ", "ISLAMABAD: ") ends; 0 without one."""
    m = _ARTICLE_DATELINE_RE.match(text)
    return m.end() if m else 0
