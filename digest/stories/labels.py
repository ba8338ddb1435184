"""Story labels (pure): a short topic phrase people would write ("Gaza aid", "Hurricane Mitch"), from the
names and words that cover the story and set it apart from the rest of the day.
"""

from __future__ import annotations

import math
import re
from array import array
from collections import Counter
from collections.abc import Sequence

import numpy as np

from ..text import scan_tokens, stem
from ._words import _ENTITY_CONNECT, _GENERIC, _ROLE, _SUFFIX
from .features import _body_scans, _stop

# A plain word is a modifier when in the day's bodies at least MODIFIER_SHARE of its MODIFIER_MIN_USES+ uses come
# right before another content word (no stop word or punctuation between): "global" (warming), "solar" (energy).
# A label never ends on one: it takes the word the modifier mostly goes with in the story, or the next word.
MODIFIER_SHARE = 0.75
MODIFIER_MIN_USES = 3
LABEL_TITLE_BONUS = 1.0  # a title mention counts like full coverage again: headlines name the story


class _SurfaceTable:
    """Per distinct token surface, what name finding asks of it (possessive 's dropped): computed once a day."""

    __slots__ = ("cap", "capok", "name", "proper", "stop", "word")

    def __init__(self, stop, proper) -> None:
        self.stop, self.proper = stop, proper
        self.word: list[tuple[str, str]] = []  # (surface, lower) without a possessive 's
        self.cap: list[bool] = []
        self.name: list[bool] = []  # capitalised, a name word of the day, not a stop word
        self.capok: list[bool] = []  # capitalised and not a stop word: may join a name next to one

    def add(self, w: str, low: str, cap: bool) -> int:
        if low.endswith("'s") or low.endswith("\u2019s"):
            w, low = w[:-2], low[:-2]
        self.word.append((w, low))
        self.cap.append(cap)
        self.name.append(cap and self.proper.get(low, 0) > 0 and low not in self.stop)
        self.capok.append(cap and low not in self.stop)
        return len(self.word) - 1


def _name_phrases(ids, flags: bytes, is_title: bool, table: _SurfaceTable, proper) -> list[tuple[str, ...]]:
    """Names as tuples of surface words: runs of capitalised words (a connector such as 'of' allowed inside, broken
    at punctuation), role words trimmed from the front, company suffixes from the end, at most 3 words (longer runs
    keep their last two, or three after a connector). A capitalised word counts when it is a known name word, or
    when it is capitalised mid-sentence next to one ("Hurricane Mitch", "Asian Games"). The tokens are surface ids
    into table and flag bytes (1 sentence start, 2 punctuation before)."""
    word, capt, name, capok = table.word, table.cap, table.name, table.capok
    n = len(ids)
    runs: list[list[tuple[str, str]]] = []
    run: list[tuple[str, str]] = []
    pend = None
    for k in range(n):
        i = ids[k]
        cap = capt[i]
        if not cap and not run:
            continue  # a lower-case word outside a name: nothing to do (pend is None whenever run is empty)
        f = flags[k]
        if f & 2 and run:
            runs.append(run)
            run, pend = [], None
        if name[i] or (
            capok[i] and ((k > 0 and name[ids[k - 1]]) or (k + 1 < n and name[ids[k + 1]])) and (is_title or not f & 1)
        ):
            if pend and run:
                run.append(pend)
            pend = None
            run.append(word[i])
            continue
        low = word[i][1]
        if run and low in _ENTITY_CONNECT and not cap and pend is None:
            pend = word[i]
            continue
        if run:
            runs.append(run)
        run, pend = [], None
    if run:
        runs.append(run)
    return _trim_runs(runs, proper)


def _trim_runs(runs: list[list[tuple[str, str]]], proper) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for r in runs:
        if len(r) > 1 and sum(1 for w, _ in r if w.isupper() and len(w) > 1) > 1:
            # Words set in capitals are a byline or a heading ("By CONNIE WHITE", "Executive DEBORAH WEYDERT"), not a
            # name as written: they leave the run.
            r = [wl for wl in r if not (wl[0].isupper() and len(wl[0]) > 1)]
            if not r:
                continue
        if len(r) == 1:  # the common case, decided without the trimming loops below
            w, low = r[0]
            if low not in _GENERIC and low not in _ENTITY_CONNECT and proper.get(low, 0) > 0:
                out.append((w,))
            continue
        while len(r) > 1 and r[0][1] in _ROLE and r[1][1] not in _GENERIC:
            r = r[1:]
        while len(r) > 1 and r[-1][1] in _SUFFIX:
            r = r[:-1]
        while r and r[-1][1] in _ENTITY_CONNECT:
            r = r[:-1]
        while r and r[0][1] in _ENTITY_CONNECT and not r[0][0][:1].isupper():  # "El Nino" keeps its "El"
            r = r[1:]
        if len(r) > 3:  # the last two words, or three when they would start with a connector: "Corps of Engineers"
            r = r[-3:] if r[-2][1] in _ENTITY_CONNECT else r[-2:]
        if not r or all(low in _GENERIC for _, low in r):
            continue
        if len(r) == 1 and proper.get(r[0][1], 0) <= 0:
            continue
        out.append(tuple(w for w, _ in r))
    return out


def _unshout(title_toks, body_toks):
    """An all-capitals title ("EX-POLICE COMMISSIONER BACK IN HUNT") with each word as its own body writes it
    mid-sentence: capitalised (in its body's capitalised form) when the body capitalises it more often than not,
    else in lower case, also when the body never has it. In such a title case is typography: taken at its word,
    every word would be a name written in capitals ("HUNT commissioner")."""
    words = [t[0] for t in title_toks]
    if len(words) < 2 or any(ch.islower() for w in words for ch in w):
        return title_toks
    votes: Counter[str] = Counter()
    forms: dict[str, str] = {}
    for w, low, cap, ss, _br in body_toks:
        if not ss:  # a sentence's first word is capitalised anyway
            votes[low] += 1 if cap else -1
            if cap:
                forms.setdefault(low, w)
    out = []
    for _w, low, _cap, ss, br in title_toks:
        cap = votes[low] > 0
        out.append((forms[low] if cap else low, low, cap, ss, br))
    return out


def _word_display(counter: Counter) -> str:
    """How a plain word (a stem) is written in a label: its commonest form, unless that is a participle ("automated",
    "striking") and a form without -ed/-ing is written at least half as often ("automation"): labels name things."""
    best = _display(counter)
    if best.endswith(("ed", "ing")):
        others = [(n, w) for w, n in sorted(counter.items()) if not w.endswith(("ed", "ing"))]
        if others:
            n, w = max(others, key=lambda nw: nw[0])
            if 2 * n >= counter[best]:
                return w
    return best


def _display(counter: Counter, avoid=frozenset()) -> str:
    items = sorted(counter.items())
    pref = [kv for kv in items if kv[0].lower() not in avoid] or items
    return max(pref, key=lambda kv: kv[1])[0]


class DayLabels:
    """Labels for the stories of one day, with the day-level statistics computed once.

    Labels contrast a story with the rest of its day (c-TF-IDF style: coverage in the story x
    log(1 + 1/share of the other articles mentioning it)). The rest-of-day counts are the day's
    counts minus the story's, and each article's evidence (its names and plain words) is read once
    and kept as integer arrays, so labelling every story of a day costs one pass over the day plus
    work proportional to each story's own evidence. Names keep their written form, other words are
    lower case.
    """

    def __init__(self) -> None:
        self._texts: list[str] = []  # kept for the written-order check ("Hurricane Mitch"), not re-read
        self._ids: dict[str, int] = {}  # every string kept for labels (words, surfaces) -> a small integer
        self._strings: list[str] = []
        # Tokens as the scans gave them, kept compact between the two passes: surface ids into _tok_*
        # and one flag byte each (1: sentence start, 2: punctuation before).
        self._tok_ids: dict[str, int] = {}
        self._tok: list[tuple[str, str, bool]] = []  # surface, lower, capitalised
        self._cached: list[tuple[array, bytes, array, bytes]] = []
        self._proper: Counter[str] = Counter()
        self._lower: list[array] = []
        self._done = False

    @classmethod
    def from_texts(cls, titles: Sequence[str], texts: Sequence[str]) -> DayLabels:
        """The labeller for a day given as titles and texts."""
        day = cls()
        for title, text in zip(titles, texts, strict=True):
            whole, body = _body_scans(text)
            day.add(text, scan_tokens(title or ""), whole, body)
        return day

    def _sid(self, value: str) -> int:
        got = self._ids.get(value)
        if got is None:
            got = self._ids[value] = len(self._strings)
            self._strings.append(value)
        return got

    def _pack(self, toks) -> tuple[array, bytes]:
        ids = self._tok_ids
        out = array("i")
        for w, low, cap, _ss, _br in toks:
            i = ids.get(w)
            if i is None:
                i = ids[w] = len(self._tok)
                self._tok.append((w, low, cap))
            out.append(i)
        return out, bytes(ss | (br << 1) for _w, _low, _cap, ss, br in toks)

    def add(self, text: str, title_toks, whole_toks, body_toks) -> None:
        """Pass 1, one article at a time: which words are names (capitalised mid-sentence more often than
        not, over the whole text) and the article's lower-case words (a story's own vocabulary decides
        which plain words it may be labelled by); the title and dateline-free body kept for pass 2."""
        if self._done:
            raise RuntimeError("DayLabels: add() after the first label()")
        proper = self._proper
        for _w, low, cap, ss, _br in whole_toks:
            if not ss:
                proper[low] += 1 if cap else -1
        sid = self._sid
        title_toks = _unshout(title_toks, body_toks)
        self._lower.append(array("i", sorted({sid(low) for _w, low, cap, _ss, _br in whole_toks if not cap})))
        self._texts.append(text or "")
        self._cached.append((*self._pack(title_toks), *self._pack(body_toks)))

    def _finish(self) -> None:
        """Pass 2: each article's names (stem tuples, with their written forms) and plain words."""
        self._done = True
        stop, proper, sid = _stop(), self._proper, self._sid
        self._n = len(self._texts)
        keys: dict[tuple[str, ...], int] = {}
        self._key_ids = keys
        self._keys: list[tuple[str, ...]] = []
        self._stem: dict[int, str] = {}
        self._names: list[tuple[array, array, array, array, array]] = []
        self._words: list[tuple[array, array]] = []
        self._dfn: Counter[int] = Counter()
        self._dfw: dict[str, Counter[frozenset[int]]] = {}
        cached, self._cached = self._cached, []
        phrase_keys: dict[tuple[str, ...], list[tuple[int, int]]] = {}  # a name -> its (key, surface) ids
        # What each distinct token surface means here, decided once: its part in names, and the plain
        # word it counts as (-1 when it counts as none: stop words, names, short or generic words).
        table = _SurfaceTable(stop, proper)
        plain = np.full(max(1, len(self._tok)), -1, np.int64)
        for i, (w, low, cap) in enumerate(self._tok):
            table.add(w, low, cap)
            if low.endswith("'s"):
                low = low[:-2]
            if low in stop or len(low) < 3 or proper.get(low, 0) > 0 or low in _GENERIC:
                continue
            code = sid(low)
            if code not in self._stem:
                self._stem[code] = stem(low)
            plain[i] = code
        before_word = np.zeros(len(self._strings), np.int64)  # per plain-word code: times a plain word follows it
        uses = np.zeros(len(self._strings), np.int64)  # ...and times it occurs, in bodies
        for title_ids, title_flags, body_ids, body_flags in cached:
            if len(body_ids) > 1:
                codes = plain[np.frombuffer(body_ids, dtype=np.int32)]
                joined = (np.frombuffer(body_flags, dtype=np.uint8)[1:] & 3) == 0  # no stop or break between
                here = codes[:-1] >= 0
                np.add.at(before_word, codes[:-1][here & joined & (codes[1:] >= 0)], 1)
                np.add.at(uses, codes[codes >= 0], 1)
            names: Counter[int] = Counter()
            tnames: set[int] = set()
            surfaces: Counter[tuple[int, int]] = Counter()
            words: Counter[int] = Counter()  # surface id * 2 + in title -> occurrences
            for ids, flags, is_title in ((title_ids, title_flags, True), (body_ids, body_flags, False)):
                for ph in _name_phrases(ids, flags, is_title, table, proper):
                    found = phrase_keys.get(ph)
                    if found is None:
                        subs = [ph]
                        if len(ph) > 1 and ph[-1].lower() not in _GENERIC:
                            subs.append(ph[-1:])  # "Augusto Pinochet" also counts as "Pinochet"
                        found = []
                        for p in subs:
                            key = tuple(stem(x.lower()) for x in p)
                            k = keys.get(key)
                            if k is None:
                                k = keys[key] = len(self._keys)
                                self._keys.append(key)
                            found.append((k, sid(" ".join(p))))
                        phrase_keys[ph] = found
                    for k, surface in found:
                        names[k] += 1
                        surfaces[k, surface] += 1
                        if is_title:
                            tnames.add(k)
                if len(ids):
                    codes = plain[np.frombuffer(ids, dtype=np.int32)]
                    codes = codes[codes >= 0] * 2 + is_title
                    uniq, seen = np.unique(codes, return_counts=True)
                    words.update(dict(zip(uniq.tolist(), seen.tolist(), strict=True)))
            self._dfn.update(names.keys())
            by_stem: dict[str, set[int]] = {}
            for code in words:
                by_stem.setdefault(self._stem[code >> 1], set()).add(code >> 1)
            for word_stem, surface_ids in by_stem.items():
                counts = self._dfw.get(word_stem)
                if counts is None:
                    counts = self._dfw[word_stem] = Counter()
                counts[frozenset(surface_ids)] += 1
            self._names.append(
                (
                    array("i", names.keys()),
                    array("i", names.values()),
                    array("i", sorted(tnames)),
                    array("q", [k * (1 << 32) + s for k, s in surfaces]),
                    array("i", surfaces.values()),
                )
            )
            self._words.append((array("i", words.keys()), array("i", words.values())))
        # A word that mostly stands before another ("global warming", "nuclear talks") modifies it: an
        # adjective or a noun used as one, which names nothing alone ("Arctic global").
        mod: Counter[str] = Counter()
        total: Counter[str] = Counter()
        for code in np.flatnonzero(uses).tolist():
            mod[self._stem[code]] += int(before_word[code])
            total[self._stem[code]] += int(uses[code])
        self._modifiers = frozenset(
            k for k, n in total.items() if n >= MODIFIER_MIN_USES and mod[k] >= MODIFIER_SHARE * n
        )

    def label(self, members: Sequence[int], avoid: frozenset[str] = frozenset()) -> str:
        """A topic phrase of at most MAX_LABEL_WORDS words for the story made of the day's articles at these positions.

        avoid: labels (case-folded) the day's other stories already carry; the best phrase not among
        them is chosen when there is one."""
        n_c = len(members)
        if n_c == 0:
            return ""
        if not self._done:
            self._finish()
        strings = self._strings
        lower_seen: set[int] = set()
        for i in members:
            lower_seen.update(self._lower[i])
        dfn: Counter = Counter()
        dfw: Counter = Counter()
        tfn: Counter = Counter()
        tfw: Counter = Counter()
        tn: Counter = Counter()
        tw: Counter = Counter()
        sn: dict[tuple[str, ...], Counter[str]] = {}
        sw: dict[str, Counter[str]] = {}
        for i in members:
            nk, nc, tk, sk, sc = self._names[i]
            for k, c in zip(nk, nc, strict=True):
                key = self._keys[k]
                dfn[key] += 1
                tfn[key] += c
            tn.update(self._keys[k] for k in tk)
            for code, c in zip(sk, sc, strict=True):
                key = self._keys[code >> 32]
                if key not in sn:
                    sn[key] = Counter()
                sn[key][strings[code & 0xFFFFFFFF]] += c
            seen: set[str] = set()
            titled: set[str] = set()
            for code, c in zip(*self._words[i], strict=True):
                surface = code >> 1
                if surface not in lower_seen:
                    continue
                k = self._stem[surface]
                seen.add(k)
                tfw[k] += c
                if k not in sw:
                    sw[k] = Counter()
                sw[k][strings[surface]] += c
                if code & 1:
                    titled.add(k)
            dfw.update(seen)
            tw.update(titled)
        n_o = self._n - n_c

        def other_words(k: str) -> int:
            hits = sum(n for surfaces, n in self._dfw.get(k, {}).items() if not surfaces.isdisjoint(lower_seen))
            return hits - dfw[k]

        def score(df, tf, tdf, odf):
            cov = df / n_c + LABEL_TITLE_BONUS * tdf / n_c
            rest = (odf + 0.5) / (n_o + 1.0)
            return cov**1.5 * math.log(1.0 + 1.0 / rest) * (1.0 + 0.25 * math.log(tf / df))

        names = sorted(
            ((score(dfn[k], tfn[k], tn[k], self._dfn[self._key_ids[k]] - dfn[k]), len(k), k) for k in dfn),
            key=lambda t: (-t[0], -t[1], t[2]),
        )
        words_ = sorted(
            ((score(dfw[k], tfw[k], tw[k], other_words(k)), k) for k in dfw),
            key=lambda t: (-t[0], t[1]),
        )
        texts = [self._texts[i] for i in members]
        label = _choose_label(names, words_, sn, sw, texts, self._modifiers)
        if label.casefold() not in avoid:
            return label
        for k in range(1, ALTERNATIVES + 1):  # the runner-up names, then the runner-up words
            for alt_names, alt_words in ((names[k:], words_), (names, words_[k:])):
                alt = _choose_label(alt_names, alt_words, sn, sw, texts, self._modifiers)
                if alt and alt.casefold() not in avoid:
                    return alt
        return label


ALTERNATIVES = 3  # runner-up names and words tried for a story whose best label another story of the day has


def _choose_label(names, words, sn, sw, texts, modifiers=frozenset()) -> str:
    """Either the best name alone when it has 2+ words and beats every plain word, or the best name followed by the
    best plain word (a modifier with the word it goes with: "China solar energy"); without names, the two best plain
    words."""
    if not names and not words:
        return ""
    if not names:
        return " ".join(_word_display(sw[k]) for _, k in words[:2])
    best_score, _, best = names[0]
    for sc, ln, k in names[1:6]:  # a longer name holding the best one and nearly as strong: "Hurricane Mitch"
        if ln > len(best) and set(best) <= set(k) and sc >= 0.6 * best_score:
            best_score, best = sc, k
            break
    label = _as_written(_display(sn[best]), texts)
    size = sum(1 for x in label.split() if x.lower() not in _ENTITY_CONNECT)  # "Corps of Engineers": two words
    if size >= 2 and (not words or best_score >= words[0][0]):
        return label
    if size >= 3:
        return label
    for _sc, k in words:
        disp = _word_display(sw[k])
        if stem(disp) in best:
            continue
        if k in modifiers:  # "solar" names nothing alone: "China solar energy", with the word it mostly modifies
            head = _head_word(disp, texts)
            if not head:
                continue
            disp += " " + head
        if len(label.split()) + len(disp.split()) > MAX_LABEL_WORDS:
            continue
        written = disp[:1].upper() + disp[1:] + " " + label
        if any(written in x for x in texts):  # "Hurricane Mitch" rather than "Mitch hurricane"
            return written
        return label + " " + disp
    return label


MAX_LABEL_WORDS = 4  # "Corps of Engineers wetlands", "Arctic global warming": a name and a word, at most four words
WRITTEN_TEXTS = 50  # the story's texts (in order) that _as_written and _head_word read: enough to show a usage


def _as_written(name: str, texts: Sequence[str]) -> str:
    """A name as the story's texts write it. A headline's first word that joined the name only by standing next to
    it ("Independent Clara Dunmore wins ...") is dropped when no text has the whole phrase and one has the rest; a word
    the texts mostly write with a number ("MV-9", "G-7") gets it back (tokens are letters only)."""
    texts = texts[:WRITTEN_TEXTS]
    words = name.split()
    if len(words) > 2 and not any(name in t for t in texts) and any(" ".join(words[1:]) in t for t in texts):
        words = words[1:]
    if len(words) > 1 and not any(" ".join(words) in t for t in texts):
        # A Title Case headline capitalises every word: an end word no text writes so ("Helps China Combat") is
        # no part of the name.
        def written(w: str) -> bool:
            return any(re.search(r"\b" + re.escape(w) + r"\b", t) for t in texts)

        while len(words) > 1 and not written(words[0]):
            words = words[1:]
        while len(words) > 1 and not written(words[-1]):
            words = words[:-1]
    out = []
    for w in words:
        if not any(w + "-" in t for t in texts):  # the common case, without a pattern search
            out.append(w)
            continue
        found: Counter[str] = Counter()
        for t in texts:
            found.update(m.group(1) or "" for m in re.finditer(r"\b" + re.escape(w) + r"\b(-\d+\b)?", t))
        numbered = [(n, k) for k, n in found.items() if k]
        if numbered:
            n, suffix = max(numbered, key=lambda nk: (nk[0], nk[1]))
            if n >= 2 and n >= found[""]:
                w += suffix
        out.append(w)
    return " ".join(out)


def _head_word(word: str, texts: Sequence[str]) -> str:
    """The lower-case content word that most often follows word in the story's texts (at least twice), or ""."""
    after = re.compile(r"\b" + re.escape(word) + r"[ -]([a-z][a-z'-]*[a-z])\b", re.IGNORECASE)
    stop = _stop()
    found: Counter[str] = Counter()
    for text in texts[:WRITTEN_TEXTS]:
        for m in after.finditer(text):
            nxt = m.group(1)
            if nxt.islower() and nxt not in stop and len(nxt) > 2:
                found[nxt] += 1
    if not found:
        return ""
    best, n = min(found.items(), key=lambda kv: (-kv[1], kv[0]))
    return best if n >= 2 else ""


def label_cluster(
    titles: Sequence[str], texts: Sequence[str], other_titles: Sequence[str] = (), other_texts: Sequence[str] = ()
) -> str:
    """A 1-3 word topic phrase for one story, e.g. "Hurricane Mitch", "Gaza aid", "UN peacekeeping".

    titles/texts: the story's articles; other_*: the rest of the day. For many stories of one day use DayLabels,
    which reads the day once."""
    day = DayLabels.from_texts([*titles, *other_titles], [*texts, *other_texts])
    return day.label(range(len(texts)))
