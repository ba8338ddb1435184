"""digest's fast text helpers against NLTK's on DUC 2004: the same sentence spans and stems.

    python benchmarks/check_text.py

Sentences (digest.text.punkt against NLTK's Punkt with the shipped parameters): every DUC 2004
article file is split three ways and the spans compared: each paragraph as ``digest summarize``
splits it (read by digest's ingest, whitespace collapsed), each raw file text as it is on disk
(newlines, indentation and all), and each raw line. Stems (digest.text.english_stem against NLTK's
English Snowball stemmer): every distinct lower-cased word of the files, both as
``digest.text.word_tokens`` finds words and as whitespace-separated tokens (punctuation and
apostrophes attached). Prints what was compared, the mismatches (there must be none: exit status
1 otherwise) and the time each side took. Needs ../shared (or $DIGEST_SHARED); without it says
so and exits 0. No DUC text is printed beyond a mismatching text's file name and offsets, or a
mismatching word.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("DIGEST_SHARED", ROOT.parent / "shared"))
DOCS = SHARED / "eval" / "duc2004" / "docs"

from digest.ingest import read_inputs  # noqa: E402
from digest.text import nlp as digest_text  # noqa: E402
from digest.text import stem_english, word_tokens  # noqa: E402
from digest.text.punkt import FastPunkt  # noqa: E402


def main() -> int:
    """Compare spans on every DUC text; print counts, mismatches and times."""
    if not DOCS.is_dir():
        print(f"skipped: needs the shared evaluation data at {DOCS} (set DIGEST_SHARED)")
        return 0
    nltk_punkt = digest_text._punkt_tokenizer("english")
    fast = FastPunkt(nltk_punkt, digest_text._punkt)
    files = sorted(p for p in DOCS.rglob("*") if p.is_file())
    captured = dt.datetime(2026, 11, 24, tzinfo=dt.UTC)
    paras = [p for f in files for a in read_inputs([str(f)], captured).articles for p in digest_text.paragraphs(a.text)]
    raws = [(f, f.read_text(encoding="utf-8", errors="replace")) for f in files]
    texts = [(f"paragraph {i}", p) for i, p in enumerate(paras)]
    texts += [(str(f.relative_to(DOCS)), raw) for f, raw in raws]
    texts += [(f"{f.relative_to(DOCS)} line {n}", line) for f, raw in raws for n, line in enumerate(raw.splitlines())]
    mismatches = spans = 0
    for name, body in texts:
        ours, theirs = fast.span_tokenize(body), list(nltk_punkt.span_tokenize(body))
        spans += len(theirs)
        if ours != theirs:
            mismatches += 1
            first = next((k for k, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b), None)
            print(f"MISMATCH {name}: sentence {first}: {ours[first : first + 1]} vs {theirs[first : first + 1]}")
    timings = {}
    for label, split in (
        ("nltk", nltk_punkt.span_tokenize),
        ("digest.text.punkt", FastPunkt(nltk_punkt, digest_text._punkt).span_tokenize),
    ):
        start = time.perf_counter()
        for p in paras:
            list(split(p))
        timings[label] = time.perf_counter() - start
    print(
        f"{len(files)} files, {len(texts)} texts ({len(paras)} paragraphs, {len(raws)} raw files, lines), {spans} spans"
    )
    print(f"span mismatches: {mismatches}")
    print(
        f"paragraphs split in {timings['nltk']:.2f} s by NLTK, {timings['digest.text.punkt']:.2f} s by digest.text.punkt"
        f" ({timings['nltk'] / timings['digest.text.punkt']:.1f}x)"
    )
    words = sorted({w for _, raw in raws for w in [*word_tokens(raw.lower()), *raw.lower().split()]})
    nltk_stem = digest_text._stemmer("english").stem
    start = time.perf_counter()
    theirs_stems = [nltk_stem(w) for w in words]
    nltk_time = time.perf_counter() - start
    start = time.perf_counter()
    ours_stems = [stem_english(w) for w in words]
    our_time = time.perf_counter() - start
    stem_mismatches = [(w, a, b) for w, a, b in zip(words, ours_stems, theirs_stems, strict=True) if a != b]
    for w, a, b in stem_mismatches[:20]:
        print(f"STEM MISMATCH {w!r}: {a!r} vs NLTK's {b!r}")
    print(f"{len(words)} distinct words stemmed: mismatches: {len(stem_mismatches)}")
    print(
        f"stemmed in {nltk_time:.2f} s by NLTK, {our_time:.2f} s by digest.text.english_stem ({nltk_time / our_time:.1f}x)"
    )
    return 1 if mismatches or stem_mismatches else 0


if __name__ == "__main__":
    raise SystemExit(main())
