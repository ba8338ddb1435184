"""Choose a story's summary sentences by concept coverage (pure; the standard library and digest.text).

The project's own summary method ("default" in ``digest.summaries``): a budgeted maximum-coverage
selector in the concept framework of Gillick & Favre (2009, ICSISumm), measured on DUC 2004 with
``benchmarks/bench_summarize.py`` (README, "Summaries", has the figures).

1. Trim every sentence (surrounding space; a leading dateline such as ``CITY (AP) _`` or
   ``CITY -- ``). The trimmed text is always a contiguous substring of the input sentence.
2. Concepts: stemmed word bigrams (dropped when both words are stop words) weighted by the number
   of articles containing them, plus non-stop-word stems weighted by ``unigram_weight`` times the
   number of articles. A bigram must occur in at least ``min_doc_fraction`` of the articles, a
   stem in at least ``unigram_min_docs``.
3. Candidates: readable, self-contained sentences (length limits; no quoted speech, questions,
   bylines, fragments such as a sentence starting in lower case or "...", or openers such as "He", "But",
   "However" that need the previous sentence; a short quoted phrase inside a sentence of the
   reporter's own is fine). When no sentence passes, every non-empty sentence is a candidate.
4. Selection: greedy budgeted coverage (Khuller et al. 1999; Lin & Bilmes 2010): repeatedly add
   the candidate with the largest (weight of the concepts it newly covers) / (its words) that
   still fits. Each concept counts once, which is the redundancy control.
5. ``fill`` (word budget only): if room is left, one more sentence is appended, chosen for the
   concepts in its first ``room`` words, so that cutting the summary at the budget (what DUC
   evaluation and a fixed-length display do) gives a full budget. The greedy's last pick may
   give way to a longer fill when the first ``words`` words then cover more concept weight.

6. Update summaries (``told``/``known`` given: a developing story): the concepts of the sentences
   the reader was already told (earlier editions' summaries) weigh nothing, those of the articles
   earlier days had weigh ``KNOWN_WEIGHT`` of their weight, so the greedy first takes what today
   adds and then, space allowing, context. A candidate that is a told sentence or repeats one's
   phrase is out. A pick whose gain came mostly from known concepts is marked ``context``.
   Without ``told`` and ``known`` nothing of this runs: a new story's summary is unchanged.

The exact ILP of the same objective (HiGHS through scipy.optimize.milp) was measured too: no better
on DUC 2004 (R-1/R-2 37.80/9.48 against the greedy's 37.79/9.70) and 30-100x slower plus ~0.9 s
of scipy.optimize import, so only the greedy ships.

Deterministic: integer concept weights (sums are exact in any order), ties go to the earlier
sentence, concept keys are ints and tuples of ints (no dependence on PYTHONHASHSEED). Words are
counted as the evaluation counts them: whitespace-separated tokens of the text.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, pairwise

from ..text import SENTENCE_START_RE, strip_dateline

__all__ = ["DEFAULT_SETTINGS", "CoverageSettings", "Pick", "select_sentences"]


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


def _repeats(s: _Sent, chosen: _Sent, st: CoverageSettings) -> bool:
    """True when s says again a phrase of the chosen sentence (see CoverageSettings.repeat_run)."""
    if st.repeat_run <= 0 or len(s.content_set & chosen.content_set) < st.repeat_run:
        return False  # too few shared terms for a run: skip the quadratic run search
    run = _longest_run(s.content, chosen.content)
    return run >= st.repeat_run and run >= st.repeat_share * len(s.content)


def _greedy(
    cands: list[int], sents: list[_Sent], weights: dict, words: int | None, sentences: int | None, st: CoverageSettings
) -> list[int]:
    """Greedy budgeted coverage: best (new weight / words ** cost_exponent) that still fits."""
    keys = weights.keys()
    items = []  # (sentence, cost, weighted concepts, tie bonus, denominator)
    for k in cands:
        s = sents[k]
        cost = s.n_words if words is not None else 1
        items.append((k, cost, s.concepts & keys, st.tie_break / (1.0 + s.index), s.n_words**st.cost_exponent))
    limit = words if words is not None else sentences or 0
    covered: set = set()
    chosen: list[int] = []
    used = 0
    alive = list(range(len(items)))
    while alive:
        best, best_score, keep = -1, 0.0, []
        for x in alive:
            k, cost, cs, tb, denom = items[x]
            if used + cost > limit:
                continue  # never fits again: the room only shrinks
            new = cs - covered
            if not new:
                continue  # never gains again: coverage only grows
            keep.append(x)
            score = sum(map(weights.__getitem__, new)) / denom + tb
            if score > best_score:  # strict: the earlier candidate wins exact ties
                best, best_score = x, score
        if best < 0:
            break
        k, cost, cs, _, _ = items[best]
        chosen.append(k)
        used += cost
        covered |= cs
        # A candidate that repeats the sentence just chosen is out for good: each is checked once.
        alive = [x for x in keep if x != best and not _repeats(sents[items[x][0]], sents[k], st)]
        if sentences is not None and len(chosen) >= sentences:
            break
    return chosen


def _fill(
    chosen: list[int],
    cands: list[int],
    sents: list[_Sent],
    weights: dict,
    room: int,
    tokenize: Callable[[str], list[str]],
    vocab: _Vocab,
    st: CoverageSettings,
) -> int | None:
    """The unpicked, non-repeating candidate whose first ``room`` words add the most concept weight.

    A prefix never adds more than its whole sentence, so candidates are visited by whole-sentence
    gain and the scan stops when that cannot beat the best prefix found. Ties: earlier sentence.
    """
    covered: set = set()
    for k in chosen:
        covered |= sents[k].concepts
    keys = weights.keys()
    taken = set(chosen)

    def gain(concepts: set) -> int:
        return sum(map(weights.__getitem__, (concepts & keys) - covered))

    order = sorted(
        ((gain(sents[k].concepts), k) for k in cands if k not in taken),
        key=lambda gk: (-gk[0], sents[gk[1]].index, gk[1]),
    )
    best, best_key = None, None
    for whole, k in order:
        if best_key is not None and whole < best_key[0]:
            break
        s = sents[k]
        if any(_repeats(s, sents[c], st) for c in chosen):
            continue
        if s.n_words <= room:
            g = whole
        else:
            lowered = _tokens(" ".join(s.text.split()[:room]), tokenize)
            vocab.learn(lowered)  # a cut word may tokenize differently
            g = gain(vocab.concepts(lowered))
        key = (g, -s.index, -k)
        if best_key is None or key > best_key:
            best, best_key = k, key
    return best


def _finish(
    chosen: list[int],
    cands: list[int],
    sents: list[_Sent],
    weights: dict,
    words: int,
    tokenize: Callable[[str], list[str]],
    vocab: _Vocab,
    st: CoverageSettings,
) -> tuple[list[int], int | None]:
    """The picks and fill sentence whose first ``words`` words cover the most concept weight.

    Options: the greedy's picks, then (``fill_lookback``) the picks without their last, second
    last, ... one; each gets its best fill. Ties go to the earlier option (fewest changes).
    """
    options = [chosen]
    options += [chosen[:i] + chosen[i + 1 :] for i in range(len(chosen) - 1, -1, -1)][: st.fill_lookback]
    best: tuple[list[int], int | None] = (chosen, None)
    best_value = -1
    for base in options:
        room = words - sum(sents[k].n_words for k in base)
        extra = _fill(base, cands, sents, weights, room, tokenize, vocab, st) if room > 0 else None
        covered: set = set()
        for k in base:
            covered |= sents[k].concepts
        if extra is not None:
            lowered = _tokens(" ".join(sents[extra].text.split()[:room]), tokenize)
            vocab.learn(lowered)
            covered |= vocab.concepts(lowered)
        value = sum(weights.get(c, 0) for c in covered)
        if value > best_value:  # strict: the earlier option wins ties
            best, best_value = (base, extra), value
    return best


def select_sentences(
    docs: Sequence[Sequence[str]],
    *,
    words: int | None = 100,
    sentences: int | None = None,
    tokenize: Callable[[str], list[str]],
    stem: Callable[[str], str],
    stop_words: Collection[str],
    fill: bool = False,
    settings: CoverageSettings = DEFAULT_SETTINGS,
    told: Sequence[str] = (),
    known: Sequence[Sequence[str]] = (),
) -> list[Pick]:
    """The sentences (of ``docs[i]``: article i's sentences in order) that best cover the story.

    Give exactly one of ``words`` (the picks total at most that many whitespace-separated words)
    and ``sentences`` (at most that many). With ``words`` and ``fill=True``, when room is left
    one more sentence is appended (``Pick.fill``), chosen for the concepts in its first ``room``
    words: the summary may then run past the budget by the rest of that sentence, and its first
    ``words`` words are full. Picks come in selection order. Empty input or a budget <= 0 gives [].
    ``tokenize``/``stem``/``stop_words``: word helpers (tokens are lower-cased before the other two).
    ``told`` (sentences the reader was already given) and ``known`` (earlier days' articles, as
    sentences) make it an update summary: see step 6 of the module docstring.

    Raises ValueError unless exactly one budget is given.
    """
    if (words is None) == (sentences is None):
        raise ValueError("give exactly one of words= or sentences=")
    budget = words if words is not None else sentences
    if budget is None or budget <= 0:
        return []
    vocab = _Vocab(stem, frozenset(w.lower() for w in stop_words))
    sents = _prepare(docs, tokenize, vocab)
    if not any(s.n_words for s in sents):
        return []
    weights = _concept_weights(sents, len(docs), vocab, settings)
    cands = _candidates(sents, settings)
    if told or known:
        return _select_update(sents, cands, weights, told, known, words, sentences, fill, tokenize, vocab, settings)
    chosen = _greedy(cands, sents, weights, words, sentences, settings)
    picks = [Pick(sents[k].doc, sents[k].index, sents[k].text) for k in chosen]
    if words is not None and fill:
        chosen, extra = _finish(chosen, cands, sents, weights, words, tokenize, vocab, settings)
        picks = [Pick(sents[k].doc, sents[k].index, sents[k].text) for k in chosen]
        if extra is not None:
            s = sents[extra]
            picks.append(Pick(s.doc, s.index, s.text, fill=True))
    return picks


def _select_update(
    sents: list[_Sent],
    cands: list[int],
    weights: dict,
    told: Sequence[str],
    known: Sequence[Sequence[str]],
    words: int | None,
    sentences: int | None,
    fill: bool,
    tokenize: Callable[[str], list[str]],
    vocab: _Vocab,
    st: CoverageSettings,
) -> list[Pick]:
    """select_sentences for a developing story: see step 6 of the module docstring."""
    # Today's tokens were learnt first, so their ids (and so tie orders) are those of a plain summary.
    told_sents = _prepare([told], tokenize, vocab)
    known_sents = _prepare(known, tokenize, vocab)
    told_concepts: set = set().union(*(s.concepts for s in told_sents))
    known_concepts: set = set().union(*(s.concepts for s in known_sents)) - told_concepts
    told_texts = {s.text for s in told_sents}
    fresh = [
        k for k in cands if sents[k].text not in told_texts and not any(_repeats(sents[k], t, st) for t in told_sents)
    ]
    discounted = {}
    for c, w in weights.items():
        if c in told_concepts:
            continue
        discounted[c] = round(w * KNOWN_WEIGHT) if c in known_concepts else w
    discounted = {c: w for c, w in discounted.items() if w > 0}
    chosen = _greedy(fresh, sents, discounted, words, sentences, st)
    covered: set = set()
    news: dict[int, bool] = {}
    for k in chosen:
        gained = (sents[k].concepts & discounted.keys()) - covered
        new_weight = sum(discounted[c] for c in gained if c not in known_concepts)
        news[k] = 2 * new_weight >= sum(discounted[c] for c in gained)
        covered |= gained
    picks = [Pick(sents[k].doc, sents[k].index, sents[k].text, context=not news[k]) for k in chosen]
    if words is not None and fill:
        room = words - sum(sents[k].n_words for k in chosen)
        extra = _fill(chosen, fresh, sents, discounted, room, tokenize, vocab, st) if room > 0 else None
        if extra is not None:
            s = sents[extra]
            picks.append(Pick(s.doc, s.index, s.text, fill=True, context=True))
    return picks
