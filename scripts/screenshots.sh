#!/bin/sh
# Render the sample day and photograph it as a reader sees it: docs/briefing-{web,email,pdf}.png.
# Needs Debian's chromium and poppler-utils (apt-get install -y chromium poppler-utils).
# Usage: scripts/screenshots.sh [OUT_DIR]   (run from the repository root, venv in .venv)
set -eu
out=${1:-docs}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
.venv/bin/digest --config /dev/null demo --out "$work/site" >/dev/null 2>&1 || .venv/bin/digest demo --out "$work/site" >/dev/null
day=$(ls "$work/site" | grep -E '^[0-9]{4}-' | head -1)
shot() {  # shot URL PNG WIDTH HEIGHT [extra chromium flags]
  url=$1; png=$2; w=$3; h=$4; shift 4
  chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
    --disable-sync --no-first-run --user-data-dir="$work/profile" --hide-scrollbars "$@" \
    --screenshot="$png" --window-size="$w,$h" "$url" >/dev/null 2>&1
}
mkdir -p "$out"
shot "file://$work/site/$day/briefing.html" "$out/briefing-web.png" 820 1300
shot "file://$work/site/$day/briefing.html" "$out/briefing-phone-dark.png" 390 844 --force-dark-mode \
  --blink-settings=preferredColorScheme=0
shot "file://$work/site/$day/email.html" "$out/briefing-email.png" 700 1300
pdftoppm -r 70 -png -f 1 -l 1 -singlefile "$work/site/$day/briefing.pdf" "$out/briefing-pdf"
# A developing story ("Previously" and its timeline): the three-day fixture built into one store.
for d in 2026-11-22 2026-11-23 2026-11-24; do
  DIGEST_STORE_URL="sqlite:///$work/three.db" .venv/bin/digest --config /dev/null -q build \
    --input tests/fixtures/three_days/$d.jsonl --date $d --out "$work/three" >/dev/null
done
shot "file://$work/three/2026-11-24/briefing.html" "$out/developing-web.png" 820 1100
shot "file://$work/three/2026-11-24/email.html" "$out/developing-email.png" 700 1100
pdftoppm -r 70 -png -f 1 -l 1 -singlefile "$work/three/2026-11-24/briefing.pdf" "$out/developing-pdf"
ls -l "$out"/briefing-*.png "$out"/developing-*.png
