"""Where a sentence ends, by pattern: terminal punctuation and any closing quotes or brackets.

Punkt (``nlp.split_sentences``) splits articles into sentences; this one pattern answers the two
smaller questions around it: does a text end as a sentence does (the summaries keep only such
candidates), and where inside a line does a sentence end (ingest finds a sub-heading glued on
after the last one). Clustering's sentence starts are decided inside ``tokens.scan_tokens``.
"""

from __future__ import annotations

import re

__all__ = ["ENDS_SENTENCE_RE", "SENTENCE_END_RE"]

_END = r"""[.!?]['"”’)\]]*"""  # ".", "!" or "?", then any closing quotes and brackets
ENDS_SENTENCE_RE = re.compile(_END + "$")  # search: the text ends as a sentence does
SENTENCE_END_RE = re.compile(_END + r"\s+")  # finditer: each sentence end inside a line
