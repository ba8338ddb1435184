"""Rendering time and PDF size for a 100-story day, against WeasyPrint's defaults on the same HTML.

Run: .venv/bin/python benchmarks/bench_render.py [--stories 100] [--repeat 3]

Prints, for the synthetic day (digest.samples.synthetic): the time of render_pdf (tagged PDF,
the configured variant, fixed metadata) and of HTML(string=same html).write_pdf() with default
options, the two PDF sizes and their ratios, the PDF/A-3b variant, and the email's HTML size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from weasyprint import HTML

from digest.config import Settings
from digest.outputs.render import (
    EMAIL_MAX_BYTES,
    _context,
    _render,
    make_environment,
    render_email,
    render_html,
    render_pdf,
    render_text,
)
from digest.samples.synthetic import synthetic_briefing


def _best(fn, repeat: int) -> tuple[float, object]:
    # CPU time of this process: the machine is shared, and wall time swings 2-3x with its load.
    times, result = [], None
    for _ in range(repeat):
        start = time.process_time()
        result = fn()
        times.append(time.process_time() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    day = synthetic_briefing(dt.date(2026, 11, 24), stories=args.stories, singles=args.stories // 10)
    settings = Settings()
    html = _render(make_environment(), "pdf.html", **_context(day, settings))
    HTML(string="<p>warm up fonts</p>").write_pdf()

    t_ref, ref = _best(lambda: HTML(string=html).write_pdf(), args.repeat)
    t_ours, ours = _best(lambda: render_pdf(day, settings), args.repeat)
    t_a, pdfa = _best(lambda: render_pdf(day, settings, variant="pdf/a-3b"), 1)
    t_html, _ = _best(lambda: render_html(day, settings), args.repeat)
    t_mail, mail = _best(lambda: render_email(day, settings, web_url="https://news.example/d/"), args.repeat)
    t_text, _ = _best(lambda: render_text(day, settings), args.repeat)
    mail_bytes = len(str(mail).encode())

    print(f"day: {len(day.stories)} stories, {day.article_count} articles; CPU seconds, best of {args.repeat}")
    print(f"weasyprint default write_pdf : {t_ref:7.2f} s  {len(ref) / 1024:8.1f} KB")  # type: ignore[arg-type]
    print(f"digest render_pdf (tagged)   : {t_ours:7.2f} s  {len(ours) / 1024:8.1f} KB")  # type: ignore[arg-type]
    print(f"digest render_pdf pdf/a-3b   : {t_a:7.2f} s  {len(pdfa) / 1024:8.1f} KB")  # type: ignore[arg-type]
    print(f"ratio time ours/default      : {t_ours / t_ref:7.2f}")
    print(f"ratio size ours/default      : {len(ours) / len(ref):7.2f}")  # type: ignore[arg-type]
    print(
        f"web page {t_html * 1000:6.1f} ms | email {t_mail * 1000:6.1f} ms, {mail_bytes / 1024:.1f} KB "
        f"(limit {EMAIL_MAX_BYTES / 1024:.1f} KB) | text {t_text * 1000:6.1f} ms"
    )


if __name__ == "__main__":
    main()
