#!/bin/sh
# The system libraries digest needs beyond Python 3.11+: Pango (WeasyPrint's text layout, for the
# PDF), HarfBuzz-Subset (its font subsetting), DejaVu fonts (embedded in the PDF) and Python's
# venv module (Debian ships it apart).
# Installs what is missing with apt-get (as root, or through sudo); does nothing when all is there.
# The README's demo and test commands call it first; so does CI (.ci/run).
#
#   scripts/setup-system.sh          install what is missing
#   scripts/setup-system.sh --check  only say what is missing (exit 1 when something is)
set -eu

missing=""

has_lib() {
    # ldconfig lists the shared libraries the dynamic loader finds (any distribution).
    /sbin/ldconfig -p 2>/dev/null | grep -q "$1" || ldconfig -p 2>/dev/null | grep -q "$1"
}

has_lib 'libpango-1.0.so.0' || missing="$missing libpango-1.0-0"
has_lib 'libpangoft2-1.0.so.0' || missing="$missing libpangoft2-1.0-0"
# Font subsetting: without it WeasyPrint falls back to fontTools (a deprecation notice, and PDF/A
# bytes that change with the hash seed); WeasyPrint says future versions will require it.
# Best effort: a system whose apt has no such package still gets the rest.
optional=""
has_lib 'libharfbuzz-subset.so.0' || optional="libharfbuzz-subset0"
if ! fc-list 2>/dev/null | grep -q 'DejaVuSans' && [ ! -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
    missing="$missing fonts-dejavu-core"
fi
if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    missing="$missing python3-venv"
fi

if [ -z "$missing$optional" ]; then
    exit 0
fi
if [ "${1:-}" = "--check" ]; then
    echo "setup-system: missing:$missing${optional:+ (optional: $optional)}" >&2
    [ -z "$missing" ]
    exit
fi
if [ -z "$missing" ] && { ! command -v apt-get >/dev/null 2>&1 || { [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; }; }; then
    echo "setup-system: optional $optional is not installed; WeasyPrint will subset fonts with fontTools" >&2
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup-system: missing:$missing; install Pango, pangoft2, harfbuzz-subset, DejaVu fonts and Python's venv with your package manager" >&2
    exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
    as_root=""
elif command -v sudo >/dev/null 2>&1; then
    as_root="sudo"
else
    echo "setup-system: missing:$missing; run as root: apt-get install$missing" >&2
    exit 1
fi
echo "setup-system: installing$missing $optional" >&2
export DEBIAN_FRONTEND=noninteractive
$as_root apt-get update -qq >/dev/null
if [ -n "$missing" ]; then
    # shellcheck disable=SC2086  # the package list is meant to split
    $as_root apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
if [ -n "$optional" ] && ! $as_root apt-get install -y -qq --no-install-recommends "$optional" >/dev/null 2>&1; then
    echo "setup-system: $optional is not available here; WeasyPrint will subset fonts with fontTools" >&2
fi
