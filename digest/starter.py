"""The commented starter digest.toml that `digest init` writes (every setting optional, defaults shown)."""

__all__ = ["STARTER_CONFIG"]

STARTER_CONFIG = """\
# digest.toml: the config of digest, a daily news briefing (README, "Configuration").
# Every setting is optional; a commented line shows the built-in default or an example.
# digest reads this file from the current folder (or --config FILE, or $DIGEST_CONFIG).

[briefing]
# title = "Morning briefing"
# timezone = "UTC"            # IANA zone of the day and its cut-off, e.g. "Europe/London"
# time = "06:30"              # the day's cut-off, and when `digest schedule` runs
# summary_words = 100         # word budget of each story's summary
# max_stories = 30            # stories in full; the rest are listed by headline
# templates = "my-templates/" # your own templates, overriding the built-in ones by name
# accent = "#1f4e79"          # colour of headings and links

# What to read: one [[sources]] table per feed, page, OPML list or folder.
# [[sources]]
# url = "https://example.org/world.rss"
# fetch_full = false          # true: fetch the linked page of teaser-only items
# [[sources]]
# path = "inbox/"             # a folder of .txt/.html/.json/.jsonl/.xml files, or an .opml list

# [store]
# url = "sqlite:///output/digest.db"

# [output]
# dir = "output"

# Mail (`digest send`, `digest run`): nothing is mailed without `to`.
# [email]
# from = "briefing@example.org"
# to = ["you@example.org"]
# attach_pdf = true

# [smtp]
# host = "smtp.example.org"
# port = 587
# starttls = true             # false only for a server on this machine or a trusted network
# username = "briefing"       # the password only from the environment: DIGEST_SMTP_PASSWORD
"""
