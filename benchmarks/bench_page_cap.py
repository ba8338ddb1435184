"""Time and peak memory of parse_html_page on pages just under the 5 MB limit (issue 12).

    .venv/bin/python benchmarks/bench_page_cap.py

Each shape runs in a fresh process (peak RSS is per process). The pages are made here: a body of
links (the shape that took 99 s and 384 MB before trafilatura's input was capped), of plain
paragraphs, and of <br>-separated lines.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time

SENTENCE = "The council of Marlow Bridge met on Sunday to plan repairs to the river wall, officials said. "
SIZE = 4_700_000


def make_page(shape: str) -> str:
    """An HTML page of about SIZE characters in the given shape."""
    if shape == "links":
        body = ('<a href="/x">' + SENTENCE[:40] + "</a> ") * (SIZE // 60)
    elif shape == "paragraphs":
        body = ("<div>" + SENTENCE + "</div>") * (SIZE // (len(SENTENCE) + 11))
    else:
        body = (SENTENCE + "<br>\n") * (SIZE // (len(SENTENCE) + 5))
    return f"<html><head><title>Big page</title></head><body>{body}</body></html>"


def _one(shape: str) -> None:
    from digest.ingest.page import parse_html_page

    html = make_page(shape)
    start = time.perf_counter()
    result = parse_html_page(html, f"{shape}.html")
    took = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"{shape:<11} {len(html) / 1e6:.1f} MB  {took:5.1f} s  peak {peak} MB  -> {type(result).__name__}")


def main() -> None:
    """Run every shape in its own process."""
    if len(sys.argv) > 1:
        _one(sys.argv[1])
        return
    for shape in ("links", "paragraphs", "lines"):
        subprocess.run([sys.executable, __file__, shape], check=True)


if __name__ == "__main__":
    main()
