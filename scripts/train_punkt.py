#!/usr/bin/env python3
"""Train the Punkt sentence-splitter parameters that digest ships.

Usage: scripts/train_punkt.py OUT.json [TEXT_DIR ...]

Starts from a hand-written list of English abbreviations (titles, months, states, corporate
suffixes) and adds what NLTK's unsupervised Punkt trainer learns from the .txt/.json files
under the given folders (by default the package's own sample articles). The result is a small
JSON file read by digest.text; NLTK's downloadable punkt data is never needed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from nltk.tokenize.punkt import PunktTrainer

# Written for digest: abbreviations that end with a period but rarely end a sentence in news copy.
ABBREVIATIONS = """
mr mrs ms dr prof rev gen lt col sgt capt cmdr adm maj gov sen rep pres supt insp det amb
st jr sr esq inc corp co ltd llc plc bros dept univ assn natl intl ave blvd rd mt ft
jan feb mar apr jun jul aug sep sept oct nov dec
ala ariz ark calif colo conn del fla ga ill ind kan ky la md mass mich minn miss mo mont neb
nev okla ore pa tenn tex vt va wash wis wyo
u.s u.n u.k e.u u.s.a d.c n.y n.j n.h n.c n.d n.m s.c s.d r.i l.a
a.m p.m no nos vs etc e.g i.e approx est fig vol pp
""".split()


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[0])
    folders = [Path(p) for p in argv[1:]] or [Path(__file__).resolve().parent.parent / "digest" / "samples"]
    trainer = PunktTrainer()
    trainer.INCLUDE_ALL_COLLOCS = True
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.suffix in {".txt", ".jsonl", ".json", ".rss"} and path.is_file():
                trainer.train(path.read_text("utf-8", errors="replace"), finalize=False)
    trainer.finalize_training()
    params = trainer.get_params()
    params.abbrev_types |= set(ABBREVIATIONS)
    data = {
        "abbrev_types": sorted(params.abbrev_types),
        "collocations": sorted([list(c) for c in params.collocations]),
        "sent_starters": sorted(params.sent_starters),
        "ortho_context": dict(sorted(params.ortho_context.items())),
    }
    out.write_text(json.dumps(data, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{out}: {len(data['abbrev_types'])} abbreviations, {len(data['ortho_context'])} words")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
