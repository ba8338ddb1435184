"""The selector's sentence analysis (pure): its settings, sentences as concepts, concept weights,
candidates and the repeat guard. ``digest.summaries.select`` chooses among them; see its docstring
for the method.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, pairwise

from ..text import SENTENCE_START_RE, strip_dateline

__all__ = ["BYLINE_RE", "DEFAULT_SETTINGS", "KNOWN_WEIGHT", "CoverageSettings", "Pick"]


@dataclass(frozen=True, slots=True)
class Pick:
    """One chosen sentence: article number, sentence number in it, verbatim (trimmed) text."""

    doc: int
    index: int
    text: str
    fill: bool = False  # the extra sentence past the word budget (see select_sentences)
    # Update summaries only: chosen for what the reader already knew of the story, not for news.
    context: bool = False


@dataclass(frozen=True, slots=True)
class CoverageSettings:
    """The selector's tuned constants.

    Every value was chosen on the tuning half of DUC 2004 only (clusters at even positions of the
    name-sorted list; R-1/R-2 recall at 100 words, rouge_eval.py's scorer) and then checked once
    on the held-out half; README "Summaries" and benchmarks/bench_summarize.py.
    """

    # A concept must occur in at least ceil(min_doc_fraction * articles) articles, and at least
    # min_docs_floor: 0.4 -> 4 of 10 on DUC. 0.3 (ICSISumm's ">= 3 documents") gave 37.63/9.20
    # and 0.5 gave 37.72/9.36 against 0.4's 38.35/9.61; a term in one article is no evidence.
    min_doc_fraction: float = 0.4
    min_docs_floor: int = 2
    # Below 3 articles document frequency separates nothing: count over sentences (threshold 2).
    min_articles_for_df: int = 3
    # Weight of a non-stop-word stem per article, relative to 1 for a bigram: 0 gave 37.96/9.20,
    # 0.05 38.26/9.47, 0.2 38.15/9.16 against 0.1's 38.35/9.61.
    unigram_weight: float = 0.1
    # Unigrams count from this many articles (bigrams need min_doc_fraction): a key term shared by
    # two articles is still evidence. On the tuning half, with digest's own ingest and splitting:
    # 37.96/9.63 against 37.81/9.49 for the bigrams' threshold; 3 articles gave 37.89/9.44.
    unigram_min_docs: int = 2
    # Candidate length in words: shorter ones are fragments, captions, bylines (8 and 12 were
    # worse: 37.98/9.17, 37.94/9.13); longer ones are run-ons and lists (45: 38.21/9.51).
    min_words: int = 10
    max_words: int = 60
    # Only sentences this early in their article (none: 10 and 20 measured worse).
    max_position: int = 1000
    drop_quotes: bool = True  # quoted speech reads badly out of context (ROUGE-neutral)
    # ... but a sentence of the reporter's own may quote a short phrase (called it "a farce"): kept
    # when it does not open with a quote mark and every quotation is closed, at most this many words
    # and not first person ("It's difficult for me" is speech). Tuning half: 0 (drop all quotes)
    # 37.74/9.61 (with drop_lowercase), 4 37.96/9.79, 5-10 38.05/9.85, no limit 37.85/9.60.
    quote_max_words: int = 8
    # A sentence starting in lower case (or "...") is the tail of a badly split one ("at Speaker-elect X when
    # he called ...", "de Klerk, in human rights abuses ...": its start was cut off after an
    # abbreviation): a fragment. Costs 37.99/9.71 -> 37.74/9.61 on the tuning half, all of it one
    # story where such a tail happened to match the references; kept because fragments must go.
    drop_lowercase: bool = True
    drop_questions: bool = True  # a question is rarely a fact of the story
    drop_openers: bool = True  # "He ...", "But ...": unresolved references (off: R-2 -0.2)
    # Greedy score = new weight / words ** cost_exponent (plain density; 0.8 and 1.2 were worse).
    cost_exponent: float = 1.0
    # Scores are integer weights (x1000) / words, so unequal scores differ by > 1e-4: this bonus,
    # / (1 + sentence number), only breaks exact ties, toward earlier sentences.
    tie_break: float = 1e-6
    # A candidate that repeats a chosen sentence's phrase is skipped: it shares a run of at least
    # repeat_run content words (stop words and bare numbers left out, so "crown gained 0.9% against
    # the dollar" and "crown gained against the dollar" share "crown gained ... dollar") making up
    # at least repeat_share of its own content words. 0 turns the guard off.
    repeat_run: int = 3
    repeat_share: float = 0.3
    # Update summaries: a candidate at least this share of whose content words one told sentence has (the
    # reader was given that sentence in an earlier edition) says it again in other words, and is out
    # ("The rebels _ ethnic Tutsis, disenchanted members of Kabila's army ..." after "The rebels are a
    # coalition of ethnic Tutsis, disenchanted members of Kabila's army ..."). 0 turns it off. Grid on the
    # tuning halves of benchmarks/eval_update.py (mean share of the previous summary's bigrams repeated,
    # DUC 2004 / DUC 2006): off 5.5% / 3.8%, 0.4 5.0% / 3.5%, 0.5 5.4% / 3.5%, 0.6 5.6% / 3.7%.
    told_share: float = 0.4
    # With fill: also try dropping the greedy's last this-many picks, one at a time, and filling the
    # larger room instead; the option whose first `words` words cover the most concept weight wins.
    # Tuning half (with the two filters above): 0 38.05/9.85, 1 38.41/10.03, 2 38.31/9.99, all
    # picks 38.21/9.95. Held-out half, once, all three changes together: 37.27/9.72 -> 37.37/9.78.
    fill_lookback: int = 1


DEFAULT_SETTINGS = CoverageSettings()

_QUOTE_MARKS = ('"', "``", "''", "\u201c", "\u201d")
_CLOSERS = "'\"\u2019\u201d)] "
_QUOTATION_RE = re.compile(r'"([^"]*)"|``(.*?)\'\'|\u201c([^\u201d]*)\u201d')
_FIRST_PERSON = frozenset("i me my mine myself we us our ours ourselves".split())  # noqa: SIM905
_LETTERS_RE = re.compile(r"[A-Za-z]+")
_CAMEL_START = re.compile(r"[a-z]+[A-Z]")  # "eBay", "iPhone": a name, not a fragment
BYLINE_RE = re.compile(r"^(?:by\s+[A-Z]|photo:|image:|caption:|file photo|\(?(?:ap|reuters|afp) photo)", re.IGNORECASE)
# Lower-cased first words that refer back to something the reader has not seen.
_OPENERS = frozenset(
    """
    he she it they his her its their them him we our this that these those such
    but however and also so yet or nor then still meanwhile moreover furthermore instead otherwise
    thus hence besides nevertheless nonetheless therefore though although
    """.split()  # noqa: SIM905 - a word list reads best as words
)
# Update summaries: weight kept by a concept that earlier days' articles had but their summaries
# did not print (the reader was not told it; it is context, not news). A first setting, not tuned
# yet: with it benchmarks/eval_update.py measures 5-6% repeated bigrams on DUC 2004's halves (README).
KNOWN_WEIGHT = 0.25
_SCALE = 1000  # concept weights are integers (x1000): sums are exact whatever the order


class _Sent:
    __slots__ = ("concepts", "content", "content_set", "doc", "first", "index", "n_words", "text")

    def __init__(
        self, doc: int, index: int, text: str, n_words: int, concepts: set, first: str, content: tuple[int, ...]
    ) -> None:
        self.doc, self.index, self.text = doc, index, text
        self.n_words, self.concepts, self.first = n_words, concepts, first
        self.content = content  # term ids of its content words, in order
        self.content_set = frozenset(content)  # the same, for the quick "enough shared terms?" test


class _Vocab:
    """Lower-cased token -> term id; non-stop words share their stem's id, stop words get their own.

    A sentence's concepts are the set of its term ids (unigrams) and (id, id) pairs (bigrams);
    which of them count is decided once, in the weights.
    """

    def __init__(self, stem: Callable[[str], str], stop: frozenset[str]) -> None:
        self.stem, self.stop = stem, stop
        self.ids: dict[str, int] = {}
        self.terms: dict[str, int] = {}
        self.stop_ids: set[int] = set()

    def learn(self, tokens: Iterable[str]) -> None:
        """Give ids to new tokens (in sorted order: ids never depend on set order)."""
        for token in sorted(set(tokens).difference(self.ids)):
            if token in self.stop:
                tid = self.terms.setdefault("\x00" + token, len(self.terms))
                self.stop_ids.add(tid)
            else:
                tid = self.terms.setdefault(self.stem(token), len(self.terms))
            self.ids[token] = tid

    def content(self, lowered: list[str]) -> tuple[int, ...]:
        """Term ids of the non-stop, non-numeric tokens, in order."""
        return tuple(self.ids[t] for t in lowered if t not in self.stop and not t.isdigit())

    def concepts(self, lowered: list[str]) -> set:
        """Concept keys of a list of learnt tokens."""
        ids = list(map(self.ids.__getitem__, lowered))
        out: set = set(pairwise(ids))
        out.update(ids)
        return out


def _tokens(text: str, tokenize: Callable[[str], list[str]]) -> list[str]:
    return [t.lower() for t in tokenize(text)]


def _prepare(docs: Sequence[Sequence[str]], tokenize: Callable[[str], list[str]], vocab: _Vocab) -> list[_Sent]:
    rows = []
    for d, doc in enumerate(docs):
        for i, raw in enumerate(doc):
            text = strip_dateline(raw.strip())
            rows.append((d, i, text, _tokens(text, tokenize)))
    vocab.learn(chain.from_iterable(r[3] for r in rows))
    return [
        _Sent(
            d,
            i,
            text,
            len(text.split()),
            vocab.concepts(lowered),
            lowered[0] if lowered else "",
            vocab.content(lowered),
        )
        for d, i, text, lowered in rows
    ]


def _concept_weights(sents: list[_Sent], n_docs: int, vocab: _Vocab, st: CoverageSettings) -> dict:
    """{concept: integer weight (x _SCALE)} for the concepts that count."""
    uni = round(st.unigram_weight * _SCALE)
    counts: Counter = Counter()
    if n_docs >= st.min_articles_for_df:
        per_doc: dict[int, set] = {}
        for s in sents:
            per_doc.setdefault(s.doc, set()).update(s.concepts)
        for found in per_doc.values():
            counts.update(found)
        threshold = max(st.min_docs_floor, math.ceil(st.min_doc_fraction * n_docs - 1e-9))
    else:
        for s in sents:
            counts.update(s.concepts)
        threshold = 2
    stop_ids = vocab.stop_ids
    while True:
        weights = {}
        uni_threshold = min(threshold, st.unigram_min_docs)
        for c, v in counts.items():
            if isinstance(c, tuple):
                if v >= threshold and not (c[0] in stop_ids and c[1] in stop_ids):
                    weights[c] = _SCALE * v
            elif v >= uni_threshold and c not in stop_ids and uni > 0:
                weights[c] = uni * v
        if threshold <= 1 or any(isinstance(c, tuple) for c in weights):
            return weights
        threshold -= 1  # small or diverse input: no shared bigram yet, relax


def _candidates(sents: list[_Sent], st: CoverageSettings) -> list[int]:
    strict, loose = [], []
    for k, s in enumerate(sents):
        if s.n_words == 0:
            continue
        loose.append(k)
        if not (st.min_words <= s.n_words <= st.max_words) or s.index >= st.max_position:
            continue
        if st.drop_quotes and any(q in s.text for q in _QUOTE_MARKS) and not _short_quotes(s.text, st.quote_max_words):
            continue
        end = s.text.rstrip(_CLOSERS)
        if not end.endswith((".", "!", "?")) or (st.drop_questions and end.endswith("?")):
            continue
        if (st.drop_openers and s.first in _OPENERS) or BYLINE_RE.match(s.text):
            continue
        if st.drop_lowercase and not (SENTENCE_START_RE.match(s.text) or _CAMEL_START.match(s.text)):
            continue
        strict.append(k)
    return strict if strict else loose


def _short_quotes(text: str, limit: int) -> bool:
    """True when ``text`` only quotes short phrases: see CoverageSettings.quote_max_words."""
    if limit <= 0 or text.startswith(_QUOTE_MARKS):
        return False
    if any(q in _QUOTATION_RE.sub(" ", text) for q in _QUOTE_MARKS):
        return False  # an unclosed or stray quote mark: speech running over sentences
    for m in _QUOTATION_RE.finditer(text):
        quoted = m.group(1) or m.group(2) or m.group(3) or ""
        if len(quoted.split()) > limit or any(w.lower() in _FIRST_PERSON for w in _LETTERS_RE.findall(quoted)):
            return False
    return True


def _longest_run(a: Sequence[int], b: Sequence[int]) -> int:
    """Length of the longest run of terms that a and b share, in the same order."""
    # The usual table (run ending at a[i], b[j]), keeping only the cells where the terms match.
    where: dict[int, list[int]] = {}
    for j, y in enumerate(b):
        where.setdefault(y, []).append(j)
    best = 0
    previous: dict[int, int] = {}
    for x in a:
        current = {j: previous.get(j - 1, 0) + 1 for j in where.get(x, ())}
        if current:
            best = max(best, *current.values())
        previous = current
    return best


def _told_again(s: _Sent, told: _Sent, st: CoverageSettings) -> bool:
    """True when most of s's content words are those of a sentence the reader was told (CoverageSettings.told_share)."""
    if st.told_share <= 0 or not s.content_set:
        return False
    return len(s.content_set & told.content_set) >= st.told_share * len(s.content_set)


def _repeats(s: _Sent, chosen: _Sent, st: CoverageSettings) -> bool:
    """True when s says again a phrase of the chosen sentence (see CoverageSettings.repeat_run)."""
    if st.repeat_run <= 0 or len(s.content_set & chosen.content_set) < st.repeat_run:
        return False  # too few shared terms for a run: skip the quadratic run search
    run = _longest_run(s.content, chosen.content)
    return run >= st.repeat_run and run >= st.repeat_share * len(s.content)
