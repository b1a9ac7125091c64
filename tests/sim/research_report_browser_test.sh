#!/usr/bin/env bash
# The research report (sim/research/report_html.hpp) in headless Chromium: index.html of a
# report on hand-made runs renders (a screenshot is taken, Chromium exits 0 and logs no page
# error), and its rendered DOM holds the seven charts with one series per policy. Every SVG file
# is also parsed by an XML parser. Skips (exit 77) only when Chromium is absent outside CI.
# Usage: research_report_browser_test.sh RESEARCH_REPORT_SAMPLE
set -euo pipefail
sample=$1
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  if [ "${CI:-}" = true ]; then
    echo "FAIL: chromium is not installed (.ci/install-deps installs it)"
    exit 1
  fi
  echo "SKIP: chromium is not installed (apt-get install chromium)"
  exit 77
fi
work=$(mktemp -d /tmp/craton-report-browser.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$sample" "$work/report"
python3 - "$work/report" <<'PY' || fail "an SVG file is not well-formed XML"
import pathlib, sys, xml.etree.ElementTree as ET
for svg in sorted(pathlib.Path(sys.argv[1], "charts").glob("*.svg")):
    ET.parse(svg)
PY

# Chromium wants a writable home and profile; it runs as root here, hence --no-sandbox.
run_browser() {
  HOME="$work" timeout 120 "$browser" --headless --no-sandbox --disable-gpu --no-first-run \
    --user-data-dir="$work/profile" --enable-logging=stderr --v=0 "$@"
}
run_browser --dump-dom "file://$work/report/index.html" >"$work/dom.html" 2>"$work/dom.err" ||
  fail "chromium --dump-dom failed: $(tail -5 "$work/dom.err")"
run_browser --screenshot="$work/page.png" --window-size=1280,4000 \
  "file://$work/report/index.html" >/dev/null 2>"$work/shot.err" ||
  fail "chromium --screenshot failed: $(tail -5 "$work/shot.err")"
[ -s "$work/page.png" ] || fail "no screenshot was written"
if grep -E "CONSOLE|Uncaught|Failed to load|net::ERR" "$work/dom.err" "$work/shot.err"; then
  fail "the page logged errors"
fi

# The rendered DOM: seven inline SVG charts, each with a series group for both policies.
svgs=$(grep -o "<svg " "$work/dom.html" | wc -l)
[ "$svgs" -eq 7 ] || fail "rendered DOM has $svgs svg elements, want 7"
for policy in fgd best-fit; do
  n=$(grep -o "<g class=\"series\" data-series=\"$policy\">" "$work/dom.html" | wc -l)
  [ "$n" -eq 7 ] || fail "rendered DOM has $n series groups of $policy, want 7"
done
grep -q "<polyline" "$work/dom.html" || fail "no polyline in the rendered DOM"
grep -q "<table class=\"summary\">" "$work/dom.html" || fail "no summary table"
grep -q "sha256:00ff" "$work/dom.html" || fail "no reproducibility record"
[ -n "${KEEP_SCREENSHOT:-}" ] && cp "$work/page.png" "$KEEP_SCREENSHOT"
echo "research report renders in chromium: 7 charts, 2 policies each"
