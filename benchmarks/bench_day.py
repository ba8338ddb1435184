"""Whole-build benchmark: `digest build` as a process on synthetic days and on DUC 2004 as one day.

    python benchmarks/bench_day.py [--sizes 1000,10000,100000] [--no-duc] [--jobs N] [--keep DIR] [--timeout 1800]

Each row is one `digest --config C -v build --input X --date 2026-11-24 --out O` in its own process (PDF
included), with a throwaway config whose store is a fresh SQLite file in the row's folder; DIGEST_* variables
other than DIGEST_SHARED are not passed on, so no run touches a real store or archive. Printed per row: the
articles given and read, the stories in briefing.json beside those the input was made of, whether every input
article is accounted for there (in a story's `articles`, or in an article's `duplicates` list), wall and CPU
seconds, and the child's peak RSS (ru_maxrss from os.wait4). Then each stage's seconds, parsed from the build's
`-v` log lines `digest: INFO: stage <name>: <seconds> s (<counts>)` ("n/a" where a build logs none), beside the
total; the growth per 10x; and the targets with PASS/FAIL. Exit status 1 when a build failed or was killed.

Synthetic days are invented here (no copied or DUC text), seeded, and streamed to a folder of JSONL files of
1,000 records each (digest refuses a file over 20 MB): about n/11 stories with heavy-tailed sizes (lognormal
weights: many stories of one or two articles, a few of hundreds), each with its own invented people, places,
organisations and topic words over a shared vocabulary of news English; a quarter of the stories share a place
and some topic words with an earlier story (the hard case). Articles are 80-900 words (lognormal, median 300) in
paragraphs, from 40 outlets, published within the 24 hours before the day's 06:30 UTC cut-off.

The machine is shared (2 cores): the load average is printed with the results; compare runs made under like load.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import itertools
import json
import math
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

DAY = dt.date(2026, 11, 24)
SEED = 20261124
# The window digest's default cut-off (06:30 UTC) gives the day, one minute inside each end.
WINDOW_START = dt.datetime(2026, 11, 23, 6, 31, tzinfo=dt.UTC)
WINDOW_SECONDS = 24 * 3600 - 2 * 60
ARTICLES_PER_STORY = 11  # mean story size: the brief's n/8..n/15 stories
SIZE_SIGMA = 2.4  # lognormal sigma of story weights: ~40% single-article stories, a few of hundreds at 10k
SHARED_PLACE = 0.25  # share of stories that reuse an earlier story's place and topic words
OUTLETS = 40
# digest refuses an input file over 20 MB (MAX_FILE_BYTES in digest/ingest/files.py): 1,000 records are ~2.7 MB,
# a large feed dump, so a day is a folder of such files.
RECORDS_PER_FILE = 1000
GIB = 1024**3
TARGETS = {"duc_s": 20.0, "10k_s": 90.0, "100k_s": 900.0, "100k_rss": 2 * GIB, "10x_ratio": 11.0}
STAGE_RE = re.compile(r"\bstage\s+([A-Za-z][\w-]*)\s*:\s*([0-9]+(?:\.[0-9]+)?)\s*s\b(?:\s*\((.*)\))?")
BUILT_RE = re.compile(r"(\d+) stories from (\d+) articles")

# --- the synthetic day -------------------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


_ONSETS = _words("b br c ch d dr f g gr h j k kl l m n p pr r s st sh t tr v w z")
_VOWELS = _words("a e i o u a e o ai ei ou ia")
_CODAS = ["", "", "", "n", "r", "l", "s", "th", "k", "m", "nd", "st"]
_PLACE_ENDS = ["", "", "", "ia", "a", "burg", "ford", "stan", "port", "vale", "mouth", "ton", "field"]
_ORG_KINDS = _words(
    "Holdings Group Party Council Union Authority Institute Bank Front Alliance Federation Agency Corporation "
    "Commission Foundation League Movement Trust Industries Airways"
)
_OUTLET_KINDS = _words("Times Post Courier Herald Daily Wire News Gazette Observer Chronicle Tribune Star Record")

_TOPICS = _words(
    "budget tax tariff election vote ballot strike union wage pension bridge tunnel railway port airport flood "
    "drought wildfire storm earthquake landslide harvest wheat coffee mine copper oil gas pipeline refinery "
    "reactor grid blackout vaccine hospital clinic outbreak virus school university exam treaty border ceasefire "
    "troops convoy refugees camp aid embassy summit sanctions loan bond currency inflation bank merger shares "
    "factory plant layoffs contract court trial verdict appeal judge prison protest march riot police arrest "
    "fraud bribery scandal inquiry report audit satellite rocket launch telescope museum festival stadium "
    "tournament transfer coach league cup dam river reservoir forest coast fishery ferry shipwreck crash "
    "derailment highway housing rent mortgage election campaign coalition parliament cabinet referendum "
    "constitution minister governor mayor council budget deficit subsidy fuel electricity water sewage "
    "heatwave glacier volcano cyclone smuggling cartel hostage kidnapping cyberattack outage software chip"
)
_NOUNS = _words(  # plural, so that "{Q} {N}" and "the {N} are" read right
    "officials residents workers talks plans deals proposals decisions statements people members leaders "
    "critics supporters analysts investors families children services costs prices figures negotiations "
    "measures rules changes farmers drivers nurses teachers voters shareholders passengers students doctors"
)
_ADJECTIVES = _words(
    "new major local national regional international early late senior former key recent final initial "
    "serious fresh large small growing rising falling long short strong weak public private central"
)
_PAST = _words(
    "announced approved rejected delayed expanded raised blocked reviewed suspended confirmed criticised "
    "welcomed extended closed opened signed proposed postponed defended questioned restored reported"
)
_BASE = _words(
    "announce approve reject delay expand raise block review suspend confirm extend close open sign propose "
    "defend restore support oppose finish rebuild protect investigate"
)
_SAID = ["said", "told reporters", "added", "said", "said", "warned", "insisted", "noted"]
_DAYS = _words("Monday Tuesday Wednesday Thursday Friday Saturday Sunday")
_LINKS = _words("however also meanwhile still already again")

# Fields: P person, S surname, L place, O organisation, T story topic word, X story term, N common noun,
# A adjective, V past verb, B base verb, D weekday, Q quantity, R reporting verb, K linking adverb.
_SENTENCES = [
    "{P} {R} on {D} that the {T} in {L} had been {V}.",
    "The {O} {V} the {T} plan on {D}, {S} {R}.",
    "Officials in {L} {V} the {A} {T} after {Q} {N} were affected.",
    "{S} {R} the {X} would cost about {Q}, far more than the {O} had expected.",
    '"We will not {B} the {T} until the {N} are safe," {S} {R}.',
    '"This is a {A} day for {L}," {P} {R}, adding that the {X} was {K} under way.',
    "The {T} had {K} been {V} twice this year, according to the {O}.",
    "In {L}, {N} {V} the {A} {T} and called for a {A} {X}.",
    "{P}, who leads the {O}, {R} the {T} was {A} but {A}.",
    "More than {Q} {N} have been {V} since the {T} began in {L}.",
    "The {O} {R} it would {B} the {X} by {D}.",
    "It was not clear whether the {T} would {B} the {N} in {L}.",
    "{S} and the {O} {V} the {X} in a {A} statement on {D}.",
    "Critics {R} the {T} {V} {Q} {N} and left {L} without a {A} {X}.",
    "According to the {O}, the {T} {V} {Q} in the {A} quarter.",
    "{L} has {K} {V} a {A} {T}, and the {X} is expected to follow.",
    "The {A} {T} came as {P} prepared to {B} the {X}.",
    "Asked about the {T}, {S} {R}: \u201cThe {N} deserve a {A} answer.\u201d",
    "By {D} evening, {Q} {N} had gathered near the {T} site in {L}.",
    "The {X} was first {V} by the {O} in {L} last {D}.",
    "{P} {R} the {N} would {B} the {T}, though the {O} {V} the idea.",
    "A spokesman for the {O} declined to comment on the {X}.",
    "The {T}, the {A} of its kind in {L}, has {K} drawn {Q} {N}.",
    "{S} {R} the {T} could {B} {Q} jobs across {L}.",
]
_TITLES = [
    "{P} {V} {T} plan as {L} {N} wait",
    "{L} {T}: {O} {V} {X} after {A} talks",
    "{S} says {O} will {B} {T} in {L}",
    "{O} {V} {A} {T} deal, {S} confirms",
    "{Q} {N} affected as {L} {T} {V}",
    "{P} to {B} {X} amid {A} {T} row in {L}",
    "Why the {T} in {L} matters for the {O}",
    "{L} {N} {V} {T}, {P} says",
    "{A} {T} in {L} puts {S} under pressure over {X}",
]
_FIELD_RE = re.compile(r"\{(\w)\}")
_POOLS = {"N": _NOUNS, "A": _ADJECTIVES, "V": _PAST, "B": _BASE, "D": _DAYS, "R": _SAID, "K": _LINKS}


def _compile(template: str) -> tuple[tuple[str, str], ...]:
    # (literal, field) pairs: filling them is a loop of list look-ups, 3x faster than re.sub with a callback.
    pieces = _FIELD_RE.split(template)
    return tuple(zip(pieces[0::2], [*pieces[1::2], ""], strict=True))


_SENTENCE_PARTS = [_compile(t) for t in _SENTENCES]
_TITLE_PARTS = [_compile(t) for t in _TITLES]


@dataclasses.dataclass
class _Story:
    index: int
    people: list[str]
    places: list[str]
    orgs: list[str]
    topics: list[str]
    terms: list[str]
    slug: str
    start: float  # seconds into the window when the story breaks
    pools: dict[str, list[str]] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        surnames = [p.split()[-1] for p in self.people]
        mine = {"P": self.people, "S": surnames, "L": self.places, "O": self.orgs, "T": self.topics, "X": self.terms}
        self.pools = {**_POOLS, **mine}


def _pseudo(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(syllables)) + rng.choice(_CODAS)


def _name(rng: random.Random, low: int = 2, high: int = 3) -> str:
    return _pseudo(rng, rng.randint(low, high)).capitalize()


def _make_outlets(rng: random.Random) -> list[tuple[str, str]]:
    outlets: list[tuple[str, str]] = []
    while len(outlets) < OUTLETS:
        place = _name(rng)
        name = (
            f"The {place} {rng.choice(_OUTLET_KINDS)}" if rng.random() < 0.6 else f"{place} {rng.choice(_OUTLET_KINDS)}"
        )
        host = re.sub(r"[^a-z]+", "", name.lower().removeprefix("the ")) + ".example"
        if all(host != h for _n, h in outlets):
            outlets.append((name, host))
    return outlets


def story_sizes(n: int, seed: int = SEED) -> list[int]:
    """Heavy-tailed story sizes summing to n: about n/11 stories, each at most max(40, n/40) articles."""
    rng = random.Random(seed)
    k = max(1, round(n / ARTICLES_PER_STORY))
    cap = max(40, n // 40)
    weights = [rng.lognormvariate(0.0, SIZE_SIGMA) for _ in range(k)]
    for _ in range(4):  # clip so that no story's expected size passes the cap
        limit = (cap - 1) * sum(weights) / max(1, n - k)
        weights = [min(w, limit) for w in weights]
    sizes = [1] * k
    for i in rng.choices(range(k), weights=weights, k=n - k):
        sizes[i] += 1
    return sizes


def _make_story(rng: random.Random, index: int, earlier: list[_Story]) -> _Story:
    people = [f"{_name(rng)} {_name(rng, 2, 3)}" for _ in range(rng.randint(2, 4))]
    places = [_name(rng) + rng.choice(_PLACE_ENDS) for _ in range(rng.randint(1, 2))]
    orgs = [f"{_name(rng)} {rng.choice(_ORG_KINDS)}" for _ in range(rng.randint(1, 2))]
    topics = rng.sample(_TOPICS, rng.randint(4, 7))
    if earlier and rng.random() < SHARED_PLACE:
        sibling = rng.choice(earlier)
        places[0] = sibling.places[0]
        topics[:2] = sibling.topics[:2]
    terms = [_pseudo(rng, rng.randint(2, 3)) for _ in range(rng.randint(1, 3))]
    slug = f"{places[0].lower()}-{topics[0]}-{terms[0]}"
    return _Story(index, people, places, orgs, topics, terms, slug, rng.uniform(0, WINDOW_SECONDS * 0.9))


def _quantity(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.35:
        return str(rng.randint(2, 99))
    if r < 0.6:
        return f"{rng.randint(1, 99)},{rng.randint(0, 999):03d}"
    if r < 0.8:
        return f"{rng.randint(1, 90)}.{rng.randint(1, 9)} percent"
    return f"${rng.randint(2, 900)} million"


def _fill(parts: tuple[tuple[str, str], ...], story: _Story, rng: random.Random) -> str:
    out: list[str] = []
    rnd, pools = rng.random, story.pools
    for literal, field in parts:
        out.append(literal)
        if field == "Q":
            out.append(_quantity(rng))
        elif field:
            pool = pools[field]
            out.append(pool[int(rnd() * len(pool))])
    text = "".join(out)
    return text[0].upper() + text[1:]


def _article(rng: random.Random, story: _Story, outlet: tuple[str, str], serial: int) -> dict[str, str]:
    words = int(min(900, max(80, rng.lognormvariate(math.log(300), 0.55))))
    paragraphs: list[str] = []
    count = 0
    while count < words:
        sentences = [_fill(rng.choice(_SENTENCE_PARTS), story, rng) for _ in range(rng.randint(1, 4))]
        count += sum(s.count(" ") + 1 for s in sentences)
        paragraphs.append(" ".join(sentences))
    if rng.random() < 0.3:
        paragraphs[0] = f"{story.places[0].upper()} ({outlet[0]}) \u2014 {paragraphs[0]}"
    title = _fill(rng.choice(_TITLE_PARTS), story, rng)
    # Articles follow the story's start by a few hours, each story living inside the window.
    offset = min(WINDOW_SECONDS, story.start + rng.expovariate(1 / 7200))
    published = WINDOW_START + dt.timedelta(seconds=int(offset))
    return {
        "title": title,
        "text": "\n\n".join(paragraphs),
        "url": f"https://{outlet[1]}/2026/11/{published.day:02d}/{story.slug}-{serial}",
        "outlet": outlet[0],
        "published": published.isoformat(),
    }


def generate_day(n: int, seed: int = SEED) -> Iterator[tuple[int, dict[str, str]]]:
    """(story index, JSONL record) for each of a synthetic day's n articles, in a shuffled order; seeded."""
    rng = random.Random(seed)
    outlets = _make_outlets(rng)
    sizes = story_sizes(n, seed)
    stories: list[_Story] = []
    for i in range(len(sizes)):
        stories.append(_make_story(rng, i, stories))
    order = [i for i, size in enumerate(sizes) for _ in range(size)]
    rng.shuffle(order)
    for serial, i in enumerate(order):
        yield i, _article(rng, stories[i], rng.choice(outlets), serial)


def write_day(folder: Path, n: int, seed: int = SEED) -> tuple[int, int]:
    """Stream a synthetic day of n articles into folder as JSONL files; return (records, stories)."""
    shutil.rmtree(folder, ignore_errors=True)  # a --keep folder may hold a bigger day's files
    folder.mkdir(parents=True)
    records, stories = 0, set()
    fh = None
    try:
        for story, record in generate_day(n, seed):
            if records % RECORDS_PER_FILE == 0:
                if fh:
                    fh.close()
                fh = (folder / f"day-{records // RECORDS_PER_FILE:04d}.jsonl").open("w", encoding="utf-8")
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            records += 1
            stories.add(story)
    finally:
        if fh:
            fh.close()
    return records, len(stories)


# --- running a build ---------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Run:
    label: str
    expected: int  # articles given: records written, or DUC files
    made: int | None = None  # stories the input was made of: generated, or DUC's topic folders
    rc: int | None = None
    timed_out: bool = False
    wall: float = 0.0
    cpu: float = 0.0
    rss: int = 0  # bytes, the child's ru_maxrss
    tree_rss: int = 0  # bytes, the largest sampled sum over the build's process group
    read: int | None = None
    stories: int | None = None
    accounted: int | None = None
    stages: dict[str, float] = dataclasses.field(default_factory=dict)
    note: str = ""

    @property
    def ok(self) -> bool:
        return not self.timed_out and self.rc in (0, 1)


def _digest_command() -> list[str]:
    script = Path(sys.executable).parent / "digest"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "digest"]


def _child_env() -> dict[str, str]:
    # DIGEST_* would override the throwaway config (a real store, archive or config).
    return {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_") or k == "DIGEST_SHARED"}


def _accepts_jobs() -> bool:
    out = subprocess.run([*_digest_command(), "build", "--help"], capture_output=True, text=True, env=_child_env())
    return "--jobs" in out.stdout


def _group_rss(pgid: int) -> int:
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
            if int(fields[2]) == pgid:  # pgrp is the 5th field, the 3rd after the command's ')'
                total += int(fields[21]) * os.sysconf("SC_PAGE_SIZE")  # rss, in pages
        except (OSError, IndexError, ValueError):
            continue
    return total


def _kill(pid: int) -> tuple[int, resource.struct_rusage]:
    # SIGTERM to the build's whole group, SIGKILL after 5 s; reap it with wait4 for its rusage either way.
    os.killpg(pid, signal.SIGTERM)
    for _ in range(50):
        reaped, status, usage = os.wait4(pid, os.WNOHANG)
        if reaped:
            return status, usage
        time.sleep(0.1)
    os.killpg(pid, signal.SIGKILL)
    _reaped, status, usage = os.wait4(pid, 0)
    return status, usage


def parse_stages(log: str) -> dict[str, float]:
    """Seconds per stage from `stage <name>: <seconds> s (...)` log lines; a stage logged twice is summed."""
    stages: dict[str, float] = {}
    for line in log.splitlines():
        m = STAGE_RE.search(line)
        if m:
            stages[m.group(1)] = stages.get(m.group(1), 0.0) + float(m.group(2))
    return stages


def count_accounted(briefing: dict) -> tuple[int, int]:
    """(stories, articles) in briefing.json, an article's listed `duplicates` counted with it."""
    stories = briefing.get("stories") or []
    total = 0
    for story in stories:
        for article in story.get("articles") or []:
            total += 1 + len(article.get("duplicates") or [])
    return len(stories), total


def run_build(run: Run, inputs: Path, folder: Path, jobs: int | None, timeout: float) -> Run:
    """Run one whole `digest build` in folder and fill in run's measurements."""
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / "out"
    # A --keep folder used before must not lend this run its store or its briefing.json.
    shutil.rmtree(out, ignore_errors=True)
    for old in folder.glob("digest.db*"):
        old.unlink()
    config = folder / "digest.toml"
    store = f"sqlite:///{(folder / 'digest.db').resolve()}"
    config.write_text(f'[store]\nurl = {json.dumps(store)}\n\n[briefing]\ntimezone = "UTC"\ntime = "06:30"\n')
    cmd = [*_digest_command(), "--config", str(config), "-v", "build", "--input", str(inputs)]
    cmd += ["--date", DAY.isoformat(), "--out", str(out)]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    stdout_path, stderr_path = folder / "stdout.log", folder / "stderr.log"
    with stdout_path.open("wb") as so, stderr_path.open("wb") as se:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=so, stderr=se, env=_child_env(), start_new_session=True)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                run.timed_out = True
                status, usage = _kill(proc.pid)
                break
            run.tree_rss = max(run.tree_rss, _group_rss(proc.pid))
            time.sleep(0.5)
        run.wall = time.perf_counter() - start
    proc.returncode = run.rc = os.waitstatus_to_exitcode(status)
    run.cpu = usage.ru_utime + usage.ru_stime
    run.rss = usage.ru_maxrss * 1024  # KiB on Linux
    log = stderr_path.read_text(encoding="utf-8", errors="replace")
    said = stdout_path.read_text(encoding="utf-8", errors="replace") + log
    run.stages = parse_stages(log)
    if m := BUILT_RE.search(said):
        run.read = int(m.group(2))
    if run.timed_out:
        run.note = f"killed after {timeout:.0f} s"
    elif not run.ok:
        tail = [line for line in log.splitlines() if line.strip()][-1:]
        run.note = f"exit {run.rc}: {tail[0][:200] if tail else 'no message'}"
    briefing = out / DAY.isoformat() / "briefing.json"
    if briefing.is_file():
        run.stories, run.accounted = count_accounted(json.loads(briefing.read_text(encoding="utf-8")))
    return run


# --- the report --------------------------------------------------------------------------------------------------


def _fmt_s(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds:.2f}" if seconds < 100 else f"{seconds:.0f}"


def _fmt_mib(size: int) -> str:
    return f"{size / 2**20:.0f} MiB" if size else "n/a"


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))) for r in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _mark(value: float | None, limit: float) -> str:
    return "not run" if value is None else "PASS" if value <= limit else "FAIL"


def report(runs: list[Run], sizes: list[int], synthetic: dict[int, Run], duc: Run | None) -> str:
    """The results as text: the main table, stages beside the total, growth per 10x, targets."""
    head = ["day", "given", "read", "stories", "gold", "accounted", "wall s", "cpu s", "peak RSS", "note"]
    rows = [head]
    for r in runs:
        accounted = "n/a" if r.accounted is None else f"{r.accounted}/{r.expected}"
        made = "" if r.made is None else str(r.made)
        stories = "n/a" if r.stories is None else str(r.stories)
        measured = [_fmt_s(r.wall), _fmt_s(r.cpu), _fmt_mib(r.rss), r.note]
        rows.append([r.label, str(r.expected), str(r.read or "n/a"), stories, made, accounted, *measured])
    parts = [_table(rows)]
    bigger = [r for r in runs if r.tree_rss > 1.1 * r.rss]
    for r in bigger:
        parts.append(f"{r.label}: the build's processes together peaked at {_fmt_mib(r.tree_rss)} (sampled)")

    names: list[str] = []
    for r in runs:
        names += [n for n in r.stages if n not in names]
    if names:
        rows = [["stage", *(r.label for r in runs)]]
        for name in names:
            rows.append([name, *(_fmt_s(r.stages.get(name)) for r in runs)])
        rows.append(["(sum of stages)", *(_fmt_s(sum(r.stages.values())) if r.stages else "n/a" for r in runs)])
        rows.append(["total (wall)", *(_fmt_s(r.wall) for r in runs)])
        parts.append("seconds per stage, beside the whole build\n" + _table(rows))
    else:
        parts.append("seconds per stage: n/a (the builds logged no `stage <name>: <seconds> s` lines)")

    growth = []
    done = [n for n in sizes if n in synthetic and synthetic[n].ok]
    for a, b in itertools.pairwise(done):
        ra, rb = synthetic[a], synthetic[b]
        per = math.log10(b / a)
        t, m = rb.wall / ra.wall, rb.rss / ra.rss if ra.rss else float("nan")
        scaled = f" ({t ** (1 / per):.1f}x time, {m ** (1 / per):.1f}x RSS per 10x)" if abs(per - 1) > 1e-9 else ""
        growth.append(f"  {a:,} -> {b:,}: time {t:.1f}x, RSS {m:.1f}x{scaled}")
    parts.append("growth\n" + ("\n".join(growth) if growth else "  n/a (fewer than two synthetic sizes ran)"))

    def wall(run: Run | None) -> float | None:
        return run.wall if run and run.ok else None

    r10, r100 = synthetic.get(10_000), synthetic.get(100_000)
    ratio = r100.wall / r10.wall if r10 and r100 and r10.ok and r100.ok else None
    rss100 = r100.rss if r100 and r100.ok else None
    targets = [
        ("DUC 2004 day (500 articles) wall", f"<= {TARGETS['duc_s']:.0f} s", [duc], wall(duc), TARGETS["duc_s"], "s"),
        ("10k-article day wall", f"<= {TARGETS['10k_s']:.0f} s", [r10], wall(r10), TARGETS["10k_s"], "s"),
        ("100k-article day wall", f"<= {TARGETS['100k_s']:.0f} s", [r100], wall(r100), TARGETS["100k_s"], "s"),
        ("100k-article day peak RSS", "<= 2 GiB", [r100], rss100, TARGETS["100k_rss"], "b"),
        ("10k -> 100k time ratio", f"<= {TARGETS['10x_ratio']:.0f}x", [r10, r100], ratio, TARGETS["10x_ratio"], "x"),
    ]
    rows = [["target", "limit", "measured", ""]]
    for what, limit_text, involved, value, limit, unit in targets:
        shown = "n/a" if value is None else _fmt_mib(int(value)) if unit == "b" else f"{value:.1f} {unit}"
        failed = [r for r in involved if r and not r.ok]
        verdict = f"FAIL ({failed[0].note})" if failed else _mark(value, limit)
        rows.append([what, limit_text, shown, verdict])
    for r in runs:
        if r.accounted is not None:
            verdict = "PASS" if r.accounted == r.expected else "FAIL"
            rows.append([f"{r.label}: every article in briefing.json", f"{r.expected}", str(r.accounted), verdict])
    parts.append("targets\n" + _table(rows))
    return "\n\n".join(parts)


def _shared_duc() -> Path | None:
    root = os.environ.get("DIGEST_SHARED") or str(Path(__file__).resolve().parent.parent.parent / "shared")
    docs = Path(root) / "eval" / "duc2004" / "docs"
    return docs if docs.is_dir() else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="synthetic day sizes, comma-separated")
    parser.add_argument("--no-duc", action="store_true", help="skip the DUC 2004 row")
    parser.add_argument("--jobs", type=int, help="pass --jobs N to digest build, if it accepts it")
    parser.add_argument("--keep", type=Path, help="keep the generated inputs, stores and outputs in this folder")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds before a build is killed")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})

    jobs = args.jobs
    if jobs and not _accepts_jobs():
        print(f"--jobs {jobs} ignored: this digest build has no --jobs option")
        jobs = None
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench_day-"))
    print(f"digest: {' '.join(_digest_command())}; folder {work}; cpus {os.cpu_count()}")
    runs: list[Run] = []
    synthetic: dict[int, Run] = {}
    duc: Run | None = None
    try:
        for n in sizes:
            folder = work / f"day-{n}"
            folder.mkdir(parents=True, exist_ok=True)
            start = time.perf_counter()
            records, made = write_day(folder / "day", n, args.seed)
            print(f"{n:,} articles generated in {time.perf_counter() - start:.1f} s ({made} stories)", flush=True)
            run = run_build(Run(f"{n:,}", records, made), folder / "day", folder, jobs, args.timeout)
            print(f"{run.label}: {run.wall:.1f} s wall, {_fmt_mib(run.rss)} {run.note}", flush=True)
            runs.append(run)
            synthetic[n] = run
        docs = _shared_duc()
        if args.no_duc:
            print("DUC 2004 row skipped (--no-duc)")
        elif docs is None:
            print("DUC 2004 row skipped: no eval/duc2004/docs under $DIGEST_SHARED or ../shared")
        else:
            files = sum(1 for p in docs.rglob("*") if p.is_file() and not p.name.startswith("."))
            topics = sum(1 for p in docs.iterdir() if p.is_dir())
            duc = run_build(Run("DUC 2004", files, topics or None), docs, work / "duc2004", jobs, args.timeout)
            print(f"{duc.label}: {duc.wall:.1f} s wall, {_fmt_mib(duc.rss)} {duc.note}", flush=True)
            runs.append(duc)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nload average at the end: {load} (2 shared cores: compare runs made under like load)\n")
    print(report(runs, sizes, synthetic, duc))
    return 0 if all(r.ok for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
