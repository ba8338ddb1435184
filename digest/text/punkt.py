"""Punkt sentence boundaries: NLTK's decisions, reached without NLTK's per-token machinery.

``PunktSentenceTokenizer.span_tokenize`` (NLTK) finds every ``.``/``?``/``!`` that may end a
sentence, takes the word before it and the token after it as a short context, and decides
whether the context holds a break by building a ``PunktToken`` object per word, annotating
the tokens through two chained generators and running each regular expression through
``nltk.redos`` (a timer around every match). For ``digest summarize`` over DUC 2004 (15,000
paragraphs) that bookkeeping was 1.2 s of a 2.5-3 s run (benchmarks/bench_summarize.py).

``FastPunkt`` makes the same decisions with the same inputs:

- the same compiled patterns, taken from the tokenizer's own ``PunktLanguageVars`` and
  ``PunktToken`` (so the engine, the flags and any change in a later NLTK come along), called
  directly rather than through the timeout wrapper. The wrapper is NLTK's backstop for
  *caller-supplied* patterns; these are NLTK's fixed ones, whose matching is linear in the text
  (each lookahead scans one run of whitespace and the token after it);
- the same parameters (abbreviations, collocations, sentence starters, orthographic context);
- the decision procedure of ``text_contains_sentbreak`` (first pass by token type, second pass
  by token pair: collocation, orthographic and sentence-starter heuristics, initials and
  numbers) written as one function over plain strings, with its answers for a context string
  remembered (the decision depends on nothing else).

Exactness is tested against NLTK's tokenizer on invented text (tests/test_punkt.py) and checked
on all of DUC 2004 by ``benchmarks/check_text.py`` (3-4x faster there). The constructor refuses
(``TypeError``) a tokenizer whose classes are not NLTK's stock ones, or an NLTK whose internals
it does not recognise; ``digest.text`` then keeps NLTK's own ``span_tokenize``.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

__all__ = ["FastPunkt"]

# What str.isspace-free `_get_last_whitespace_index` counts as whitespace: string.whitespace.
_WHITESPACE = " \t\n\r\x0b\x0c"
_UNKNOWN = "unknown"
_MEMO_LIMIT = 200_000  # contexts remembered (~100 bytes each); beyond it the memo starts over


def _raw(pattern: Any) -> Any:
    """The compiled pattern inside an ``nltk.redos.TimedPattern`` (or the pattern itself)."""
    return getattr(pattern, "_rx", pattern)


class FastPunkt:
    """Sentence spans exactly as a stock ``PunktSentenceTokenizer.span_tokenize`` gives them."""

    def __init__(self, tokenizer: Any, punkt: ModuleType) -> None:
        if (
            type(tokenizer) is not punkt.PunktSentenceTokenizer
            or type(tokenizer._lang_vars) is not punkt.PunktLanguageVars
            or tokenizer._Token is not punkt.PunktToken
        ):
            raise TypeError("FastPunkt reproduces NLTK's stock Punkt classes only")
        try:
            lang, token, params = tokenizer._lang_vars, punkt.PunktToken, tokenizer._params
            self._contexts = _raw(lang.period_context_re())
            self._realign = _raw(lang.re_boundary_realignment)
            self._words = _raw(lang._word_tokenizer_re())
            self._numeric = _raw(token._RE_NUMERIC)
            self._ellipsis = _raw(token._RE_ELLIPSIS)
            self._initial = _raw(token._RE_INITIAL)
            self._sent_end = tuple(lang.sent_end_chars)
            self._punctuation = tuple(tokenizer.PUNCTUATION)
            self._abbrevs = frozenset(params.abbrev_types)
            self._collocations = frozenset(params.collocations)
            self._starters = frozenset(params.sent_starters)
            self._ortho = dict(params.ortho_context)
            self._lc, self._uc = punkt._ORTHO_LC, punkt._ORTHO_UC
            self._mid_uc, self._beg_lc = punkt._ORTHO_MID_UC, punkt._ORTHO_BEG_LC
            for name in ("finditer", "match", "findall", "sub"):
                if not callable(getattr(self._contexts, name, None)):
                    raise TypeError(f"unexpected pattern object in NLTK's Punkt: no {name}")
        except AttributeError as exc:
            raise TypeError(f"unrecognised NLTK Punkt internals: {exc}") from exc
        self._memo: dict[str, bool] = {}
        self._tokens: dict[str, tuple[str, bool, bool, bool]] = {}
        self._find_words: Callable[[str], list[str]] = self._words.findall

    def span_tokenize(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of each sentence of ``text``, as ``span_tokenize(text)`` yields them."""
        slices = self._slices(text)
        out = []
        realign = 0
        last = len(slices) - 1
        # Every stop is at most len(text), so "text[start:stop] is not empty" is start < stop; the
        # realignment pattern (no anchors, no lookbehind) matched within (pos, endpos) sees exactly
        # what it sees in text[pos:endpos].
        for k, (start, stop) in enumerate(slices):
            start += realign
            if k == last:
                if start < stop:
                    out.append((start, stop))
                break
            next_start, next_stop = slices[k + 1]
            m = self._realign.match(text, next_start, next_stop)
            if m:
                out.append((start, next_start + len(m.group(0).rstrip())))
                realign = m.end() - next_start
            else:
                realign = 0
                if start < stop:
                    out.append((start, stop))
        return out

    def _slices(self, text: str) -> list[tuple[int, int]]:
        """Sentence slices before realignment (NLTK's ``_slices_from_text``)."""
        # Candidates in NLTK's order, each with the start of the word before it; where two
        # candidates' words overlap, only the later one counts (NLTK's _match_potential_end_contexts).
        only_spaces = text.isprintable()  # printable: no \t\n\r\v\f, so a space is the only whitespace
        found: list[tuple[Any, int]] = []
        prev_start = prev_stop = 0
        for match in self._contexts.finditer(text):
            start = match.start()
            # The word before the candidate starts after the last whitespace since the previous
            # candidate's word; a whitespace at offset 0 counts as none, as in NLTK.
            if only_spaces:
                ws = text.rfind(" ", prev_stop, start) - prev_stop
            else:
                ws = max(text.rfind(c, prev_stop, start) for c in _WHITESPACE) - prev_stop
            word_start = ws + prev_stop + 1 if ws > 0 else prev_start
            if found and prev_stop > word_start:
                found.pop()
            found.append((match, word_start))
            prev_start, prev_stop = word_start, start
        out = []
        last_break = 0
        contains_break = self.contains_break
        for match, word_start in found:
            # The word, the candidate character and the token after it are contiguous.
            if contains_break(text[word_start : match.end("after_tok")]):
                out.append((last_break, match.end()))
                last_break = match.start("next_tok") if match.group("next_tok") else match.end()
        out.append((last_break, len(text.rstrip())))
        return out

    def contains_break(self, context: str) -> bool:
        """True when a token of ``context`` other than its last ends a sentence (NLTK's rule)."""
        found = self._memo.get(context)
        if found is None:
            if len(self._memo) >= _MEMO_LIMIT:
                self._memo.clear()
            found = self._memo[context] = self._contains_break(context)
        return found

    def _token(self, tok: str) -> tuple[str, bool, bool, bool]:
        """(type, sentence break, abbreviation, ellipsis) of a token judged alone (NLTK's first pass)."""
        found = self._tokens.get(tok)
        if found is None:
            if len(self._tokens) >= _MEMO_LIMIT:
                self._tokens.clear()
            typ = self._numeric.sub("##number##", tok.lower())
            if tok in self._sent_end:
                found = (typ, True, False, False)
            elif self._ellipsis.match(tok):
                found = (typ, False, False, True)
            elif tok.endswith(".") and not tok.endswith(".."):
                low = tok[:-1].lower()
                abbr = low in self._abbrevs or low.split("-")[-1] in self._abbrevs
                found = (typ, not abbr, abbr, False)
            else:
                found = (typ, False, False, False)
            self._tokens[tok] = found
        return found

    def _ortho_starts(self, tok: str, typ: str) -> bool | str:
        """Orthographic evidence that ``tok`` starts a sentence: True, False or 'unknown'."""
        if tok in self._punctuation:
            return False
        context = self._ortho.get(typ, 0)
        if tok[0].isupper() and context & self._lc and not context & self._mid_uc:
            return True
        if tok[0].islower() and (context & self._uc or not context & self._beg_lc):
            return False
        return _UNKNOWN

    def _contains_break(self, context: str) -> bool:
        words: list[str] = []
        for line in context.split("\n") if "\n" in context else (context,):
            if line.strip():
                words.extend(self._find_words(line))
        tokens = [(word, self._token(word)) for word in words]
        return any(self._second_pass(*tokens[i], *tokens[i + 1]) for i in range(len(tokens) - 1))

    def _second_pass(
        self, tok: str, first: tuple[str, bool, bool, bool], nxt: str, next_first: tuple[str, bool, bool, bool]
    ) -> bool:
        """Whether ``tok`` ends a sentence, given the token after it (NLTK's second pass)."""
        typ, sentbreak, abbr, ellipsis = first
        if not tok.endswith("."):
            return sentbreak
        if len(typ) > 1 and typ[-1] == ".":
            typ = typ[:-1]
        next_typ = next_first[0]
        if next_first[1] and len(next_typ) > 1 and next_typ[-1] == ".":
            next_typ = next_typ[:-1]
        initial = bool(self._initial.match(tok))
        if (typ, next_typ) in self._collocations:  # collocation: an abbreviation, no break
            return False
        if (abbr or ellipsis) and not initial:
            if self._ortho_starts(nxt, next_typ) is True:
                return True
            if nxt[0].isupper() and next_typ in self._starters:
                return True
        if initial or typ == "##number##":
            starts = self._ortho_starts(nxt, next_typ)
            if starts is False:
                return False
            if starts == _UNKNOWN and initial and nxt[0].isupper() and not self._ortho.get(next_typ, 0) & self._lc:
                return False
        return sentbreak
