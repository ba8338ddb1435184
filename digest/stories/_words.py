"""Word lists that clustering and labels share: news boilerplate, demonyms, honorifics, abbreviations,
name connectors, role and generic words, company suffixes.
"""

from __future__ import annotations

# ================================================================ stop words for clustering
# News boilerplate frequent in every story; sumy's stop list lacks these. Weekdays and months are dropped because a
# day's articles all share them.
_NEWS_STOP = frozenset(
    [
        "told",
        "tell",
        "telling",
        "reporter",
        "reporters",
        "report",
        "reported",
        "reports",
        "according",
        "statement",
        "statements",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "today",
        "yesterday",
        "tomorrow",
        "tonight",
        "week",
        "weeks",
        "weekend",
        "month",
        "months",
        "year",
        "years",
        "day",
        "days",
        "time",
        "times",
        "ago",
        "earlier",
        "later",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mr",
        "mrs",
        "ms",
        "dr",
        "ap",
        "afp",
        "reuters",
        "upi",
        "nyt",
        "news",
        "agency",
        "press",
        "associated",
        "percent",
    ]
)
# Demonym folding, (strip, add): "russian" -> "russia", "israeli" -> "israel", "ukrainian" -> "ukraine",
# "chinese" -> "china", "turkish" -> "turkey"; applied only when the target is itself capitalised in the day.
_DEMONYM_RULES = (
    ("n", ""),
    ("i", ""),
    ("ian", "e"),
    ("ian", ""),
    ("ian", "ia"),
    ("ese", "a"),
    ("ese", ""),
    ("ish", "ey"),
    ("ish", ""),
    ("an", "o"),
    ("s", ""),
)
# Honorifics and ranks: abbreviations that never end a sentence ("Sen. Lott") and role words that
# are trimmed from the front of a name ("Gen. Pinochet" -> "Pinochet").
_HONORIFICS = frozenset(["mr", "mrs", "ms", "dr", "sen", "rep", "gov", "gen", "col", "lt", "sgt", "capt"])
# Abbreviations after which a full stop does not end the sentence ("St. Petersburg", "Sen. Lott").
_ABBREV = _HONORIFICS | frozenset(["st", "jr", "sr", "vs", "mt", "ft", "corp", "inc", "co", "ltd", "no"])
_ENTITY_CONNECT = frozenset({"of", "de", "al", "la", "van", "von", "bin", "el", "du", "da"})


# ================================================================ words in names (labels)
# Role words are trimmed from the front of names ("President Bill Clinton" -> "Bill Clinton"); generic words may
# end a name ("White House") but never make one alone; company suffixes are trimmed from the end.
_ROLE = _HONORIFICS | frozenset(
    [
        "president",
        "prime",
        "minister",
        "secretary",
        "spokesman",
        "spokeswoman",
        "official",
        "chairman",
        "leader",
        "premier",
        "deputy",
        "vice",
        "speaker",
        "ambassador",
        "judge",
        "mayor",
        "king",
        "queen",
        "prince",
        "pope",
        "former",
        "chief",
        "foreign",
        "interior",
        "defense",
        "finance",
        "state",
        "general",
    ]
)
_GENERIC = _ROLE | frozenset(
    [
        "government",
        "party",
        "house",
        "senate",
        "congress",
        "states",
        "city",
        "country",
        "united",
        "national",
        "international",
        "new",
        "people",
        "world",
        "north",
        "south",
        "east",
        "west",
        "central",
        "police",
        "army",
        "court",
        "group",
        "council",
        "committee",
        "ministry",
        "officials",
        "official",
    ]
)
_SUFFIX = frozenset(["corp", "inc", "co", "ltd", "plc"])
