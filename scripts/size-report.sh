#!/usr/bin/env bash
# Prints every file of a built dist/ with its raw, gzip -9 and brotli (q11) sizes and the
# totals; fails when the total brotli size exceeds BUDGET_BROTLI_BYTES (if set).
# Usage: scripts/size-report.sh [DIST_DIR]   (env BUDGET_BROTLI_BYTES=N)
set -euo pipefail
dist=${1:-dist}
[ -d "$dist" ] || { echo "size: $dist/ does not exist; run 'make build' first" >&2; exit 1; }
command -v brotli >/dev/null || { echo "size: brotli not found (scripts/setup.sh installs it)" >&2; exit 1; }

# The precompressed copies (scripts/precompress.mjs) are the same bytes again: not counted.
mapfile -t files < <(cd "$dist" && find . -type f ! -name '*.br' ! -name '*.gz' | sed 's|^\./||' | LC_ALL=C sort)
[ ${#files[@]} -gt 0 ] || { echo "size: $dist/ is empty" >&2; exit 1; }

total_raw=0 total_gz=0 total_br=0
printf '%-56s %10s %10s %10s\n' "file ($dist/)" raw gzip brotli
for f in "${files[@]}"; do
  raw=$(stat -c %s "$dist/$f")
  gz=$(gzip -9 -c -n "$dist/$f" | wc -c)
  br=$(brotli -q 11 -c "$dist/$f" | wc -c)
  total_raw=$((total_raw + raw)) total_gz=$((total_gz + gz)) total_br=$((total_br + br))
  printf '%-56s %10d %10d %10d\n' "$f" "$raw" "$gz" "$br"
done
printf '%-56s %10d %10d %10d\n' "TOTAL (${#files[@]} files)" "$total_raw" "$total_gz" "$total_br"

if [ -n "${BUDGET_BROTLI_BYTES:-}" ]; then
  if [ "$total_br" -gt "$BUDGET_BROTLI_BYTES" ]; then
    echo "size: FAIL: total brotli $total_br bytes exceeds the budget of $BUDGET_BROTLI_BYTES bytes (BUDGET_BROTLI_BYTES in the Makefile)" >&2
    exit 1
  fi
  echo "size: ok: total brotli $total_br bytes <= budget $BUDGET_BROTLI_BYTES bytes ($((total_br * 100 / BUDGET_BROTLI_BYTES))% used)"
fi
