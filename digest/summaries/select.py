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

from collections.abc import Callable, Collection, Sequence

from .coverage import (
    DEFAULT_SETTINGS,
    KNOWN_WEIGHT,
    CoverageSettings,
    Pick,
    _candidates,
    _concept_weights,
    _prepare,
    _repeats,
    _Sent,
    _tokens,
    _told_again,
    _Vocab,
)

__all__ = ["DEFAULT_SETTINGS", "CoverageSettings", "Pick", "select_sentences"]


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
        k
        for k in cands
        if sents[k].text not in told_texts
        and not any(_repeats(sents[k], t, st) or _told_again(sents[k], t, st) for t in told_sents)
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
