"""Write the hostile input corpus of tests/hostile/ (run from anywhere; the files are committed).

Every file is written for this project: a small flood story (three good articles, so the day has
a story to mail) and, beside it, one file per hostile or unlucky input that once crashed or
stalled a run (issue 12). README.md in this folder lists what each file holds and the skip or
clean-up expected of it. A non-UTF-8 file name cannot live in git portably: tests create it.
"""

from __future__ import annotations

import codecs
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
DAY_TIME = "2026-11-29T{:02d}:00:00+00:00"  # inside 2026-11-30's window at 06:30 UTC

FLOOD = [
    (
        "River Aller floods the old town of Marlow Bridge",
        "The River Aller burst its banks at Marlow Bridge on Sunday evening and flooded the old town. "
        "Emergency crews moved two hundred residents from the riverside streets to the school hall. "
        "The mayor said the flood barrier on the east bank failed after three days of heavy rain.",
    ),
    (
        "Marlow Bridge residents leave homes as the Aller rises",
        "Two hundred residents of Marlow Bridge left their homes as the River Aller flooded the old "
        "town on Sunday. Emergency crews opened the school hall for families from the riverside streets. "
        "Engineers will inspect the flood barrier on the east bank, which failed after heavy rain.",
    ),
    (
        "Flood barrier failure blamed for Marlow Bridge flooding",
        "The flood barrier on the east bank of the River Aller failed after three days of heavy rain, "
        "the mayor of Marlow Bridge said. The old town flooded on Sunday evening and emergency crews "
        "moved residents of the riverside streets to the school hall overnight.",
    ),
]
PROSE = (
    "The council of Marlow Bridge met on Sunday to plan repairs to the river wall, the road bridge "
    "and the footpaths along the water meadows, and agreed to publish its costs next week."
)


def _json(name: str, data: object) -> None:
    (HERE / name).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def _raw(name: str, data: bytes) -> None:
    (HERE / name).write_bytes(data)


def main() -> None:
    """Write every file of the corpus."""
    for n, (title, text) in enumerate(FLOOD, 1):
        _json(
            f"good_{n}.json",
            {
                "title": title,
                "text": text,
                "url": f"https://news.example/flood/{n}",
                "outlet": f"Example News {n}",
                "published": DAY_TIME.format(10 + n),
            },
        )
    # Case 2: lone surrogates in JSON strings (escaped, as JSON allows) -- title, text and URL.
    _raw(
        "surrogate.json",
        (
            '{"title": "Council meets \\ud83d on repairs", "text": "' + PROSE + ' \\udc00 End.", '
            '"url": "https://news.example/council/\\ud83d", "published": "' + DAY_TIME.format(9) + '"}\n'
        ).encode("ascii"),
    )
    # Case 3: a date far out of range, ISO and RFC 822 (the article stays, undated).
    _json(
        "overflow_date.json",
        {"title": "Footpath repairs planned", "text": PROSE, "published": "9999-12-31T23:59:59-14:00"},
    )
    _raw(
        "overflow_date.rss",
        (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Far Future Times</title>'
            "<item><title>Meadow path reopens</title><link>https://future.example/path</link>"
            "<pubDate>Fri, 31 Dec 9999 23:59:59 -1400</pubDate>"
            f"<description>{PROSE} The meadow path reopens in spring.</description></item>"
            "</channel></rss>\n"
        ).encode(),
    )
    _raw(
        "surrogate_feed.json",
        (
            '{"version": "https://jsonfeed.org/version/1.1", "title": "Feed \\ud800 Weekly", "items": ['
            '{"id": "1", "url": "https://weekly.example/a\\udfff", "title": "Bridge \\ud83d toll", '
            '"content_text": "' + PROSE + '", "date_published": "Fri, 31 Dec 9999 23:59:59 -1400"},'
            '"not an object",'
            '{"id": "3", "url": "https://weekly.example/c", "title": "Road bridge closed", '
            '"content_text": "'
            + PROSE
            + ' The road bridge is closed.", "date_published": "'
            + DAY_TIME.format(8)
            + '"}'
            "]}\n"
        ).encode("ascii"),
    )
    # Case 6: one bad JSONL line must skip that line only.
    deep = "[" * 100_000 + "]" * 100_000
    lines = [
        json.dumps(
            {
                "title": "Volunteers fill sandbags",
                "text": PROSE + " Volunteers filled sandbags.",
                "published": DAY_TIME.format(7),
            }
        ),
        deep,
        '{"title": "Broken link", "text": "' + PROSE + '", "url": "https://news.example/\\ud83d"}',
        "this line is not JSON at all",
        "[1, 2, 3]",
        json.dumps(
            {
                "title": "Water meadows drain",
                "text": PROSE + " The meadows drained by Monday.",
                "published": DAY_TIME.format(6),
            }
        ),
    ]
    _raw("mixed.jsonl", ("\n".join(lines) + "\n").encode("ascii"))
    _raw("deep.json", (deep + "\n").encode("ascii"))
    # Control and bidi characters in a record that joins the day's briefing.
    _json(
        "controls.json",
        {
            "title": "Sandbag \x1b[31mstations\x07 open \u202eevil\u202c",
            "text": "Sandbag stations \x1b]0;owned\x07 opened in Marlow Bridge\x00 on Sunday as the River Aller rose, "
            "and the council \u2066asked\u2069 residents of the riverside streets to collect them. "
            "\u202eReversed text must not reach the briefing.\u202c The old town flooded overnight.",
            "url": "https://news.example/sandbags",
            "outlet": "Control\x1b Times",
            "published": DAY_TIME.format(14),
        },
    )
    _raw(
        "controls.txt",
        (
            "Raw \x1b[2J controls\n\nThe footbridge\x07 at the water meadows\x00 closed on Sunday "
            "after the River Aller \u202erose\u202c over its deck, the council said.\n"
        ).encode("utf-8"),
    )
    # Encodings: UTF-16 with and without a BOM, Windows-1252, UTF-8 with a stray byte.
    text = (
        "Caf\u00e9 owners count the cost\n\nThe caf\u00e9s of Marlow Bridge \u2014 \u201cruined\u201d, "
        "one owner said \u2014 will reopen after the flood.\n"
    )
    _raw("utf16_bom.txt", codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    _raw("utf16be_nobom.txt", text.replace("Caf\u00e9 owners", "Shop owners").encode("utf-16-be"))
    _raw("cp1252.txt", text.replace("Caf\u00e9 owners", "Bakers").encode("cp1252"))
    _raw("bad_utf8.txt", text.replace("Caf\u00e9 owners", "Grocers").encode("utf-8").replace(b"reopen", b"re\xffopen"))
    # Feeds that are not feeds, or are attacks on the XML parser.
    _raw(
        "billion_laughs.xml",
        (
            '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
            + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
            + ']><rss version="2.0"><channel><title>&i;</title><item><title>&i;</title>'
            "<description>&i;</description></item></channel></rss>\n"
        ).encode("ascii"),
    )
    _raw("not_a_feed.rss", b"\x00\x01\x02 this is not XML at all <<<>>>\n")
    _raw("truncated.json", b'{"title": "Cut off", "text": "The file ends in the mid')
    _raw("empty.json", b"")
    _raw(
        "page.html",
        (
            "<html><head><title>Index</title></head><body>"
            + "<div>" * 5000
            + "menu"
            + "</div>" * 5000
            + "</body></html>\n"
        ).encode("ascii"),
    )
    # A page dump whose related article is dated absurdly far back.
    _raw(
        "dump.txt",
        (
            "Marlow Bridge counts the cost of the flood\n"
            f"{PROSE}\nThe council will meet again on Friday to agree the repair budget for the old town.\n"
            "Short link :\nPost Views: 12\nRelated Articles\n"
            "Example Gazette\n99999999999 years ago\n- Example Gazette\n"
            "Ancient flood records found\nArchivists in Marlow Bridge found records of a flood on the River Aller "
            "in a parish book, with the names of the families who lost their homes.\n"
        ).encode(),
    )


if __name__ == "__main__":
    main()
